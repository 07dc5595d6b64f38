"""Opening the task modal, shared by the command and the shortcut (the trigger_id is spent first)."""

from __future__ import annotations

import logging

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.blocks.modal import ModalPrefill, build_task_modal
from bot.slack.blocks.notices import build_notice

logger = logging.getLogger(__name__)


def open_task_modal(
    client: WebClient, *, trigger_id: str, prefill: ModalPrefill, respond: Respond
) -> None:
    try:
        client.views_open(trigger_id=trigger_id, view=build_task_modal(prefill))
    except SlackApiError as error:
        reason = error.response.get("error")
        logger.warning("views.open failed: %s", reason)
        respond(
            **build_notice(
                "Slack did not let me open the task form in time. Please run it again."
                if reason == "expired_trigger_id"
                else f"Slack did not let me open the task form ({reason}). Please try again."
            ),
            response_type="ephemeral",
        )
