"""Saleshandy (and the submissions store) failing in every way the issue lists: the rep is told in plain words
in the thread, every prospect ends exactly once as created, failed or unknown, nothing is created twice, and
the app serves the next command as if nothing happened."""

from __future__ import annotations

import collections
import contextlib
import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.slack import ids
from bot.slack.app import build_app
from bot.slack.server import build_wsgi_app
from bot.slack.wsgi_server import serve_wsgi
from bot_testing.saleshandy import FakeSaleshandy, Fault
from bot_testing.slack import FakeSlack, RecordedCall
from bot_testing.slack_driver import SlackDriver, fill_view
from tests.e2e.conftest import (
    CHANNEL,
    SLACK_SIGNING_SECRET,
    RunningApp,
    assert_everything_posted_is_valid_block_kit,
    e2e_settings,
    message_text,
    opened_view,
    wait_until,
)

pytestmark = pytest.mark.both_databases  # the whole path, on SQLite and on PostgreSQL

PROSPECTS = ("INVALIDaa1", "8PvBmrB7P7", "Pr9xQ2Lm")
"""An unknown prospect first, so "failed" can be told from "created" even when Saleshandy answers well."""
COMMAND = "call " + " ".join(PROSPECTS)
NEXT_PROSPECTS = ("Xy34Zw56Qa", "Qr78St90Kb")
"""The command after the fault: other prospects, so no task may ever exist twice in a test."""

MARKS = {"✅": "created", "❌": "failed", "❔": "unknown"}
_LINE = re.compile(r"^([✅❌❔]) \*(\w+)\*", re.MULTILINE)


# ---- checks shared by the fault tests (also imported by test_faults_slack.py) --------------------------


def shown(calls: list[RecordedCall]) -> str:
    return "\n".join(message_text(c.params) for c in calls)


def outcome_lines(calls: list[RecordedCall]) -> list[tuple[str, str]]:
    """(prospect id, created|failed|unknown) for every result line in `calls`' blocks, repeats kept."""
    text = "\n".join(message_text({"blocks": c.params.get("blocks", [])}) for c in calls)
    return [(pid, MARKS[mark]) for mark, pid in _LINE.findall(text)]


def assert_each_prospect_once(
    calls: list[RecordedCall], saleshandy: FakeSaleshandy, expected: dict[str, str]
) -> None:
    """Every prospect shows exactly once, with the expected state, and the state is true: a prospect
    shown created has the task shown, one shown failed has no task at all."""
    lines = outcome_lines(calls)
    assert [pid for pid, _ in lines] == list(expected), lines
    assert dict(lines) == expected
    tasks = {t.prospect_id: t.task_id for t in saleshandy.tasks}
    text = shown(calls)
    for pid, state in expected.items():
        if state == "created":
            assert f"*{pid}* — task {tasks[pid]}" in text
        elif state == "failed":
            assert pid not in tasks, f"{pid} is shown failed but its task exists"


def assert_no_task_twice(saleshandy: FakeSaleshandy) -> None:
    counts = collections.Counter(t.prospect_id for t in saleshandy.tasks)
    assert all(n == 1 for n in counts.values()), counts


def thread_replies(slack: FakeSlack) -> list[RecordedCall]:
    return [c for c in slack.calls("chat.postMessage") if c.ok and "thread_ts" in c.params]


def assert_next_command_works(app: RunningApp, prospects: tuple[str, ...] = NEXT_PROSPECTS) -> None:
    """A normal command after the fault: its tasks are created and its results reach the thread."""
    slack, saleshandy = app.slack, app.saleshandy
    replies_before = len(thread_replies(slack))
    creates_before = len(saleshandy.create_requests)
    assert app.driver.slash_command("call " + " ".join(prospects)).status_code == 200
    wait_until(lambda: len(thread_replies(slack)) > replies_before, what="the next command's results")
    reply = thread_replies(slack)[replies_before]
    assert f"{len(prospects)} created" in reply.params["text"]
    assert_each_prospect_once([reply], saleshandy, dict.fromkeys(prospects, "created"))
    sent = [pid for r in saleshandy.create_requests[creates_before:] for pid in r.body["prospectIds"]]
    assert sent == list(prospects)
    assert_no_task_twice(saleshandy)


# ---- Saleshandy's answers and failures ----------------------------------------------------------------


