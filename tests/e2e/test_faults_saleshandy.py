"""Saleshandy (and the submissions store) failing in every way the issue lists: the rep is told in plain words
in the thread, every prospect ends exactly once as created, failed or unknown, nothing is created twice, and
the app serves the next command as if nothing happened."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from bot.slack import ids
from bot_testing.saleshandy import FakeSaleshandy, Fault
from bot_testing.slack_driver import fill_view
from tests.e2e.conftest import (
    CHANNEL,
    RunningApp,
    message_text,
    opened_view,
    wait_until,
)
from tests.helpers.faults import (
    COMMAND,
    PROSPECTS,
    assert_each_prospect_once,
    assert_next_command_works,
    assert_no_task_twice,
    database_of,
    store_locked,
    submissions_in,
)

pytestmark = pytest.mark.both_databases  # the whole path, on SQLite and on PostgreSQL


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


@pytest.mark.slow
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
