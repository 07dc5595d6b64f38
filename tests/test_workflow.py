"""The workflow, killed at each step that matters, then finished by another process.

A "process" here is a `TaskService` with its own runner and lease owner, on the same database (SQLite
file or PostgreSQL), the fake Saleshandy and the fake Slack, reporting through the real Slack reporter.
It dies by `ProcessDied` (a BaseException: nothing in the app catches it, as nothing catches SIGKILL)
raised at one step; the survivor takes the abandoned submission over once the lease runs out. Each test
ends with every prospect accounted for exactly once: one line in the thread, at most one task.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr
from slack_sdk import WebClient

from bot.domain import ProspectRef, Submission, TaskDraft, TaskType
from bot.saleshandy import SaleshandyClient
from bot.service import (
    Accounts,
    Acting,
    BackgroundRunner,
    ClientSource,
    KeySource,
    RetryRefused,
    RetryStarted,
    ServiceNotice,
    ServiceVerdict,
    TaskService,
)
from bot.service.ports import Message
from bot.service.tasks import MAX_FAILED_RUNS, RETRY_FAILED_RUN_AFTER_SECONDS
from bot.slack.delivery import Delivery
from bot.slack.reporter import SlackReporter
from bot.slack.wording import NOTICE_WORDS, STEP_FAILURE_WORDS, StepFailure, say_verdict
from bot.store import SaleshandyKeys, SecretBox, SharedWindow, SubmissionState, SubmissionStore, open_database
from bot_testing.saleshandy import FakeSaleshandy
from bot_testing.slack import FakeSlack
from tests.conftest import SALESHANDY_TEST_KEY

pytestmark = pytest.mark.both_databases

TOKEN = "xoxb-workflow-test"
CHANNEL = "C0FLOW"
REP = "U0REP"
IDS = ("8PvBmrB7P7", "Pr9xQ2Lm7k", "Qz7Wx2Lm9k", "Ab3Cd4Ef5g", "INVALIDxx01")
"""Five prospects in chunks of two: three requests. INVALID… fails (the fake knows no such prospect)."""
LEASE = 20.0
WINDOW_POLL = 0.02
"""How often a lookup waiting for the rate-limit window's first answer looks again (the app's: 0.2 s)."""
DUE = datetime.datetime.now(datetime.UTC).date() + datetime.timedelta(days=1)


class ProcessDied(BaseException):
    """The process is gone: no handler of the app's runs (like SIGKILL)."""


class Clock:
    """Wall-clock time plus whatever the test skips ahead (to let a dead process's lease run out)."""

    def __init__(self) -> None:
        self.skipped = 0.0

    def __call__(self) -> float:
        import time

        return time.time() + self.skipped