F, C, U = "failed", "created", "unknown"
Script = Callable[[FakeSaleshandy], None]
FAULTS: dict[str, tuple[Script, str, tuple[str, str, str], int]] = {
    # name: (script the fake, words the rep reads, state of each of PROSPECTS, create requests sent)
    "400 with a message": (
        lambda sh: sh.fail_next(400, ["taskNote must be shorter than or equal to 2000 characters"]),
        "Saleshandy refused the request: taskNote must be shorter than or equal to 2000 characters",
        (F, F, F), 1,
    ),
    "401": (lambda sh: sh.fail_next(401), "The Saleshandy API key was rejected", (F, F, F), 1),
    "403": (
        lambda sh: sh.fail_next(403),
        "Saleshandy did not allow this API key's user to create these tasks", (F, F, F), 1,
    ),
    "404": (lambda sh: sh.fail_next(404), "Saleshandy answered 'not found'", (F, F, F), 1),
    "422": (
        lambda sh: sh.fail_next(422, "dueDate must not be in the past"),
        "Saleshandy refused the request: dueDate must not be in the past", (F, F, F), 1,
    ),
    "429 until the retries run out": (
        lambda sh: sh.rate_limit_next("0", times=4),
        "Saleshandy's rate limit was reached, so nothing was created", (F, F, F), 4,
    ),
    "500": (lambda sh: sh.fail_next(500), "Saleshandy had an internal error; the task may have been created",
            (U, U, U), 1),
    "502": (lambda sh: sh.fail_next(502), "Saleshandy had an internal error; the task may have been created",
            (U, U, U), 1),
    "503": (lambda sh: sh.fail_next(503), "Saleshandy had an internal error; the task may have been created",
            (U, U, U), 1),
    "a timeout after sending": (
        lambda sh: sh.stall_next(3.0), "Saleshandy did not answer in time; the task may have been created",
        (U, U, U), 1,
    ),
    "a connection reset": (
        lambda sh: sh.drop_next_connection(),
        "The connection to Saleshandy broke before it answered; the task may have been created", (U, U, U), 1,
    ),
    "a non-JSON body": (
        lambda sh: sh.answer_next_raw("<html><body>Bad gateway</body></html>", status=200),
        "Saleshandy's answer could not be read; the task may have been created", (U, U, U), 1,
    ),
    "a 200 without results": (
        lambda sh: sh.answer_next_with_shape("missing_results"),
        "Saleshandy's answer could not be read; the task may have been created", (U, U, U), 1,
    ),
    "a 200 with partial results": (
        lambda sh: sh.answer_next_with_shape("partial_results"),
        "Saleshandy did not report on this prospect; the task may have been created", (F, C, U), 1,
    ),
}


@pytest.mark.parametrize("running_app", [{"saleshandy_timeout_seconds": 0.5}], indirect=True)
@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_saleshandy_fault_is_told_plainly_each_prospect_once_nothing_twice_and_the_app_goes_on(
    running_app: RunningApp, fault: str
) -> None:
    slack, saleshandy = running_app.slack, running_app.saleshandy
    script, words, states, requests = FAULTS[fault]
    script(saleshandy)

    assert running_app.driver.slash_command(COMMAND).status_code == 200

    parent, reply = slack.wait_for("chat.postMessage", count=2)
    assert reply.ok and reply.params["thread_ts"] == parent.response_json["ts"]
    assert words in message_text(reply.params)
    assert_each_prospect_once([reply], saleshandy, dict(zip(PROSPECTS, states, strict=True)))
    assert len(saleshandy.create_requests) == requests  # nothing sent again but rate limits
    if requests > 1:
        assert all(r.body == saleshandy.create_requests[0].body for r in saleshandy.create_requests)
    if U in states or F in states:
        assert ids.RETRY_FAILED_ACTION_ID in str(reply.params["blocks"])  # the rep can act on it
    assert_no_task_twice(saleshandy)

    assert_next_command_works(running_app)


@pytest.mark.parametrize("running_app", [{"saleshandy_chunk_size": 1}], indirect=True)
def test_a_rejected_key_stops_the_batch_and_every_unsent_prospect_is_still_reported(
    running_app: RunningApp,
) -> None:
    """Three requests would meet the same 401: only the first is sent; all three prospects are failed."""
    slack, saleshandy = running_app.slack, running_app.saleshandy
    saleshandy.fail_next(401)
    running_app.driver.slash_command(COMMAND)

    _, reply = slack.wait_for("chat.postMessage", count=2)
    assert len(saleshandy.create_requests) == 1
    assert "API key was rejected" in reply.params["text"]
    assert_each_prospect_once([reply], saleshandy, dict.fromkeys(PROSPECTS, F))
    assert_next_command_works(running_app)


