"""A submission's life after the ack: record it, announce it, call Saleshandy, report each prospect."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from bot.domain import CreateTaskRequest, ProspectRef, Submission
from bot.slack.blocks.notices import build_notice
from bot.slack.blocks.results import build_parent_message, build_results_messages
from bot.slack.delivery import ReplyTo
from bot.slack.deps import AppDeps

logger = logging.getLogger(__name__)


def submit(
    deps: AppDeps,
    *,
    key: str,
    request: CreateTaskRequest,
    prospects: tuple[ProspectRef, ...],
    reply_to: ReplyTo,
    announce: bool,
) -> bool:
    """Record the submission and create its tasks in the background; False if `key` was seen before."""
    submission = deps.service.open(
        key=key,
        request=request,
        prospects=prospects,
        requested_by=reply_to.user,
        reply_to=reply_to.to_dict(),
    )
    if submission is None:
        logger.info("duplicate submission %s ignored", key)
        return False
    deps.in_background(
        lambda: run_and_report(deps, submission, reply_to, announce=announce),
        what=f"submission {submission.id}",
    )
    return True


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
    messages: list[dict[str, Any]] = build_results_messages(result.submission, headline=result.headline)
    delivered_to = deps.delivery.deliver(reply_to, messages)
    if delivered_to != reply_to:
        deps.service.update_reply_to(submission.id, delivered_to.to_dict())
