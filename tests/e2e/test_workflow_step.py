"""The Workflow Builder step over HTTP: Slack's `function_executed` event, signed, in; the tasks made through
the same workflow; the results in the given thread or the runner's DMs; the step completed with its
outputs, or failed with a message that says what to fix; a retried delivery acting once."""

from __future__ import annotations

import copy
import datetime
import json
import logging
import sqlite3
import threading
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from bot.slack import ids
from bot.slack.wording import STEP_FAILURE_WORDS, StepFailure
from bot_testing.slack import FunctionExecution
from bot_testing.slack_payloads import function_executed_event
from tests.conftest import SALESHANDY_TEST_KEY
from tests.e2e.conftest import (
    CHANNEL,
    SLACK_BOT_TOKEN,
    RunningApp,
    message_text,
    wait_for_creates,
    wait_until,
)
from tests.helpers.accounts import (
    NO_WORKSPACE_KEY,
    OTHER_REP,
    REP,
    REP_KEY,
    WITH_ENCRYPTION,
    connect,
)
from tests.helpers.faults import (
    database_of,
    store_locked,
    submissions_in,
)
from tests.helpers.logs import Everything
from tests.helpers.slack_app import thread_message_with_retry

pytestmark = pytest.mark.both_databases

STEP = ids.CREATE_TASK_STEP_CALLBACK_ID
MANIFEST = yaml.safe_load((Path(__file__).resolve().parents[2] / "app_manifest.yml").read_text())
GOOD = ("8PvBmrB7P7", "Pr9xQ2Lm7k")
BAD = "INVALIDxQ01"
"""The fake Saleshandy knows every prospect but those whose ID starts with INVALID."""


@pytest.fixture
def app(running_app: RunningApp) -> RunningApp:
    """The running app, its step declared to the fake Slack as the manifest declares it (so outputs are
    checked against the manifest's output parameters, as Slack does)."""
    running_app.slack.add_function(STEP, MANIFEST["functions"][STEP])
    return running_app


@pytest.fixture
def busy_timeout() -> float | None:
    """SQLite's busy timeout in the test's database URL, in seconds: None keeps the default (5 s)."""
    return None


@pytest.fixture
def database_url(database_url: str, busy_timeout: float | None) -> str:
    """The migrated database, with the test's busy timeout, if it sets one (SQLite only)."""
    return database_url if busy_timeout is None else f"{database_url}?timeout={busy_timeout}"


def run_step(app: RunningApp, *, ran_by: str | None = REP, **inputs: Any) -> FunctionExecution:
    """A workflow `ran_by` the rep (unless given) runs the step with `inputs`; Slack's delivery of the
    event is acked at once."""
    response = app.driver.function_executed(STEP, inputs, ran_by=ran_by)
    assert response.status_code == 200
    assert app.driver.last_execution is not None
    return app.driver.last_execution


def ended(app: RunningApp, execution: FunctionExecution) -> FunctionExecution:
    wait_until(lambda: app.slack.function_execution(execution.id).state != "running", what="the step to end")
    app.drain()
    return app.slack.function_execution(execution.id)


def completions(app: RunningApp) -> list[Any]:
    return app.slack.calls("functions.completeSuccess") + app.slack.calls("functions.completeError")


