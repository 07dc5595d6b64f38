"""The Workflow Builder step *Create Saleshandy task* (a custom step: Slack's `function_executed` event).

Bolt acks the event at once; the inputs are read with the same readers as `/task` in the runner's time
zone, and the tasks go through the same workflow as every other entry point, under the execution's id as
the idempotency key (a retried delivery records nothing twice). The step is completed when the results
are posted (`SlackReporter.finished`), by whichever process finishes the run; it fails here, once, when
its inputs cannot be read or nobody's Saleshandy key can act.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.parsing.step_inputs import parse_step_inputs
from bot.slack import ids
from bot.slack.delivery import ReplyTo
from bot.slack.deps import AppDeps
from bot.slack.workflow_step import (
    CHANNEL_INPUT,
    DATABASE_AWAY,
    DUE_DATE_INPUT,
    MESSAGE_INPUT,
    NO_KEY,
    NO_RUNNER,
    NOTE_INPUT,
    PRIORITY_INPUT,
    PROSPECTS_INPUT,
    RUN_AS_INPUT,
    TASK_TYPE_INPUT,
    fail_step,
    inputs_problem,
)
from bot.store import StoreUnavailableError

logger = logging.getLogger(__name__)


def register(app: App) -> None:
    app.function(ids.CREATE_TASK_STEP_CALLBACK_ID)(handle_create_task_step)


def handle_create_task_step(
    event: dict[str, Any], inputs: dict[str, Any], client: WebClient, context: BoltContext, deps: AppDeps
) -> None:
    execution_id = str(event["function_execution_id"])
    team_id = context.team_id or ""
    runner = _text(inputs, RUN_AS_INPUT)
    if not runner:
        _fail_once(deps, client, execution_id, team_id, NO_RUNNER)
        return
    zone = deps.zones.reading_for(runner, team_id=context.team_id)
    draft = parse_step_inputs(
        prospects_text=_text(inputs, PROSPECTS_INPUT),
        task_type_text=_text(inputs, TASK_TYPE_INPUT),
        due_text=_text(inputs, DUE_DATE_INPUT),
        priority_text=_text(inputs, PRIORITY_INPUT),
        note=_text(inputs, NOTE_INPUT),
        today=zone.today(),
        day_first=deps.settings.day_first,
        links=deps.links,
    )
    problem = inputs_problem(draft)
    if problem is not None:
        _fail_once(deps, client, execution_id, team_id, problem)
        return
    try:
        acting = deps.accounts.acting_for(team_id, runner)
    except StoreUnavailableError:
        logger.exception("could not read whose Saleshandy key acts for workflow step %s", execution_id)
        _fail_once(deps, client, execution_id, team_id, DATABASE_AWAY)
        return
    if acting is None:
        _fail_once(deps, client, execution_id, team_id, NO_KEY)
        return
    reply_to = _report_to(inputs, runner, execution_id, context, None if zone.known else zone.zone)
    deps.service.submit(
        key=f"step:{execution_id}",
        draft=draft,
        reply_to=reply_to.to_dict(),
        announce=not reply_to.thread_ts and reply_to.in_channel,
        acting=acting,
    )


def _report_to(
    inputs: dict[str, Any], runner: str, execution_id: str, context: BoltContext, assumed_zone: str | None
) -> ReplyTo:
    """The given message's thread; the given channel (under a message saying what was asked); or, with
    no channel, the runner's DMs."""
    channel = _text(inputs, CHANNEL_INPUT)
    message_ts = _text(inputs, MESSAGE_INPUT)
    return ReplyTo(
        channel=channel,
        user=runner,
        thread_ts=message_ts if channel and message_ts else None,
        in_channel=bool(channel),
        assumed_zone=assumed_zone,
        team_id=context.team_id,
        enterprise_id=context.enterprise_id,
        is_enterprise_install=bool(context.is_enterprise_install),
        function_execution_id=execution_id,
    )


def _fail_once(deps: AppDeps, client: WebClient, execution_id: str, team_id: str, error: str) -> None:
    """Fail the step, unless a copy of this delivery (Slack retries events) already did."""
    try:
        first = deps.handled.first_time(f"step-failed:{execution_id}", team_id=team_id or None)
    except StoreUnavailableError:
        first = True  # failing twice is better than leaving the step running
    if first:
        fail_step(client, execution_id, error)


def _text(inputs: dict[str, Any], name: str) -> str:
    value = inputs.get(name)
    return value.strip() if isinstance(value, str) else ""
