"""Opening the task modal, shared by the command and the shortcut (the trigger_id is spent first)."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Sequence

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain import ProspectRef
from bot.parsing.command import describe_date
from bot.slack.blocks.modal import ModalPrefill, build_task_modal
from bot.slack.blocks.notices import build_notice
from bot.slack.deps import AppDeps
from bot.slack.forms import ProspectsField, prospects_field
from bot.store import StoreUnavailableError

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


def keep_what_the_form_cannot_hold(
    deps: AppDeps, prospects: Sequence[ProspectRef], emails: Sequence[str], words: Sequence[str] = ()
) -> tuple[ProspectsField, str | None]:
    """The prospects field, and the token under which the prospects it cannot hold are kept (None when
    it holds them all). With the database away everything stays in the field's text, which the form
    then cuts and says so (the rep sees what was left out)."""
    field = prospects_field(prospects, emails, words)
    if not field.kept:
        return field, None
    try:
        return field, deps.kept.keep(field.kept)
    except StoreUnavailableError:
        logger.exception("could not keep %d prospects for a form", len(field.kept))
        return ProspectsField("\n".join([*emails, *(p.id for p in prospects), *words])), None


def unknown_zone_notice(zone: str, due: datetime.date) -> str:
    return (
        f"Slack has not told me your time zone, so I read the date in {zone}: {describe_date(due)}, "
        "which may already be past where you are. Check the due date, then create the task."
    )


NO_KEY_NOTICE = (
    "You have no Saleshandy account connected (and this workspace has no key), so I cannot create the task "
    "yet. Fill it in anyway: it is kept, and once you connect Saleshandy in my Home tab one click creates it."
)


def no_key_notices(deps: AppDeps, team_id: str | None, user_id: str) -> tuple[str, ...]:
    """A line for the form when the rep has no key to create tasks with."""
    try:
        acting = deps.accounts.acting_for(team_id or "", user_id)
    except StoreUnavailableError:
        return ()  # said at submission, if it is still so
    return (NO_KEY_NOTICE,) if acting is None else ()