def test_good_and_failing_prospects_complete_the_step_with_counts_ids_and_results_in_the_thread(
    app: RunningApp,
) -> None:
    app.saleshandy.add_prospect("Em4il0Jane", email="jane@acme.com", first_name="Jane", last_name="Doe")
    message = app.slack.add_message(CHANNEL, "New leads from the webinar")
    prospects = "\n".join([*GOOD, BAD, "jane@acme.com", "nobody@acme.com"])
    execution = run_step(
        app,
        prospects=prospects,
        task_type="follow-up",
        due_date="tomorrow",
        priority="high",
        note="From the webinar",
        report_channel=CHANNEL,
        report_message_ts=message["ts"],
    )
    done = ended(app, execution)

    tasks = {t.prospect_id: t.task_id for t in app.saleshandy.tasks}
    assert set(tasks) == {*GOOD, "Em4il0Jane"}
    assert done.state == "completed"
    assert done.outputs == {
        "created_count": 3,
        "failed_count": 2,  # the unknown ID, and the email nobody has
        "unknown_count": 0,
        "task_ids": "\n".join(tasks[pid] for pid in (*GOOD, "Em4il0Jane")),
    }
    (create,) = app.saleshandy.create_requests
    assert create.body["taskType"] == "13" and create.body["priority"] == "2"
    tomorrow_for_the_runner = app.today_for("America/Los_Angeles") + datetime.timedelta(days=1)
    assert create.body["dueDate"] == tomorrow_for_the_runner.isoformat()
    replies = [m for m in app.slack.messages(CHANNEL) if m.get("thread_ts") == message["ts"]]
    assert len(replies) == 1
    shown = message_text(replies[0])
    assert "3 created · 2 failed" in shown
    assert all(pid in shown for pid in (*GOOD, BAD)) and "nobody@acme.com" in shown
    (completed,) = completions(app)
    assert completed.method == "functions.completeSuccess"
    assert completed.token == SLACK_BOT_TOKEN  # the workspace's bot token; the event's token is never kept


def test_a_channel_without_a_message_gets_a_parent_message_and_the_results_in_its_thread(
    app: RunningApp,
) -> None:
    execution = run_step(app, prospects=GOOD[0], task_type="call", report_channel=CHANNEL)
    assert ended(app, execution).state == "completed"
    parent, reply = app.slack.messages(CHANNEL)
    assert "<@U123> asked for a *Call · other* task" in message_text(parent)
    assert reply["thread_ts"] == parent["ts"]


def test_with_no_channel_the_results_go_to_the_runner_by_dm(app: RunningApp) -> None:
    execution = run_step(app, prospects=f"{GOOD[0]}\n{GOOD[1]}", task_type="demo")
    done = ended(app, execution)
    assert done.state == "completed" and done.outputs["created_count"] == 2
    (opened,) = app.slack.calls("conversations.open")
    assert opened.params["users"] == REP
    (posted,) = app.slack.calls("chat.postMessage")
    assert posted.params["channel"] == opened.response_json["channel"]["id"]
    assert "2 created" in message_text(posted.params)
    assert app.slack.messages(CHANNEL) == []


def test_a_channel_that_refuses_the_bot_sends_the_results_by_dm_and_the_step_still_completes(
    app: RunningApp,
) -> None:
    app.slack.set_bot_not_in("C0PRIVATE")
    done = ended(app, run_step(app, prospects=GOOD[0], task_type="call", report_channel="C0PRIVATE"))
    assert done.state == "completed" and done.outputs["created_count"] == 1
    (opened,) = app.slack.calls("conversations.open")
    dm = opened.response_json["channel"]["id"]
    assert any("1 created" in message_text(m) for m in app.slack.messages(dm))


def test_unreadable_inputs_fail_the_step_naming_each_input_and_nothing_is_sent(app: RunningApp) -> None:
    execution = run_step(
        app,
        prospects=f"{GOOD[0]}\nbob@acme",
        task_type="carrier pigeon",
        due_date="2020-01-01",
        report_channel=CHANNEL,
    )
    done = ended(app, execution)
    assert done.state == "failed"
    assert done.error is not None
    assert done.error.startswith("The step's inputs could not be read.")
    assert "Prospects: Not a prospect ID, Saleshandy link or email: “bob@acme”" in done.error
    assert "Task type: “carrier pigeon” is not a task type I know." in done.error
    assert "Due date: " in done.error and "is in the past" in done.error
    assert app.saleshandy.requests == [] and app.slack.calls("chat.postMessage") == []


def test_a_message_passed_whole_gives_its_prospect_links(app: RunningApp) -> None:
    text = f"New lead: <https://my.saleshandy.com/prospects/{GOOD[0]}|Jane Doe> from the webinar, call her"
    done = ended(app, run_step(app, prospects=text, task_type="call", due_date="tomorrow"))
    assert done.state == "completed" and done.outputs["created_count"] == 1
    assert [t.prospect_id for t in app.saleshandy.tasks] == [GOOD[0]]