@pytest.mark.parametrize("running_app", [{"saleshandy_chunk_size": 1}], indirect=True)
def test_a_fault_in_the_middle_of_a_batch_leaves_the_other_chunks_as_saleshandy_answered(
    running_app: RunningApp,
) -> None:
    slack, saleshandy = running_app.slack, running_app.saleshandy
    saleshandy.inject(Fault("drop"), after=1)  # the second chunk's answer is lost: its task exists
    running_app.driver.slash_command(COMMAND)

    _, reply = slack.wait_for("chat.postMessage", count=2)
    assert [r.body["prospectIds"] for r in saleshandy.create_requests] == [[p] for p in PROSPECTS]
    assert "connection to Saleshandy broke" in reply.params["text"]
    assert_each_prospect_once([reply], saleshandy, dict(zip(PROSPECTS, (F, U, C), strict=True)))
    assert [t.prospect_id for t in saleshandy.tasks] == ["8PvBmrB7P7", "Pr9xQ2Lm"]
    assert_next_command_works(running_app)


def test_the_form_meets_a_saleshandy_fault_the_same_way(running_app: RunningApp) -> None:
    slack, saleshandy, driver = running_app.slack, running_app.saleshandy, running_app.driver
    saleshandy.fail_next(503)
    driver.slash_command("")
    view = opened_view(slack)
    values = fill_view(view, {ids.TASK_TYPE_ACTION_ID: "13", ids.PROSPECTS_ACTION_ID: "\n".join(PROSPECTS)})
    assert driver.view_submission(view, values).text == ""

    _, reply = slack.wait_for("chat.postMessage", count=2)
    assert "internal error" in reply.params["text"]
    assert_each_prospect_once([reply], saleshandy, dict.fromkeys(PROSPECTS, U))
    assert_next_command_works(running_app)


# ---- the submissions store, unavailable for a moment ----------------------------------------------------