class DyingStore(SubmissionStore):
    """The real store, whose process dies when `die_at(step, seq)` says so, before the step's write."""

    def __init__(self, *args: Any, die_at: Callable[[str, int], bool], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._die_at = die_at

    def start_chunk(self, submission_id: str, seq: int, *, epoch: int) -> bool:
        if self._die_at("before_sending", seq):
            raise ProcessDied
        started = super().start_chunk(submission_id, seq, epoch=epoch)
        if self._die_at("in_flight", seq):
            raise ProcessDied
        return started

    def finish_chunk(self, submission_id: str, seq: int, **kwargs: Any) -> bool:
        if self._die_at("answered", seq):
            raise ProcessDied
        return super().finish_chunk(submission_id, seq, **kwargs)

    def report_part_posted(
        self, submission_id: str, *, epoch: int, parts: int, reply_to: dict[str, Any]
    ) -> bool:
        if self._die_at("posted_unrecorded", parts):
            raise ProcessDied
        recorded = super().report_part_posted(submission_id, epoch=epoch, parts=parts, reply_to=reply_to)
        if self._die_at("between_parts", parts):
            raise ProcessDied
        return recorded

    def release(
        self, submission_id: str, *, epoch: int, until: float | None = None, failed: bool = False
    ) -> int | None:
        if failed and self._die_at("failure_counted", epoch):
            raise ProcessDied
        return super().release(submission_id, epoch=epoch, until=until, failed=failed)

    def finish(self, submission_id: str, *, epoch: int) -> bool:
        if self._die_at("finished", 0):  # the report all posted (and a workflow step completed)
            raise ProcessDied
        return super().finish(submission_id, epoch=epoch)


class PagedReporter(SlackReporter):
    """The Slack reporter, with results cut into one message per two lines so a report has parts."""

    def results(
        self, submission: Submission, *, headline: str | None, say_what_was_asked: bool
    ) -> Sequence[Message]:
        messages = super().results(submission, headline=headline, say_what_was_asked=say_what_was_asked)
        [whole] = messages
        lines = [
            line
            for block in whole["blocks"]
            if block.get("type") == "section"
            for line in block["text"]["text"].splitlines()
        ]
        return [
            {"text": whole["text"], "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]}
            for text in ("\n".join(lines[i : i + 2]) for i in range(0, len(lines), 2))
        ]


@pytest.fixture(scope="module")
def slack() -> Iterator[FakeSlack]:
    with FakeSlack(bot_token=TOKEN) as fake:
        yield fake


@pytest.fixture
def world(slack: FakeSlack, fake_saleshandy: FakeSaleshandy, database_url: str) -> Iterator[World]:
    slack.reset()
    slack.add_channel(CHANNEL, "flow")
    engine = open_database(database_url)
    world = World(slack, fake_saleshandy, engine)
    yield world
    world.close()
    engine.dispose()


class World:
    def __init__(self, slack: FakeSlack, saleshandy: FakeSaleshandy, engine: Any) -> None:
        self.slack, self.saleshandy, self.engine = slack, saleshandy, engine
        self.clock = Clock()
        self._closers: list[Callable[[], None]] = []

    def process(
        self,
        name: str,
        *,
        die_at: Callable[[str, int], bool] = lambda step, n: False,
        clients: ClientSource | None = None,
    ) -> TaskService:
        runner = BackgroundRunner()
        client = self.client(SecretStr(SALESHANDY_TEST_KEY))
        web = WebClient(token=TOKEN, base_url=self.slack.api_url)
        service = TaskService(
            client=client,
            clients=clients,
            store=DyingStore(self.engine, clock=self.clock, die_at=die_at),
            reporter=PagedReporter(Delivery(web)),
            runner=runner,
            owner=name,
            clock=self.clock,
            lease_seconds=LEASE,
        )
        self.runner = runner
        self._closers.append(lambda: runner.close(5.0))
        return service

    def client(self, key: SecretStr) -> SaleshandyClient:
        client = SaleshandyClient(
            base_url=self.saleshandy.base_url,
            api_key=key,
            chunk_size=2,
            timeout=httpx.Timeout(2.0),
            window=SharedWindow(
                self.engine, key=key.get_secret_value(), clock=self.clock, poll_seconds=WINDOW_POLL
            ),
        )
        self._closers.append(client.close)
        return client

    def close(self) -> None:
        for close in self._closers:
            close()

    def lease_runs_out(self) -> None:
        self.clock.skipped += LEASE + 1

    def store(self) -> SubmissionStore:
        return SubmissionStore(self.engine, clock=self.clock)


def submit(
    service: TaskService, runner_of: World, *, key: str = "command:T1", acting: Acting | None = None
) -> None:
    draft = TaskDraft(
        due_date=DUE,
        task_type=TaskType.CALL_FOLLOW_UP,
        prospects=tuple(ProspectRef(id=pid) for pid in IDS),
        due_date_given=True,
    )
    service.submit(
        key=key, draft=draft, reply_to={"channel": CHANNEL, "user": REP}, announce=True, acting=acting
    )
    assert runner_of.runner.drain(10)


def resume(world: World) -> TaskService:
    world.lease_runs_out()
    survivor = world.process("survivor")
    assert survivor.resume_abandoned() == 1
    assert world.runner.drain(10)
    return survivor


def thread_lines(slack: FakeSlack, channel: str = CHANNEL) -> dict[str, list[str]]:
    """Each prospect's result lines in the channel's threads: its mark and what follows."""
    lines: dict[str, list[str]] = {pid: [] for pid in IDS}
    for message in slack.messages(channel):
        for block in message.get("blocks") or []:
            text = str((block.get("text") or {}).get("text", ""))
            for line in text.splitlines():
                for pid in IDS:
                    if re.search(rf"\b{pid}\b", line) and line[:1] in "✅❌❔":
                        lines[pid].append(line)
    return lines


def assert_each_prospect_once(world: World, expected: dict[str, str]) -> None:
    """One line per prospect (`✅`, `❌` or `❔` as expected), and no prospect with two tasks."""
    lines = thread_lines(world.slack)
    assert {pid: [line[0] for line in found] for pid, found in lines.items()} == {
        pid: [mark] for pid, mark in expected.items()
    }
    tasks = [t.prospect_id for t in world.saleshandy.tasks]
    assert len(tasks) == len(set(tasks))
    created = {pid for pid, mark in expected.items() if mark == "✅"}
    assert created <= set(tasks)


def test_without_a_crash_every_prospect_is_reported_once(world: World) -> None:
    service = world.process("only")
    submit(service, world)
    assert_each_prospect_once(world, {**dict.fromkeys(IDS[:4], "✅"), IDS[4]: "❌"})
    assert len(world.saleshandy.create_requests) == 3
    [stored] = [s for s in [world.store().get(r) for r in _ids(world)] if s]
    assert stored.state is SubmissionState.DONE and not stored.submission.interrupted  # type: ignore[union-attr]


def test_a_run_resumed_after_a_crash_acts_with_the_reps_own_key(world: World) -> None:
    """The submission records whose key it uses, not the key: the survivor finds the rep's key itself."""
    rep_key = "sh-rep-flow-2b7c9e41d5a0"
    world.saleshandy.add_key(rep_key)
    keys = SaleshandyKeys(world.engine, SecretBox([Fernet.generate_key().decode()]))
    keys.put("T1", REP, SecretStr(rep_key))

    def accounts() -> Accounts:
        return Accounts(
            keys=keys, workspace_key=SecretStr(SALESHANDY_TEST_KEY), make_client=world.client, chunk_size=2
        )

    dying = world.process(
        "dying", die_at=lambda step, seq: step == "before_sending" and seq == 1, clients=accounts()
    )
    submit(dying, world, acting=Acting("T1", REP, KeySource.REP))
    world.lease_runs_out()
    survivor = world.process("survivor", clients=accounts())
    assert survivor.resume_abandoned() == 1
    assert world.runner.drain(10)
    assert_each_prospect_once(world, {**dict.fromkeys(IDS[:4], "✅"), IDS[4]: "❌"})
    assert [r.headers["x-api-key"] for r in world.saleshandy.create_requests] == [rep_key] * 3
    assert len(world.saleshandy.tasks_made_with(rep_key)) == 4


def test_a_rep_who_disconnected_before_the_run_gets_failures_that_say_why_and_nothing_is_sent(
    world: World,
) -> None:
    keys = SaleshandyKeys(world.engine, SecretBox([Fernet.generate_key().decode()]))
    accounts = Accounts(
        keys=keys, workspace_key=SecretStr(SALESHANDY_TEST_KEY), make_client=world.client, chunk_size=2
    )
    service = world.process("only", clients=accounts)
    # Recorded as the rep's own key, which is gone by the time the run looks it up (no fallback to the
    # workspace's: the tasks would be made as someone else).
    submit(service, world, acting=Acting("T1", REP, KeySource.REP))
    assert world.saleshandy.create_requests == []
    assert_each_prospect_once(world, dict.fromkeys(IDS, "❌"))
    assert "disconnected" in _all_text(world.slack)


def test_a_crash_before_a_chunk_is_sent_resumes_with_the_unsent_chunks_and_sends_nothing_twice(
    world: World,
) -> None:
    dying = world.process("dying", die_at=lambda step, seq: step == "before_sending" and seq == 1)
    submit(dying, world)
    assert len(world.saleshandy.create_requests) == 1  # chunk 0 only; then the process died

    resume(world)
    assert_each_prospect_once(world, {**dict.fromkeys(IDS[:4], "✅"), IDS[4]: "❌"})
    assert [r.body["prospectIds"] for r in world.saleshandy.create_requests] == [
        list(IDS[:2]),
        list(IDS[2:4]),
        [IDS[4]],
    ]
    assert "restarted" in _all_text(world.slack)  # the results say the work was interrupted and resumed


@pytest.mark.parametrize("step", ["in_flight", "answered"])
def test_a_crash_with_a_chunk_in_flight_or_just_answered_makes_it_unknown_never_resent(
    world: World, step: str
) -> None:
    """In flight: recorded as being sent, the request maybe not out. Answered: Saleshandy created the tasks,
    the process died before writing it down. Either way nobody can tell from the database: unknown."""
    dying = world.process("dying", die_at=lambda s, seq: s == step and seq == 1)
    submit(dying, world)
    sent_before = len(world.saleshandy.create_requests)

    survivor = resume(world)
    assert_each_prospect_once(world, {IDS[0]: "✅", IDS[1]: "✅", IDS[2]: "❔", IDS[3]: "❔", IDS[4]: "❌"})
    assert len(world.saleshandy.create_requests) == sent_before + 1  # only the chunk never sent
    assert say_verdict(ServiceVerdict.IN_FLIGHT_WHEN_STOPPED).split(";")[0] in _all_text(world.slack)

    # The Retry button offers the unknown and the failed, once, with the rep's say.
    [original] = [s for s in (world.store().get(r) for r in _ids(world)) if s and not s.retry_of]
    started = survivor.retry(original.id, requested_by=REP, reply_to=lambda r: r)
    assert isinstance(started, RetryStarted) and started.prospects == 3
    assert survivor.retry(original.id, requested_by=REP, reply_to=lambda r: r) is RetryRefused.ALREADY_RETRIED


def test_a_crash_between_two_parts_of_the_report_posts_the_rest_once(world: World) -> None:
    dying = world.process("dying", die_at=lambda step, parts: step == "between_parts" and parts == 2)
    submit(dying, world)
    before = len(world.slack.calls("chat.postMessage"))  # the parent and the report's first two parts

    resume(world)
    assert_each_prospect_once(world, {**dict.fromkeys(IDS[:4], "✅"), IDS[4]: "❌"})
    assert len(world.saleshandy.create_requests) == 3  # nothing sent again
    assert len(world.slack.calls("chat.postMessage")) - before == 1  # the third part, once


def test_results_the_channel_refused_go_on_in_the_reps_dm_after_a_crash_and_arrive_once(world: World) -> None:
    """The channel refuses the report: its first part opens the rep's DM (and the pointer to it is said
    once, where the rep acted). The DM is recorded with the part, so the survivor posts the rest there,
    once, without trying the channel, opening the DM or pointing to it again."""
    world.slack.set_bot_not_in(CHANNEL)
    world.slack.add_user(REP, name="rep")
    reply_to = {"channel": CHANNEL, "user": REP, "response_url": world.slack.response_url(CHANNEL, REP)}
    dying = world.process("dying", die_at=lambda step, parts: step == "between_parts" and parts == 2)
    draft = TaskDraft(
        due_date=DUE,
        task_type=TaskType.CALL_FOLLOW_UP,
        prospects=tuple(ProspectRef(id=pid) for pid in IDS),
        due_date_given=True,
    )
    dying.submit(key="command:T2", draft=draft, reply_to=reply_to, announce=False)
    assert world.runner.drain(10)

    resume(world)
    (opened,) = world.slack.calls("conversations.open")
    dm = opened.response_json["channel"]["id"]
    expected = {**dict.fromkeys(IDS[:4], "✅"), IDS[4]: "❌"}
    lines = thread_lines(world.slack, dm)
    assert {pid: [line[0] for line in found] for pid, found in lines.items()} == {
        pid: [mark] for pid, mark in expected.items()
    }
    assert [c.error for c in world.slack.calls("chat.postMessage")].count("not_in_channel") == 1
    (pointer,) = world.slack.calls("response_url")
    assert pointer.ok and f"channel={dm}" in pointer.params["text"]
    assert len(world.saleshandy.create_requests) == 3


def test_a_crash_between_posting_a_part_and_recording_it_repeats_that_part_alone(world: World) -> None:
    """Slack's chat.postMessage has no idempotency key: the part whose posting was not yet written down
    when the process died is posted again. The one message a crash can repeat; never a task."""
    dying = world.process("dying", die_at=lambda step, parts: step == "posted_unrecorded" and parts == 2)
    submit(dying, world)

    resume(world)
    lines = thread_lines(world.slack)
    twice = {pid for pid, found in lines.items() if len(found) == 2}
    assert twice == {IDS[1], IDS[2]}  # the two lines of the second part, and no other
    assert all(len(found) == 1 for pid, found in lines.items() if pid not in twice)
    assert len(world.saleshandy.create_requests) == 3
    assert len({t.prospect_id for t in world.saleshandy.tasks}) == len(world.saleshandy.tasks)


def test_a_graceful_stop_leaves_the_unsent_chunks_for_another_process_at_once(world: World) -> None:
    world.saleshandy.set_latency(5.0)  # the first chunk stays in flight until the stop has begun
    stopping = world.process("stopping")
    draft_runner = world.runner
    stopping_submit = stopping.submit
    draft = TaskDraft(
        due_date=DUE,
        task_type=TaskType.CALL_DEMO,
        prospects=tuple(ProspectRef(id=pid) for pid in IDS),
    )
    stopping_submit(key="command:T9", draft=draft, reply_to={"channel": CHANNEL, "user": REP}, announce=True)
    _wait(lambda: len(world.saleshandy.create_requests) >= 1)
    draft_runner.stop()  # SIGTERM: the chunk in flight finishes, no new one starts
    world.saleshandy.set_latency(0)
    world.saleshandy.answer_waiting()
    assert draft_runner.drain(5)
    stopping.release_all()
    sent = len(world.saleshandy.create_requests)
    assert sent < 3

    survivor = world.process("survivor")  # no lease to wait for: it was given up
    assert survivor.resume_abandoned() == 1
    assert world.runner.drain(10)
    assert_each_prospect_once(world, {**dict.fromkeys(IDS[:4], "✅"), IDS[4]: "❌"})
    assert len(world.saleshandy.create_requests) == 3


def test_a_lookup_interrupted_is_looked_up_again_by_the_next_process(world: World) -> None:
    world.saleshandy.add_prospect("Ja9Ne0Doe1", email="jane@acme.com", first_name="Jane", last_name="Doe")
    dying = world.process("dying", die_at=lambda step, seq: step == "before_sending")
    draft = TaskDraft(
        due_date=DUE, task_type=TaskType.CALL_DEMO, emails=("jane@acme.com", "nobody@x.io")
    )
    dying.submit(key="command:T5", draft=draft, reply_to={"channel": CHANNEL, "user": REP}, announce=True)
    assert world.runner.drain(10)
    assert world.saleshandy.create_requests == []

    resume(world)
    [request] = world.saleshandy.create_requests
    assert request.body["prospectIds"] == ["Ja9Ne0Doe1"]
    text = _all_text(world.slack)
    assert "Jane Doe" in text and "nobody@x.io" in text


# ---- a Workflow Builder step waiting on the submission --------------------------------------------------

STEP = "create_saleshandy_task_step"
STEP_OUTPUTS = {
    name: {"type": kind, "is_required": True}
    for name, kind in (
        ("created_count", "integer"), ("failed_count", "integer"), ("unknown_count", "integer"),
        ("task_ids", "string"),
    )
}


def submit_for_step(service: TaskService, world: World) -> str:
    """The submission a workflow step made (its execution running in the fake Slack); the execution id."""
    world.slack.add_function(STEP, {"input_parameters": {}, "output_parameters": STEP_OUTPUTS})
    execution = world.slack.start_function(STEP, {})
    draft = TaskDraft(
        due_date=DUE, task_type=TaskType.CALL_OTHER, prospects=tuple(ProspectRef(id=pid) for pid in IDS)
    )
    reply_to = {"channel": CHANNEL, "user": REP, "function_execution_id": execution.id}
    service.submit(key=f"step:{execution.id}", draft=draft, reply_to=reply_to, announce=True)
    assert world.runner.drain(10)
    return execution.id


def test_a_step_whose_process_died_mid_run_is_completed_once_by_the_run_that_finishes_it(
    world: World,
) -> None:
    dying = world.process("dying", die_at=lambda step, seq: step == "in_flight" and seq == 1)
    execution_id = submit_for_step(dying, world)
    assert world.slack.function_execution(execution_id).state == "running"

    resume(world)
    done = world.slack.function_execution(execution_id)
    assert done.state == "completed"
    tasks = {t.prospect_id: t.task_id for t in world.saleshandy.tasks}
    assert done.outputs == {
        "created_count": 2,
        "failed_count": 1,
        "unknown_count": 2,  # the chunk in flight when the process died
        "task_ids": f"{tasks[IDS[0]]}\n{tasks[IDS[1]]}",
    }
    assert len(world.slack.calls("functions.completeSuccess")) == 1


def test_a_crash_just_after_completing_the_step_completes_it_no_second_time(world: World) -> None:
    dying = world.process("dying", die_at=lambda step, seq: step == "finished")
    execution_id = submit_for_step(dying, world)
    assert world.slack.function_execution(execution_id).state == "completed"
    posted = len(world.slack.calls("chat.postMessage"))

    resume(world)
    first, again = world.slack.calls("functions.completeSuccess")
    assert first.ok and again.error == "execution_not_in_running_state"  # Slack's word: done already
    assert len(world.slack.calls("chat.postMessage")) == posted  # the report was all posted: not again
    [stored] = [s for s in (world.store().get(r) for r in _ids(world)) if s]
    assert stored.state is SubmissionState.DONE


def test_a_step_slack_could_not_complete_is_completed_by_the_next_run_without_reposting_or_a_notice(
    world: World,
) -> None:
    """The report is all posted when completing the step fails (Slack away): the rep has their results, so
    nothing tells them something went wrong; the next run only completes the step."""
    world.slack.add_user(REP, name="rep")  # a notice to the rep would reach them by DM
    world.slack.fail_next("functions.completeSuccess", "internal_error")
    service = world.process("only")
    execution_id = submit_for_step(service, world)
    assert world.slack.function_execution(execution_id).state == "running"
    posted = len(world.slack.calls("chat.postMessage"))
    assert not _notices_of_trouble(world.slack)

    world.clock.skipped += RETRY_FAILED_RUN_AFTER_SECONDS + 1
    assert service.resume_abandoned() == 1
    assert world.runner.drain(10)
    assert world.slack.function_execution(execution_id).state == "completed"
    assert len(world.slack.calls("chat.postMessage")) == posted  # the report was not posted again
    assert_each_prospect_once(world, {**dict.fromkeys(IDS[:4], "✅"), IDS[4]: "❌"})
    assert not _notices_of_trouble(world.slack)


def slack_refuses_every_post(world: World) -> None:
    """Slack answers internal_error to every post, in the channel and by DM: each run fails."""
    for method in ("chat.postMessage", "conversations.open"):
        world.slack.fail_next(method, "internal_error", times=100)


def runs_fail_until_left(world: World, service: TaskService, runs_so_far: int) -> None:
    """Take the submission over and fail again until MAX_FAILED_RUNS runs have failed."""
    for _ in range(MAX_FAILED_RUNS - runs_so_far):
        world.clock.skipped += RETRY_FAILED_RUN_AFTER_SECONDS + 1
        assert service.resume_abandoned() == 1
        assert world.runner.drain(10)


def test_a_step_whose_runs_keep_failing_fails_once_when_left_for_an_operator(world: World) -> None:
    slack_refuses_every_post(world)
    service = world.process("only")
    execution_id = submit_for_step(service, world)
    runs_fail_until_left(world, service, runs_so_far=1)
    done = world.slack.function_execution(execution_id)
    assert (done.state, done.error) == ("failed", STEP_FAILURE_WORDS[StepFailure.STOPPED_AFTER_ERRORS])

    world.clock.skipped += RETRY_FAILED_RUN_AFTER_SECONDS + 1
    assert service.resume_abandoned() == 0  # left for an operator: nobody runs it again
    assert world.runner.drain(10)
    assert len(world.slack.calls("functions.completeError")) == 1
    assert world.slack.calls("functions.completeSuccess") == []


def test_a_step_left_for_an_operator_while_slack_is_away_is_told_once_slack_answers(world: World) -> None:
    """The last allowed run could not fail the step (Slack away): it does not count, so a next run, a
    minute later, tries the work and the telling again. Nobody is left waiting on a step never ended."""
    slack_refuses_every_post(world)
    service = world.process("only")
    execution_id = submit_for_step(service, world)
    world.slack.fail_next("functions.completeError", "internal_error")
    runs_fail_until_left(world, service, runs_so_far=1)
    assert world.slack.function_execution(execution_id).state == "running"

    world.clock.skipped += RETRY_FAILED_RUN_AFTER_SECONDS + 1
    assert service.resume_abandoned() == 1
    assert world.runner.drain(10)
    done = world.slack.function_execution(execution_id)
    assert (done.state, done.error) == ("failed", STEP_FAILURE_WORDS[StepFailure.STOPPED_AFTER_ERRORS])
    world.clock.skipped += RETRY_FAILED_RUN_AFTER_SECONDS + 1
    assert service.resume_abandoned() == 0
    refused, told = world.slack.calls("functions.completeError")
    assert refused.error == "internal_error" and told.ok


def test_a_crash_after_telling_a_step_it_was_left_for_an_operator_leaves_nobody_waiting(world: World) -> None:
    """The last allowed run failed the step, then died before counting itself: the run that takes over
    fails too, tells again (Slack: ended already) and counts; then nobody runs it again."""
    slack_refuses_every_post(world)
    last_run = MAX_FAILED_RUNS  # each take-over is a new lease epoch: the fifth run holds the fifth
    dying = world.process("dying", die_at=lambda step, epoch: step == "failure_counted" and epoch == last_run)
    execution_id = submit_for_step(dying, world)
    runs_fail_until_left(world, dying, runs_so_far=1)
    done = world.slack.function_execution(execution_id)
    assert (done.state, done.error) == ("failed", STEP_FAILURE_WORDS[StepFailure.STOPPED_AFTER_ERRORS])

    survivor = world.process("survivor")
    world.clock.skipped += RETRY_FAILED_RUN_AFTER_SECONDS + 1
    assert survivor.resume_abandoned() == 1
    assert world.runner.drain(10)
    told, again = world.slack.calls("functions.completeError")
    assert told.ok and again.error == "execution_not_in_running_state"
    world.clock.skipped += RETRY_FAILED_RUN_AFTER_SECONDS + 1
    assert survivor.resume_abandoned() == 0


def test_a_step_fails_no_sooner_than_its_last_allowed_run(world: World) -> None:
    slack_refuses_every_post(world)
    service = world.process("only")
    execution_id = submit_for_step(service, world)
    runs_fail_until_left(world, service, runs_so_far=2)  # one run short of the limit
    assert world.slack.function_execution(execution_id).state == "running"
    assert world.slack.calls("functions.completeError") == []


@pytest.mark.slow
def test_a_retry_of_a_steps_failures_never_ends_the_step_again_even_when_left_for_an_operator(
    world: World,
) -> None:
    service = world.process("only")
    execution_id = submit_for_step(service, world)
    assert world.slack.function_execution(execution_id).state == "completed"  # 4 created, 1 failed
    [original] = [s for s in (world.store().get(r) for r in _ids(world)) if s]

    slack_refuses_every_post(world)
    started = service.retry(original.id, requested_by=REP, reply_to=lambda r: r)
    assert isinstance(started, RetryStarted)
    assert world.runner.drain(10)
    retry = world.store().get(started.submission_id)
    assert retry is not None and retry.reply_to["function_execution_id"] == execution_id
    runs_fail_until_left(world, service, runs_so_far=1)
    world.clock.skipped += RETRY_FAILED_RUN_AFTER_SECONDS + 1
    assert service.resume_abandoned() == 0  # the retry is left for an operator
    assert len(world.slack.calls("functions.completeSuccess")) == 1  # the first run's, alone
    assert world.slack.calls("functions.completeError") == []


def _ids(world: World) -> list[str]:
    from sqlalchemy import select

    from bot.store.schema import submissions

    with world.engine.connect() as connection:
        return [row[0] for row in connection.execute(select(submissions.c.id))]


def _notices_of_trouble(slack: FakeSlack) -> list[str]:
    """What was posted anywhere (the channel, a DM) saying something went wrong."""
    said = NOTICE_WORDS[ServiceNotice.SOMETHING_WENT_WRONG].split("(")[0]
    return [str(c.params) for c in slack.calls("chat.postMessage") if said in str(c.params)]


def _all_text(slack: FakeSlack) -> str:
    return "\n".join(str(m.get("blocks")) + str(m.get("text")) for m in slack.messages(CHANNEL))


def _wait(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)