def test_the_readmes_inbound_message_with_a_greeting_and_a_sign_off_works(app: RunningApp) -> None:
    text = f"Hi team,\n<https://my.saleshandy.com/prospects/{GOOD[0]}|Jane Doe>\nThanks!"
    done = ended(app, run_step(app, prospects=text, task_type="call", due_date="tomorrow"))
    assert done.state == "completed" and done.outputs["created_count"] == 1


def test_when_no_task_is_created_the_step_fails_and_the_results_still_say_why(app: RunningApp) -> None:
    message = app.slack.add_message(CHANNEL, "two bad ones")
    execution = run_step(
        app,
        prospects=f"{BAD}\nINVALIDxQ02",
        task_type="call",
        report_channel=CHANNEL,
        report_message_ts=message["ts"],
    )
    done = ended(app, execution)
    assert done.state == "failed"
    assert done.error == "No Saleshandy task was created (2 failed). The results say why for each prospect."
    (reply,) = [m for m in app.slack.messages(CHANNEL) if m.get("thread_ts") == message["ts"]]
    assert "2 failed" in message_text(reply)


def test_retrying_the_failures_from_the_thread_reports_there_and_completes_nothing_again(
    app: RunningApp,
) -> None:
    message = app.slack.add_message(CHANNEL, "leads")
    app.saleshandy.fail_next(503, "Service Unavailable")
    execution = run_step(
        app, prospects=GOOD[0], task_type="call", report_channel=CHANNEL, report_message_ts=message["ts"]
    )
    done = ended(app, execution)
    assert (done.state, done.error) == (
        "failed",
        "No Saleshandy task was created (1 unknown: they may exist, check Saleshandy before running it "
        "again). The results say why for each prospect.",
    )
    app.driver.press_button(thread_message_with_retry(app, message["ts"]), ids.RETRY_FAILED_ACTION_ID)
    wait_for_creates(app.saleshandy, 2)
    app.drain()
    replies = [m for m in app.slack.messages(CHANNEL) if m.get("thread_ts") == message["ts"]]
    assert "Retry: 1 created" in message_text(replies[-1])
    assert len(completions(app)) == 1  # the step ended with its own run; a retry is the rep's, later


def test_a_retried_delivery_makes_one_submission_and_one_completion(app: RunningApp) -> None:
    execution = run_step(app, prospects=GOOD[0], task_type="call", report_channel=CHANNEL)
    again = app.driver.redeliver_last_event(retry_num=1, reason="http_timeout")
    assert again.status_code == 200
    third = app.driver.redeliver_last_event(retry_num=2, reason="http_timeout")
    assert third.status_code == 200
    done = ended(app, execution)
    assert done.state == "completed"
    wait_for_creates(app.saleshandy, 1)
    app.drain()
    assert len(app.saleshandy.create_requests) == 1
    assert len(completions(app)) == 1
    assert len(app.slack.messages(CHANNEL)) == 2  # one parent, one reply


def test_a_delivery_replayed_later_is_refused_by_the_signature_check_and_acts_no_second_time(
    app: RunningApp,
) -> None:
    execution = run_step(app, prospects=GOOD[0], task_type="call")
    assert ended(app, execution).state == "completed"
    replayed = app.driver.send_stale(json.dumps(app.driver.last_payload).encode())
    assert replayed.status_code == 401  # Bolt refuses a timestamp over 5 minutes old
    app.drain()
    assert len(app.saleshandy.create_requests) == 1 and len(completions(app)) == 1


def test_a_retried_delivery_of_unreadable_inputs_fails_the_step_once(app: RunningApp) -> None:
    execution = run_step(app, prospects=" \n ", task_type="call")  # a variable that came out blank
    assert app.driver.redeliver_last_event(retry_num=1, reason="http_timeout").status_code == 200
    assert ended(app, execution).state == "failed"
    app.drain()
    failed, copy = completions(app)
    assert failed.ok and failed.token == SLACK_BOT_TOKEN
    assert copy.error == "execution_not_in_running_state"  # Slack's word to the copy: it ended already