@contextlib.contextmanager
def store_locked(database: Path) -> Iterator[None]:
    """Another process holds SQLite's exclusive lock: every write of the app's waits its busy timeout
    (0.2 s here), then fails with "database is locked", as when the database is briefly unavailable."""
    holder = sqlite3.connect(database, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        yield
        holder.execute("ROLLBACK")
    finally:
        holder.close()


def database_of(app: RunningApp) -> Path:
    url = app.settings.database_url
    return Path(url.removeprefix("sqlite:///").split("?")[0])



def submissions_in(database: Path) -> int:
    with contextlib.closing(sqlite3.connect(database)) as reader:
        return int(reader.execute("SELECT count(*) FROM submissions").fetchone()[0])


@pytest.fixture
def store_app(fake_slack: FakeSlack, fake_saleshandy: FakeSaleshandy, tmp_path: Path) -> Iterator[RunningApp]:
    """The running app, its SQLite store waiting at most 0.2 s for a lock (the default is 5 s)."""
    database = tmp_path / "app.sqlite3"
    settings = e2e_settings(
        fake_slack, fake_saleshandy, database, database_url=f"sqlite:///{database}?timeout=0.2"
    )
    app = build_wsgi_app(build_app(settings))
    server, url = serve_wsgi(app)
    driver = SlackDriver(url, SLACK_SIGNING_SECRET, fake_slack)
    try:
        yield RunningApp(url, fake_slack, fake_saleshandy, driver, settings, app)
    finally:
        driver.close()
        server.stop()
        app.close()
    assert_everything_posted_is_valid_block_kit(fake_slack)


STORE_DOWN = "nothing was created"


def test_a_command_while_the_store_is_unavailable_is_refused_plainly_and_works_once_it_is_back(
    store_app: RunningApp,
) -> None:
    slack, saleshandy, driver = store_app.slack, store_app.saleshandy, store_app.driver
    database = database_of(store_app)
    with store_locked(database):
        assert driver.slash_command(COMMAND).status_code == 200
        (told,) = slack.wait_for("response_url")
    assert told.params["response_type"] == "ephemeral" and told.channel == CHANNEL and told.user == "U123"
    assert STORE_DOWN in message_text(told.params) and "try again" in message_text(told.params)
    store_app.drain()
    assert saleshandy.requests == [] and slack.calls("chat.postMessage") == []
    assert submissions_in(database) == 0

    assert_next_command_works(store_app, PROSPECTS[1:])  # the same prospects, once the store is back
    assert submissions_in(database) == 1


def test_a_form_submitted_while_the_store_is_unavailable_tells_the_rep_and_works_once_it_is_back(
    store_app: RunningApp,
) -> None:
    """The modal closes at the ack, before the store is asked: the rep hears by the command's response_url."""
    slack, saleshandy, driver = store_app.slack, store_app.saleshandy, store_app.driver
    driver.slash_command("")
    view = opened_view(slack)
    values = fill_view(view, {ids.TASK_TYPE_ACTION_ID: "13", ids.PROSPECTS_ACTION_ID: "8PvBmrB7P7"})
    with store_locked(database_of(store_app)):
        assert driver.view_submission(view, values).text == ""
        (told,) = slack.wait_for("response_url")
    assert told.params["response_type"] == "ephemeral" and told.user == "U123"
    assert STORE_DOWN in message_text(told.params)
    store_app.drain()
    assert saleshandy.requests == [] and slack.calls("chat.postMessage") == []

    # Submitting the same form again once the store is back is not a double submit: nothing was recorded.
    assert driver.view_submission(view, values).text == ""
    _, reply = slack.wait_for("chat.postMessage", count=2)
    assert_each_prospect_once([reply], saleshandy, {"8PvBmrB7P7": C})
    assert_next_command_works(store_app)


def test_the_store_going_away_mid_submission_holds_the_work_until_it_is_back_then_reports_each_once(
    store_app: RunningApp,
) -> None:
    """The submission is recorded, then the store is locked while the parent is posted: no request goes to
    Saleshandy while its progress cannot be written down (a crash then could not be told apart from a
    success); once the store is back, the work goes on, and every prospect is reported once."""
    slack, saleshandy, driver = store_app.slack, store_app.saleshandy, store_app.driver
    database = database_of(store_app)
    slack.set_latency(0.4, "chat.postMessage")  # the parent is on its way when the store goes
    driver.slash_command(COMMAND)
    wait_until(lambda: submissions_in(database) == 1, what="the submission to be recorded")
    with store_locked(database):
        slack.wait_for("chat.postMessage")
        time.sleep(1.0)
        assert saleshandy.create_requests == []
    slack.set_latency(0, "chat.postMessage")
    parent, reply = slack.wait_for("chat.postMessage", count=2)

    assert reply.params["thread_ts"] == parent.response_json["ts"]
    assert_each_prospect_once([reply], saleshandy, dict(zip(PROSPECTS, (F, C, C), strict=True)))
    assert ids.RETRY_FAILED_ACTION_ID in str(reply.params["blocks"])  # the outcomes were saved
    assert len(saleshandy.create_requests) == 1
    assert_next_command_works(store_app)


def test_a_retry_pressed_while_the_store_is_unavailable_is_refused_plainly_and_works_once_it_is_back(
    store_app: RunningApp,
) -> None:
    slack, saleshandy, driver = store_app.slack, store_app.saleshandy, store_app.driver
    saleshandy.fail_next(503)
    driver.slash_command("call 8PvBmrB7P7")
    _, reply = slack.wait_for("chat.postMessage", count=2)
    message = next(m for m in slack.messages(CHANNEL) if m["ts"] == reply.response_json["ts"])

    with store_locked(database_of(store_app)):
        started = time.perf_counter()
        assert driver.press_button(message, ids.RETRY_FAILED_ACTION_ID).status_code == 200
        assert time.perf_counter() - started < 1.5  # acked at once, not after Bolt's 3 s
        (told,) = slack.wait_for("response_url")
    assert told.params["response_type"] == "ephemeral" and told.params.get("replace_original") is False
    assert "nothing was created" in message_text(told.params) and "try again" in message_text(told.params)
    assert len(saleshandy.create_requests) == 1

    driver.press_button(message, ids.RETRY_FAILED_ACTION_ID)  # the store is back: the retry happens
    *_, retried = slack.wait_for("chat.postMessage", count=3)
    assert "Retry: 1 created" in retried.params["text"]
    assert [t.prospect_id for t in saleshandy.tasks] == ["8PvBmrB7P7"]
