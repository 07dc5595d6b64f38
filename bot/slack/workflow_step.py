"""The Workflow Builder step *Create Saleshandy task*: its inputs and outputs (as `app_manifest.yml`
declares them), what it says when its inputs cannot be read, and its completion once the results are in.

The step completes after the submission's report is posted, from whichever process finishes the run
(`SlackReporter.finished`), with the workspace's bot token: functions.completeSuccess and completeError
need no scope, and the event's short-lived token is never kept. A second completion (a run resumed after
a crash that came just after completing) is answered `execution_not_in_running_state`: already done.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain import DraftField, EmailNotFound, OutcomeStatus, Submission, TaskDraft
from bot.slack.delivery import SLACK_HAD_A_PROBLEM
from bot.slack.wording import STEP_FAILURE_WORDS, StepFailure

logger = logging.getLogger(__name__)

# ---- inputs (the manifest's input_parameters) -------------------------------------------------------
PROSPECTS_INPUT = "prospects"
TASK_TYPE_INPUT = "task_type"
DUE_DATE_INPUT = "due_date"
PRIORITY_INPUT = "priority"
NOTE_INPUT = "note"
RUNNER_INPUT = "runner"
"""The person who ran the workflow, a `slack#/types/user_context` that Slack fills and no builder can set
(a plain user ID could name any colleague): whose Saleshandy key acts (theirs, else the workspace's),
whose time zone reads the date, who gets the results by DM. It arrives as `{"id": "U…", "secret": "…"}`;
only the id is read, and the secret (Slack's own) is never kept or logged."""
CHANNEL_INPUT = "report_channel"
MESSAGE_INPUT = "report_message_ts"
"""With the channel, the message whose thread gets the results (else a new message in the channel)."""

INPUT_TITLES = {
    DraftField.PROSPECTS: "Prospects",
    DraftField.TASK_TYPE: "Task type",
    DraftField.DUE_DATE: "Due date",
    DraftField.PRIORITY: "Priority",
    DraftField.NOTE: "Note",
}
"""The inputs' titles in Workflow Builder (the manifest's `title`s), by the draft field each fills."""

# ---- outputs (the manifest's output_parameters) -----------------------------------------------------
CREATED_OUTPUT = "created_count"
FAILED_OUTPUT = "failed_count"
UNKNOWN_OUTPUT = "unknown_count"
TASK_IDS_OUTPUT = "task_ids"
OUTPUT_TYPES = {
    CREATED_OUTPUT: "integer",
    FAILED_OUTPUT: "integer",
    UNKNOWN_OUTPUT: "integer",
    TASK_IDS_OUTPUT: "string",
}
"""Each output's type as the manifest declares it (Slack checks completeSuccess's outputs against them)."""

ERROR_MAX_CHARS = 1000
"""A completeError message is read in Workflow Builder's activity: a paragraph, not a report."""

MISSING_INPUT = {
    DraftField.TASK_TYPE: "is empty. Give a task type, e.g. call, demo, follow-up, li msg, connect, inmail.",
    DraftField.PROSPECTS: (
        "names no prospect. Give Saleshandy prospect IDs, links or emails, one per line, or a message "
        "that holds some."
    ),
}


def inputs_problem(draft: TaskDraft) -> str | None:
    """Why the step cannot go on with what its inputs say, naming each input and how to fix it; None
    when the draft is ready."""
    if draft.is_ready:
        return None
    lines = [f"{INPUT_TITLES[field]} {MISSING_INPUT[field]}" for field in draft.missing]
    lines += [f"{INPUT_TITLES[problem.field]}: {problem.message}" for problem in draft.problems]
    said = " ".join(lines)
    return _bounded(f"The step's inputs could not be read. {said} Fix them in Workflow Builder.")


def step_outputs(submission: Submission | None, not_found: Sequence[EmailNotFound]) -> dict[str, Any]:
    """The outputs later steps can use: the counts (emails not found count as failed, as in the
    results) and the created tasks' ids, one per line."""
    outcomes = submission.outcomes if submission is not None else ()
    return {
        CREATED_OUTPUT: sum(1 for o in outcomes if o.status is OutcomeStatus.CREATED),
        FAILED_OUTPUT: sum(1 for o in outcomes if o.status is OutcomeStatus.FAILED) + len(not_found),
        UNKNOWN_OUTPUT: sum(1 for o in outcomes if o.status is OutcomeStatus.UNKNOWN),
        TASK_IDS_OUTPUT: "\n".join(o.task_id for o in outcomes if o.task_id),
    }


def nothing_created(outputs: dict[str, Any]) -> str:
    """The step's failure when no task was created (the results, posted, say why for each prospect)."""
    failed, unknown = outputs[FAILED_OUTPUT], outputs[UNKNOWN_OUTPUT]
    said = [f"{failed} failed"] if failed else []
    if unknown:
        said.append(f"{unknown} unknown: they may exist, check Saleshandy before running it again")
    counts = "; ".join(said) or "no prospect"
    return f"No Saleshandy task was created ({counts}). The results say why for each prospect."


def complete_step(
    client: WebClient,
    execution_id: str,
    submission: Submission | None,
    not_found: Sequence[EmailNotFound],
) -> None:
    """Complete the step (`execution_id`: the event's function_execution_id) with the submission's
    outputs, or fail it when no task was created."""
    outputs = step_outputs(submission, not_found)
    if not outputs[CREATED_OUTPUT]:
        fail_step(client, execution_id, nothing_created(outputs))
        return
    _finish(
        partial(client.functions_completeSuccess, function_execution_id=execution_id, outputs=outputs),
        execution_id,
    )


def fail_step_for(client: WebClient, execution_id: str, reason: StepFailure) -> None:
    """Fail the step for one of the reasons the wording table words."""
    fail_step(client, execution_id, STEP_FAILURE_WORDS[reason])


def fail_step(client: WebClient, execution_id: str, error: str) -> None:
    """Fail the step with `error`, which Workflow Builder shows to the workflow's owner."""
    _finish(
        partial(client.functions_completeError, function_execution_id=execution_id, error=_bounded(error)),
        execution_id,
    )


def _finish(call: Callable[[], object], execution_id: str) -> None:
    """Slack's own trouble raises (the run is tried again later); a step completed before is done; any
    other refusal no retry can mend is logged."""
    try:
        call()
    except SlackApiError as refused:
        reason = str(refused.response.get("error"))
        if reason == "execution_not_in_running_state":
            logger.info("workflow step %s was completed before", execution_id)
            return
        if reason in SLACK_HAD_A_PROBLEM:
            raise
        logger.error("Slack refused to complete workflow step %s: %s", execution_id, reason)


def _bounded(text: str) -> str:
    return text if len(text) <= ERROR_MAX_CHARS else text[: ERROR_MAX_CHARS - 1] + "…"