@pytest.mark.parametrize("running_app", [WITH_ENCRYPTION], indirect=True)
def test_the_step_acts_with_the_runners_own_key_else_the_workspaces(app: RunningApp) -> None:
    app.saleshandy.add_key(REP_KEY)
    assert connect(app, REP_KEY).status_code == 200
    app.drain()
    app.slack.add_user(OTHER_REP, name="bob", tz="Europe/Berlin")
    mine = ended(app, run_step(app, prospects=GOOD[0], task_type="call"))
    theirs = ended(app, run_step(app, prospects=GOOD[1], task_type="call", ran_by=OTHER_REP))
    assert (mine.state, theirs.state) == ("completed", "completed")
    made_with = {
        task.prospect_id: key
        for key in (REP_KEY, SALESHANDY_TEST_KEY)
        for task in app.saleshandy.tasks_made_with(key)
    }
    assert made_with == {GOOD[0]: REP_KEY, GOOD[1]: SALESHANDY_TEST_KEY}


@pytest.mark.parametrize("running_app", [WITH_ENCRYPTION], indirect=True)
def test_a_workflow_run_by_a_colleague_never_acts_with_the_reps_own_key_nor_dms_the_rep(
    app: RunningApp,
) -> None:
    """Whose key acts is the user_context Slack fills from who ran the workflow; no builder can set it."""
    app.saleshandy.add_key(REP_KEY)
    assert connect(app, REP_KEY).status_code == 200
    app.drain()
    app.slack.add_user(OTHER_REP, name="bob", tz="Europe/Berlin")
    with pytest.raises(ValueError, match="no builder set the user_context input 'runner'"):
        app.driver.function_executed(STEP, {"prospects": GOOD[0], "task_type": "call", "runner": REP})
    execution = run_step(app, prospects=GOOD[0], task_type="call", ran_by=OTHER_REP)
    runner = execution.inputs["runner"]
    assert set(runner) == {"id", "secret"} and runner["id"] == OTHER_REP  # as Slack delivers a user_context
    assert ended(app, execution).state == "completed"
    assert app.saleshandy.tasks_made_with(REP_KEY) == []
    assert [t.prospect_id for t in app.saleshandy.tasks_made_with(SALESHANDY_TEST_KEY)] == [GOOD[0]]
    (opened,) = app.slack.calls("conversations.open")
    assert opened.params["users"] == OTHER_REP


@pytest.mark.parametrize("running_app", [WITH_ENCRYPTION], indirect=True)
def test_a_runner_given_as_a_plain_user_id_acts_for_nobody(app: RunningApp) -> None:
    """An out-of-date manifest declaring the runner as a user ID, which a builder can set to anyone: the
    step refuses to act rather than use that person's key."""
    app.saleshandy.add_key(REP_KEY)
    assert connect(app, REP_KEY).status_code == 200
    app.drain()
    settable = copy.deepcopy(MANIFEST["functions"][STEP])
    settable["input_parameters"]["runner"]["type"] = "slack#/types/user_id"
    app.slack.add_function(STEP, settable)
    done = ended(app, run_step(app, prospects=GOOD[0], task_type="call", runner=REP, ran_by=OTHER_REP))
    assert (done.state, done.error) == ("failed", STEP_FAILURE_WORDS[StepFailure.NO_RUNNER])
    assert app.saleshandy.create_requests == [] and app.slack.calls("conversations.open") == []


def test_a_workflow_nobody_ran_cannot_run_the_step(app: RunningApp) -> None:
    """A scheduled trigger with no step a person acts on: Slack has nobody for the user_context."""
    with pytest.raises(ValueError, match="required input 'runner'"):
        app.driver.function_executed(STEP, {"prospects": GOOD[0], "task_type": "call"}, ran_by=None)


@pytest.mark.parametrize("running_app", [NO_WORKSPACE_KEY], indirect=True)
def test_with_nobodys_key_the_step_fails_saying_how_to_connect(app: RunningApp) -> None:
    done = ended(app, run_step(app, prospects=GOOD[0], task_type="call"))
    assert (done.state, done.error) == ("failed", STEP_FAILURE_WORDS[StepFailure.NO_KEY])
    assert app.saleshandy.requests == []


