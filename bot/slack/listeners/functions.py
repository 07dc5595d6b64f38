"""The Workflow Builder step *Create Saleshandy task* (a custom step: Slack's `function_executed` event).

The inputs are read with the same readers as `/task` in the runner's time zone, and the tasks go through
the same workflow as every other entry point, under the execution's id as the idempotency key (a retried
delivery records nothing twice). The event is acked only once the submission is recorded, or the step
failed here (its inputs cannot be read, nobody's Saleshandy key can act, the database is away): until
Slack gets that 200 it delivers the event again, so a process that dies before either loses nothing, and
Slack unreachable for the failure leaves the next delivery to say it. The database away fails the step
only while our answer can still be that 200 (or on Slack's last delivery): once Bolt has answered for us
(3 s), Slack delivers the event again, and that delivery, the database back, does the work; failing the
step then would say "nothing was sent" of a step whose tasks are about to be made. The step is
completed when the results are posted (`SlackReporter.finished`), by whichever process finishes the run.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, BoltContext, BoltRequest
from slack_sdk import WebClient

from bot.parsing.step_inputs import parse_step_inputs
from bot.slack import ids
from bot.slack.delivery import ReplyTo
from bot.slack.deps import AppDeps
from bot.slack.wording import StepFailure
from bot.slack.workflow_step import (
    CHANNEL_INPUT,
    DUE_DATE_INPUT,
    MESSAGE_INPUT,
    NOTE_INPUT,
    PRIORITY_INPUT,
    PROSPECTS_INPUT,
    RUNNER_INPUT,
    TASK_TYPE_INPUT,
    fail_step,
    fail_step_for,
    inputs_problem,
)
from bot.store import StoreUnavailableError

logger = logging.getLogger(__name__)

USER_ID = re.compile(r"[UW][A-Z0-9]{2,}")
ANSWER_WINDOW_SECONDS = 2.5
"""Bolt answers Slack itself for a listener that has not acked within 3 s of the request (not a 200, so
Slack delivers the event again); the listener starts a little after the request, so it keeps a margin."""
LAST_RETRY = 3
"""Slack delivers an event it got no 200 for at most three times more (`X-Slack-Retry-Num` 1 to 3)."""


@dataclass(frozen=True)
class Delivery:
    """This delivery of the event: when the listener took it up, and which of Slack's retries it is."""

    started: float
    """`time.monotonic()` when the listener began."""
    retry_num: int

    @classmethod
    def of(cls, request: BoltRequest) -> Delivery:
        retry = (request.headers.get("x-slack-retry-num") or ["0"])[0]
        return cls(started=time.monotonic(), retry_num=int(retry) if retry.isdigit() else 0)

    def will_come_again(self) -> bool:
        """Our ack can no longer be Slack's 200 and this is not Slack's last try: it delivers again."""
        too_late = time.monotonic() - self.started >= ANSWER_WINDOW_SECONDS
        return too_late and self.retry_num < LAST_RETRY


def register(app: App) -> None:
    app.function(ids.CREATE_TASK_STEP_CALLBACK_ID, auto_acknowledge=False)(handle_create_task_step)


def handle_create_task_step(
    ack: Ack,
    event: dict[str, Any],
    inputs: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    deps: AppDeps,
    request: BoltRequest,
) -> None:
    """Ack once the step's submission is recorded or the step failed; whatever raises first (Slack
    unreachable for the failure, a bug) leaves the event unacked, for Slack to deliver again."""
    # The workspace's token, as the run completes the step with: the event's own ends with the step, so
    # a copy of the delivery failing it again would be refused as unauthorised, not as already ended.
    delivery = Delivery.of(request)
    workspace = WebClient(token=context.bot_token, base_url=client.base_url)
    _take_up_step(event, inputs, workspace, context, deps, delivery)
    ack()


def _take_up_step(
    event: dict[str, Any],
    inputs: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    deps: AppDeps,
    delivery: Delivery,
) -> None:
    execution_id = str(event["function_execution_id"])
    team_id = context.team_id or ""
    runner = _runner(inputs)
    if runner is None:
        fail_step_for(client, execution_id, StepFailure.NO_RUNNER)
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
        fail_step(client, execution_id, problem)
        return
    reply_to = _report_to(inputs, runner, execution_id, context, None if zone.known else zone.zone)
    try:
        acting = deps.accounts.acting_for(team_id, runner)
        if acting is None:
            fail_step_for(client, execution_id, StepFailure.NO_KEY)
            return
        deps.service.record_and_start(
            key=f"step:{execution_id}",
            draft=draft,
            reply_to=reply_to.to_dict(),
            announce=not reply_to.thread_ts and reply_to.in_channel,
            acting=acting,
        )
    except StoreUnavailableError:
        if delivery.will_come_again():
            logger.warning(
                "could not record workflow step %s, too late to answer: left for Slack's next delivery",
                execution_id,
            )
            return
        logger.exception("could not record workflow step %s", execution_id)
        fail_step_for(client, execution_id, StepFailure.DATABASE_AWAY)


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


def _runner(inputs: dict[str, Any]) -> str | None:
    """Who ran the workflow, from the user_context Slack filled in (`{"id": "U…", "secret": "…"}`): a
    bare string is a user ID some builder typed (an out-of-date manifest), and acts for nobody."""
    context = inputs.get(RUNNER_INPUT)
    user_id = context.get("id") if isinstance(context, dict) else None
    return user_id if isinstance(user_id, str) and USER_ID.fullmatch(user_id) else None


def _text(inputs: dict[str, Any], name: str) -> str:
    value = inputs.get(name)
    return value.strip() if isinstance(value, str) else ""
