"""The "Retry failed" button: exactly the failed prospects, same fields, once, reported in place."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from slack_bolt import Ack, App, Respond

from bot.service import RetryRefused
from bot.slack import ids
from bot.slack.blocks.notices import build_notice
from bot.slack.blocks.results import WHY_NOT_RETRIED, build_retry_refused_notice, build_retry_started_notice
from bot.slack.delivery import ReplyTo
from bot.slack.deps import AppDeps
from bot.slack.reporting import run_and_report
from bot.store import StoreUnavailableError

logger = logging.getLogger(__name__)

__all__ = ["WHY_NOT_RETRIED", "handle_retry_failed", "register"]

STORE_UNAVAILABLE = "I could not reach our database, so nothing was retried. Please try again in a minute."


def register(app: App) -> None:
    app.action(ids.RETRY_FAILED_ACTION_ID)(handle_retry_failed)


def handle_retry_failed(
    ack: Ack, action: dict[str, Any], body: dict[str, Any], respond: Respond, deps: AppDeps
) -> None:
    ack()
    try:
        opened = deps.service.open_retry(str(action.get("value")), requested_by=body["user"]["id"])
    except StoreUnavailableError:
        logger.exception("could not open a retry of %s", action.get("value"))
        respond(**build_notice(STORE_UNAVAILABLE), response_type="ephemeral", replace_original=False)
        return
    if isinstance(opened, RetryRefused):
        respond(**build_retry_refused_notice(opened), response_type="ephemeral", replace_original=False)
        return
    retry, stored_reply_to = opened
    respond(
        **build_retry_started_notice(len(retry.prospects)), response_type="ephemeral", replace_original=False
    )
    reply_to = replace(
        ReplyTo.from_dict(stored_reply_to),
        user=body["user"]["id"],
        response_url=body.get("response_url"),
        response_url_posts=0,  # the button's own response_url, not yet used
    )
    deps.in_background(
        lambda: run_and_report(deps, retry, reply_to, announce=False),
        what=f"retry {retry.id}",
    )