@pytest.mark.parametrize("database_kind", ["sqlite"])  # it reads the SQLite file's bytes
@pytest.mark.usefixtures("every_log")  # every logger at DEBUG, every record kept
def test_the_steps_own_token_and_the_runners_secret_are_neither_logged_nor_kept(app: RunningApp) -> None:
    unreadable = run_step(app, prospects="nothing here", task_type="call")
    good = run_step(app, prospects=GOOD[0], task_type="call", report_channel=CHANNEL)
    assert (ended(app, unreadable).state, ended(app, good).state) == ("failed", "completed")
    tokens = [unreadable.bot_access_token, good.bot_access_token]
    tokens += [unreadable.inputs["runner"]["secret"], good.inputs["runner"]["secret"]]  # Slack's, not ours
    [records] = [h for h in logging.getLogger().handlers if isinstance(h, Everything)]
    logged = [text for _, text in records.texts()]
    assert logged and not [text for text in logged if any(token in text for token in tokens)]
    path = Path(app.settings.database_url.removeprefix("sqlite:///"))
    with closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA wal_checkpoint(FULL)")
    raw = b"".join(p.read_bytes() for p in path.parent.iterdir() if p.name.startswith(path.name))
    assert good.id.encode() in raw and REP.encode() in raw  # the execution and runner are kept, not those
    assert not [token for token in tokens if token.encode() in raw]


# ---- acked only once recorded: Slack delivers the event again until it gets a 200 -----------------------


@pytest.mark.slow
@pytest.mark.parametrize("database_kind", ["sqlite"])  # it holds the SQLite file's lock
def test_the_event_is_answered_only_once_its_submission_is_recorded(app: RunningApp) -> None:
    """Until the 200, Slack would deliver the event again: a process that died before recording it (or
    while the database kept it waiting) loses nothing. Answered, it is in the database."""
    database = database_of(app)
    answers: list[int] = []
    with store_locked(database):  # the insert waits for the lock (SQLite's 5 s busy timeout)
        inputs = {"prospects": GOOD[0], "task_type": "call"}
        delivery = threading.Thread(
            target=lambda: answers.append(app.driver.function_executed(STEP, inputs, ran_by=REP).status_code)
        )
        delivery.start()
        delivery.join(0.5)
        # Not answered while it cannot be recorded: the lock is held, so no write of the app's can land
        # (reading the count here could itself wait on the lock under load).
        assert answers == []
    delivery.join(5)  # Bolt itself answers within its 3 s
    assert answers == [200]
    assert submissions_in(database) == 1  # recorded before the answer, not after
    execution = app.driver.last_execution
    assert execution is not None and ended(app, execution).state == "completed"


def step_app(store_app: RunningApp) -> RunningApp:
    store_app.slack.add_function(STEP, MANIFEST["functions"][STEP])
    return store_app


def test_with_the_database_away_the_step_fails_at_once_saying_so_and_nothing_is_recorded(
    store_app: RunningApp,
) -> None:
    app = step_app(store_app)
    database = database_of(app)
    with store_locked(database):
        execution = run_step(app, prospects=GOOD[0], task_type="call", report_channel=CHANNEL)
        done = ended(app, execution)
    assert (done.state, done.error) == ("failed", STEP_FAILURE_WORDS[StepFailure.DATABASE_AWAY])
    app.drain()
    assert submissions_in(database) == 0
    assert app.saleshandy.requests == [] and app.slack.calls("chat.postMessage") == []


def test_with_the_database_and_slack_away_the_event_is_not_acked_and_slacks_retry_does_the_step(
    store_app: RunningApp,
) -> None:
    app = step_app(store_app)
    app.slack.fail_next("functions.completeError", "internal_error")  # nor could the step be failed
    with store_locked(database_of(app)):
        response = app.driver.function_executed(STEP, {"prospects": GOOD[0], "task_type": "call"}, ran_by=REP)
    assert response.status_code != 200
    execution = app.driver.last_execution
    assert execution is not None and app.slack.function_execution(execution.id).state == "running"

    retried = app.driver.redeliver_last_event(retry_num=1, reason="http_error")  # both are back
    assert retried.status_code == 200
    done = ended(app, execution)
    assert done.state == "completed" and done.outputs["created_count"] == 1
    assert len(app.saleshandy.create_requests) == 1


