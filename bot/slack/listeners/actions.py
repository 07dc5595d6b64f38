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
    user = body["user"]["id"]

    def report_where_the_original_did(original: dict[str, Any]) -> dict[str, Any]:
        return replace(
            ReplyTo.from_dict(original),
            user=user,
            response_url=body.get("response_url"),
            response_url_posts=0,  # the button's own response_url, not yet used
        ).to_dict()

    try:
        started = deps.service.retry(
            str(action.get("value")), requested_by=user, reply_to=report_where_the_original_did
        )
    except StoreUnavailableError:
        logger.exception("could not open a retry of %s", action.get("value"))
        respond(**build_notice(STORE_UNAVAILABLE), response_type="ephemeral", replace_original=False)
        return
    if isinstance(started, RetryRefused):
        respond(**build_retry_refused_notice(started), response_type="ephemeral", replace_original=False)
        return
    respond(
        **build_retry_started_notice(started.prospects), response_type="ephemeral", replace_original=False
    )
