"""A submission's life after the ack: record it, announce it, call Saleshandy, report each prospect."""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace
from typing import Any

from bot.domain import Submission, TaskDraft
from bot.parsing.prospects import dedupe_prospects
from bot.slack.blocks.notices import build_notice
from bot.slack.blocks.results import build_nobody_found, build_parent_message, build_results_messages
from bot.slack.delivery import ReplyTo
from bot.slack.deps import AppDeps
from bot.store import StoreUnavailableError

logger = logging.getLogger(__name__)

STORE_UNAVAILABLE = (
    "I could not record this request (our database is unavailable right now), so nothing was created. "
    "Please try again in a minute."
)
RESULTS_NOT_SAVED = (
    "These results could not be saved (our database was unavailable), so there is no Retry button: "
    "check Saleshandy, then ask again for the prospects not created."
)


def submit(deps: AppDeps, *, key: str, draft: TaskDraft, reply_to: ReplyTo, announce: bool) -> None:
    """Look up the draft's emails, record the submission under `key` and create its tasks, all in the
    background: the listener has acked, and even the database write stays off the next ack's path."""
    deps.in_background(
        lambda: _record_and_run(deps, key=key, draft=draft, reply_to=reply_to, announce=announce),
        what=f"submission {key}",
    )


def _record_and_run(deps: AppDeps, *, key: str, draft: TaskDraft, reply_to: ReplyTo, announce: bool) -> None:
    found, not_found = deps.service.find_by_email(draft.emails) if draft.emails else ((), ())
    # A prospect named by ID and by email is one prospect, shown with the name its lookup found.
    prospects = dedupe_prospects((*draft.prospects, *found))
    if not prospects:
        deps.delivery.deliver(replace(reply_to, in_channel=False), [build_nobody_found(not_found)])
        return
    try:
        submission = deps.service.open(
            key=key,
            request=draft.to_request(also=found),
            prospects=prospects,
            requested_by=reply_to.user,
            reply_to=reply_to.to_dict(),
            not_found=not_found,
        )
    except StoreUnavailableError:
        # The modal is closed by then: the rep hears it privately, or would hear nothing.
        logger.exception("could not record submission %s", key)
        deps.delivery.deliver(replace(reply_to, in_channel=False), [build_notice(STORE_UNAVAILABLE)])
        return
    if submission is None:
        logger.info("duplicate submission %s ignored", key)
        return
    run_and_report(deps, submission, reply_to, announce=announce)


def run_and_report(deps: AppDeps, submission: Submission, reply_to: ReplyTo, *, announce: bool) -> None:
    """Create the tasks and post one line per prospect where the rep will see it."""
    if announce:
        reply_to = deps.delivery.deliver(reply_to, [], parent=build_parent_message(submission))
        deps.service.update_reply_to(submission.id, reply_to.to_dict())
    try:
        result = deps.service.run(submission)
    except Exception:
        error_id = uuid.uuid4().hex[:12]
        logger.exception("creating tasks for submission %s failed (error id %s)", submission.id, error_id)
        message = (
            f"Something went wrong on our side while creating these tasks (error id {error_id}). "
            "Some may have been created: check Saleshandy before trying again."
        )
        deps.delivery.deliver(reply_to, [build_notice(message)])
        return
    headline = result.headline
    if not result.saved:
        headline = f"{headline} {RESULTS_NOT_SAVED}" if headline else RESULTS_NOT_SAVED
    messages: list[dict[str, Any]] = build_results_messages(
        result.submission,
        headline=headline,
        offer_retry=result.saved,
        say_what_was_asked=not announce and submission.retry_of is None,
    )
    delivered_to = deps.delivery.deliver(reply_to, messages)
    if delivered_to != reply_to:
        deps.service.update_reply_to(submission.id, delivered_to.to_dict())