LEFT_FOR_THE_RETRY = "left for Slack's next delivery"
PAST_BOLTS_ANSWER = 3.5
"""SQLite's busy timeout (seconds) for the deliveries held locked: the listener gives up on the database
past the 2.5 s answer window, and half a second past the 3 s after which Bolt answers for it (an ack
before that would still be Slack's 200). The default, 5 s, only makes the test wait longer."""
LOCKED_LONG = 15.0
"""Long enough for a delivery to wait out that busy timeout twice (the runner's zone, then the
submission), far past Bolt's 3 s."""


def deliver_while_locked(
    app: RunningApp, send: Callable[[], httpx.Response], until: Callable[[], object]
) -> int | None:
    """`send` one delivery while the database is locked, until the listener is done with it: Bolt answers
    for the listener after 3 s, not 200, or Slack's 3 s pass first (None: no answer in time)."""
    answers: list[int | None] = []

    def deliver() -> None:
        try:
            answers.append(send().status_code)
        except httpx.TimeoutException:
            answers.append(None)

    with store_locked(database_of(app)):
        delivery = threading.Thread(target=deliver)
        delivery.start()
        wait_until(until, timeout=LOCKED_LONG, what="the listener to give up on the database")
    delivery.join(5)
    (answer,) = answers
    return answer


@pytest.mark.slow
# It holds the SQLite file's lock.
@pytest.mark.parametrize(("database_kind", "busy_timeout"), [("sqlite", PAST_BOLTS_ANSWER)], ids=["sqlite"])
def test_the_database_away_past_the_answer_leaves_the_step_to_slacks_retry_which_does_it(
    app: RunningApp, caplog: pytest.LogCaptureFixture
) -> None:
    """Answered late, the event comes again: failing the step now ("nothing was sent") would be false
    once the retry, the database back, makes the tasks."""
    caplog.set_level(logging.WARNING, logger="bot.slack.listeners.functions")
    inputs = {"prospects": GOOD[0], "task_type": "call", "report_channel": CHANNEL}
    answer = deliver_while_locked(
        app,
        lambda: app.driver.function_executed(STEP, inputs, ran_by=REP),
        until=lambda: LEFT_FOR_THE_RETRY in caplog.text or completions(app),
    )
    assert answer != 200
    execution = app.driver.last_execution
    assert execution is not None
    assert completions(app) == [] and app.slack.function_execution(execution.id).state == "running"

    assert app.driver.redeliver_last_event(retry_num=1, reason="http_timeout").status_code == 200
    done = ended(app, execution)
    assert done.state == "completed" and done.outputs["created_count"] == 1
    assert len(completions(app)) == 1


@pytest.mark.slow
# It holds the SQLite file's lock.
@pytest.mark.parametrize(("database_kind", "busy_timeout"), [("sqlite", PAST_BOLTS_ANSWER)], ids=["sqlite"])
def test_the_database_away_on_slacks_last_delivery_fails_the_step_however_late(app: RunningApp) -> None:
    execution = app.slack.start_function(STEP, {"prospects": GOOD[0], "task_type": "call"}, ran_by=REP)
    envelope = app.driver.event_envelope(function_executed_event(app.slack, execution))
    answer = deliver_while_locked(
        app,
        lambda: app.driver.deliver_event(envelope, retry_num=3),  # Slack's last try
        until=lambda: completions(app),
    )
    assert answer != 200
    done = app.slack.function_execution(execution.id)
    assert (done.state, done.error) == ("failed", STEP_FAILURE_WORDS[StepFailure.DATABASE_AWAY])
    app.drain()
    assert submissions_in(database_of(app)) == 0 and app.saleshandy.requests == []


def test_a_step_that_could_not_be_failed_is_failed_by_slacks_retry(app: RunningApp) -> None:
    """Slack away when the inputs turn out unreadable: no 200, so the event comes back, and fails the
    step then (nothing marks it handled before Slack has heard)."""
    app.slack.fail_next("functions.completeError", "internal_error")
    inputs = {"prospects": "nothing", "task_type": "call"}
    response = app.driver.function_executed(STEP, inputs, ran_by=REP)
    assert response.status_code != 200
    execution = app.driver.last_execution
    assert execution is not None and app.slack.function_execution(execution.id).state == "running"

    assert app.driver.redeliver_last_event(retry_num=1, reason="http_error").status_code == 200
    done = ended(app, execution)
    assert done.state == "failed" and done.error is not None
    assert done.error.startswith("The step's inputs could not be read.")
