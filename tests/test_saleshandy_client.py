"""The Saleshandy client against the fake API over real HTTP, with none of its insides patched."""

from __future__ import annotations

import email.utils
import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from bot.config import ConfigError, Settings
from bot.domain import OutcomeStatus
from bot.saleshandy import (
    TASK_ID_NOT_REPORTED,
    ApiTimeoutError,
    AuthenticationError,
    ConnectionFailedError,
    ConnectionLostError,
    NotFoundError,
    PermissionDeniedError,
    ProspectVerdict,
    RateLimitError,
    RetryPolicy,
    SaleshandyClient,
    SaleshandyError,
    ServerError,
    UnexpectedStatusError,
    UnreadableResponseError,
    ValidationError,
    seconds_until_reset,
)
from bot.slack.wording import say_error
from bot_testing.saleshandy import FakeSaleshandy
from tests.conftest import SALESHANDY_TEST_KEY, FakeClock
from tests.helpers.saleshandy import CREATED, FAILED, UNKNOWN, statuses, task_request
from tests.helpers.slack_app import wait_until

MakeClient = Callable[..., SaleshandyClient]


def ids_of(count: int, prefix: str = "P") -> tuple[str, ...]:
    return tuple(f"{prefix}{n:04d}" for n in range(count))


# -- success ---------------------------------------------------------------------------------------


def test_creates_tasks_sending_exactly_the_contract_body(
    fake_saleshandy: FakeSaleshandy, make_saleshandy_client: MakeClient
) -> None:
    result = make_saleshandy_client().create_tasks(task_request("8PvBmrB7P7", "Pr9xQ2Lm"))

    [sent] = fake_saleshandy.create_requests
    assert sent.body == {
        "prospectIds": ["8PvBmrB7P7", "Pr9xQ2Lm"],
        "taskType": "13",
        "dueDate": "2026-04-22",
        "priority": "3",
        "taskNote": "Call about the proposal sent yesterday.",
    }
    assert sent.headers["x-api-key"] == SALESHANDY_TEST_KEY
    assert sent.headers["content-type"] == "application/json"
    tasks = {task.prospect_id: task.task_id for task in fake_saleshandy.tasks}
    assert [(o.prospect_id, o.status, o.task_id) for o in result.outcomes] == [
        ("8PvBmrB7P7", CREATED, tasks["8PvBmrB7P7"]),
        ("Pr9xQ2Lm", CREATED, tasks["Pr9xQ2Lm"]),
    ]
    assert result.errors == ()
    assert result.requests_sent == 1


def test_leaves_out_optional_fields_it_does_not_have(
    fake_saleshandy: FakeSaleshandy, make_saleshandy_client: MakeClient
) -> None:
    make_saleshandy_client().create_tasks(task_request("A1", priority=None, task_note=None))

    [sent] = fake_saleshandy.create_requests
    assert sent.body == {"prospectIds": ["A1"], "taskType": "13", "dueDate": "2026-04-22"}


def test_a_prospect_saleshandy_refuses_fails_alone(make_saleshandy_client: MakeClient) -> None:
    result = make_saleshandy_client().create_tasks(task_request("P1", "INVALIDxx", "P2"))

    assert [o.prospect_id for o in result.outcomes] == ["P1", "INVALIDxx", "P2"]
    assert statuses(result) == [CREATED, FAILED, CREATED]
    assert result.verdicts == {"INVALIDxx": ProspectVerdict.NOT_CREATED}
    assert result.outcomes[1].reason is None  # the verdict is why: the edge words it
    assert result.errors == ()


def test_from_settings_and_context_manager(fake_saleshandy: FakeSaleshandy) -> None:
    settings = Settings(
        _env_file=None,
        saleshandy_api_key=SecretStr(SALESHANDY_TEST_KEY),
        saleshandy_api_url=fake_saleshandy.base_url + "/",
        saleshandy_chunk_size=2,
    )
    with SaleshandyClient.from_settings(settings) as client:
        result = client.create_tasks(task_request(*ids_of(3)))

    assert statuses(result) == [CREATED] * 3
    assert [len(r.body["prospectIds"]) for r in fake_saleshandy.create_requests] == [2, 1]


def test_from_settings_without_a_key_names_the_variable() -> None:
    with pytest.raises(ConfigError, match="SALESHANDY_API_KEY"):
        SaleshandyClient.from_settings(Settings(_env_file=None))


# -- errors ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "message", "error_class", "outcome", "said"),
    [
        (401, "Unauthorized", AuthenticationError, FAILED, "check SALESHANDY_API_KEY"),
        (403, "Forbidden resource", PermissionDeniedError, FAILED, "Forbidden resource"),
        (404, "Prospect not found", NotFoundError, FAILED, "Prospect not found"),
        (400, ["taskType must be one of the following values", "dueDate must be a date"],
         ValidationError, FAILED,
         "Saleshandy refused the request: taskType must be one of the following values; "
         "dueDate must be a date"),
        (400, "Invalid prospect list", ValidationError, FAILED,
         "Saleshandy refused the request: Invalid prospect list"),
        (422, "dueDate is in the past", ValidationError, FAILED,
         "Saleshandy refused the request: dueDate is in the past"),
        (409, "Conflict", UnexpectedStatusError, FAILED,
         "refused the request (HTTP 409): Conflict"),
        (500, "Internal server error", ServerError, UNKNOWN, "may have been created"),
        (502, "Bad Gateway", ServerError, UNKNOWN, "may have been created"),
        (503, "Service Unavailable", ServerError, UNKNOWN, "may have been created"),
    ],
)
def test_each_error_status_becomes_its_error_class(
    fake_saleshandy: FakeSaleshandy,
    make_saleshandy_client: MakeClient,
    status: int,
    message: str | list[str],
    error_class: type[SaleshandyError],
    outcome: OutcomeStatus,
    said: str,
) -> None:
    fake_saleshandy.fail_next(status, message)

    result = make_saleshandy_client().create_tasks(task_request("P1", "P2"))

    [error] = result.errors
    assert type(error) is error_class
    assert error.status_code == status
    assert error.request_id  # the fake sends x-request-id
    assert said in say_error(error)
    assert statuses(result) == [outcome, outcome]
    assert {o.reason for o in result.outcomes} == {None}  # the error is why: the edge words it once
    assert len(fake_saleshandy.create_requests) == 1  # never retried
    assert fake_saleshandy.tasks == []


def test_a_wrong_key_stops_the_batch(
    fake_saleshandy: FakeSaleshandy, make_saleshandy_client: MakeClient
) -> None:
    client = make_saleshandy_client(api_key=SecretStr("not-the-key"), chunk_size=2)

    result = client.create_tasks(task_request(*ids_of(5)))

    assert [type(e) for e in result.errors] == [AuthenticationError]
    assert say_error(result.errors[0]) == (
        "The Saleshandy API key was rejected — check SALESHANDY_API_KEY. Saleshandy said: Unauthorized"
    )
    assert statuses(result) == [FAILED] * 5
    assert len(fake_saleshandy.create_requests) == 1  # the other chunks would meet the same wall


def test_an_echoed_key_is_redacted(
    fake_saleshandy: FakeSaleshandy, make_saleshandy_client: MakeClient
) -> None:
    fake_saleshandy.fail_next(400, f"api key {SALESHANDY_TEST_KEY} is not valid for this prospect")

    result = make_saleshandy_client().create_tasks(task_request("P1"))

    [error] = result.errors
    assert "[redacted]" in say_error(error)
    for text in (str(error), repr(error), error.api_message, error.body, say_error(error)):
        assert SALESHANDY_TEST_KEY not in (text or "")


# -- rate limits -----------------------------------------------------------------------------------


def test_waits_out_a_429_then_sends_again(
    fake_saleshandy: FakeSaleshandy, make_saleshandy_client: MakeClient, fake_clock: FakeClock
) -> None:
    fake_saleshandy.rate_limit_next("7")

    result = make_saleshandy_client().create_tasks(task_request("P1", "P2"))

    assert statuses(result) == [CREATED, CREATED]
    assert fake_clock.sleeps == [7.0]
    assert result.requests_sent == 2
    assert len(fake_saleshandy.tasks) == 2  # no task created twice


def test_gives_up_when_429s_outlast_the_retries(
    fake_saleshandy: FakeSaleshandy, make_saleshandy_client: MakeClient, fake_clock: FakeClock
) -> None:
    fake_saleshandy.rate_limit_next("1", times=10)

    result = make_saleshandy_client(max_rate_limit_retries=3, chunk_size=1).create_tasks(
        task_request("P1", "P2")
    )

    assert statuses(result) == [FAILED, FAILED]
    [error] = result.errors
    assert isinstance(error, RateLimitError)
    assert "rate limit was reached, so nothing was created; retry in a minute" in say_error(error)
    assert fake_clock.sleeps == [1.0, 1.0, 1.0]
    assert len(fake_saleshandy.create_requests) == 4  # 1 + 3 retries; P2's chunk not sent
    assert fake_saleshandy.tasks == []


def test_a_429_asking_too_long_a_wait_fails_at_once(
    fake_saleshandy: FakeSaleshandy, make_saleshandy_client: MakeClient, fake_clock: FakeClock
) -> None:
    fake_saleshandy.rate_limit_next("600")

    client = make_saleshandy_client(max_rate_limit_wait=60.0, chunk_size=1)
    result = client.create_tasks(task_request("P1", "P2"))

    assert statuses(result) == [FAILED, FAILED]
    [error] = result.errors
    assert isinstance(error, RateLimitError) and error.retry_after == 600
    assert "retry in 600 seconds" in say_error(error)
    assert fake_clock.sleeps == []
    assert len(fake_saleshandy.create_requests) == 1


@pytest.mark.parametrize("reset_format", ["seconds", "epoch", "iso", "http-date"])
def test_a_used_up_window_is_waited_out_before_the_next_chunk(
    fake_saleshandy: FakeSaleshandy,
    make_saleshandy_client: MakeClient,
    fake_clock: FakeClock,
    reset_format: Any,
) -> None:
    fake_saleshandy.set_clock(fake_clock.time)
    fake_saleshandy.set_rate_limit(2, window_seconds=30, reset_format=reset_format)

    result = make_saleshandy_client(chunk_size=1).create_tasks(task_request("P1", "P2", "P3"))

    assert statuses(result) == [CREATED] * 3
    [wait] = fake_clock.sleeps
    assert 29 <= wait <= 31
    assert result.requests_sent == 3  # the wait came first, so no 429 was met


def test_a_used_up_window_carries_over_to_the_next_call(
    fake_saleshandy: FakeSaleshandy, make_saleshandy_client: MakeClient, fake_clock: FakeClock
) -> None:
    fake_saleshandy.set_clock(fake_clock.time)
    fake_saleshandy.set_rate_limit(1, window_seconds=20)
    client = make_saleshandy_client()

    client.create_tasks(task_request("P1"))
    result = client.create_tasks(task_request("P2"))

    assert statuses(result) == [CREATED]
    assert fake_clock.sleeps == [20.0]


def test_a_window_resetting_too_late_fails_the_rest_unsent(
    fake_saleshandy: FakeSaleshandy, make_saleshandy_client: MakeClient, fake_clock: FakeClock
) -> None:
    fake_saleshandy.set_clock(fake_clock.time)
    fake_saleshandy.set_rate_limit(1, window_seconds=600)

    result = make_saleshandy_client(chunk_size=1).create_tasks(task_request("P1", "P2", "P3"))

    assert statuses(result) == [CREATED, FAILED, FAILED]
    [error] = result.errors
    assert isinstance(error, RateLimitError) and error.status_code is None  # the window's, unsent
    assert "retry in 600 seconds" in say_error(error)
    assert fake_clock.sleeps == []
    assert len(fake_saleshandy.create_requests) == 1


# -- chunking --------------------------------------------------------------------------------------


def test_splits_into_chunks_and_keeps_input_order(
    fake_saleshandy: FakeSaleshandy, make_saleshandy_client: MakeClient
) -> None:
    ids = ids_of(250)

    result = make_saleshandy_client(chunk_size=100).create_tasks(task_request(*ids))

    sent = [r.body["prospectIds"] for r in fake_saleshandy.create_requests]
    assert [len(chunk) for chunk in sent] == [100, 100, 50]
    assert tuple(pid for chunk in sent for pid in chunk) == ids
    assert tuple(o.prospect_id for o in result.outcomes) == ids
    tasks = {task.prospect_id: task.task_id for task in fake_saleshandy.tasks}
    assert all(o.task_id == tasks[o.prospect_id] for o in result.outcomes)
    assert result.requests_sent == 3


@pytest.mark.parametrize(
    ("status", "middle", "error_class"),
    [(500, UNKNOWN, ServerError), (400, FAILED, ValidationError)],
)
def test_a_failed_chunk_does_not_touch_the_others(
    fake_saleshandy: FakeSaleshandy,
    make_saleshandy_client: MakeClient,
    status: int,
    middle: OutcomeStatus,
    error_class: type[SaleshandyError],
) -> None:
    fake_saleshandy.fail_next(status, after=1)

    result = make_saleshandy_client(chunk_size=100).create_tasks(task_request(*ids_of(250)))

    got = statuses(result)
    assert got[:100] == [CREATED] * 100
    assert got[100:200] == [middle] * 100
    assert got[200:] == [CREATED] * 50
    assert [type(e) for e in result.errors] == [error_class]
    assert len(fake_saleshandy.tasks) == 150


def test_the_same_error_in_two_chunks_is_reported_once(
    fake_saleshandy: FakeSaleshandy, make_saleshandy_client: MakeClient
) -> None:
    fake_saleshandy.fail_next(503, times=2)

    result = make_saleshandy_client(chunk_size=1).create_tasks(task_request("P1", "P2", "P3"))

    assert statuses(result) == [UNKNOWN, UNKNOWN, CREATED]
    assert [type(e) for e in result.errors] == [ServerError]


# -- odd answers -----------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", ["missing_payload", "missing_results", "results_not_list"])
def test_a_success_without_results_leaves_the_chunk_unknown(
    fake_saleshandy: FakeSaleshandy, make_saleshandy_client: MakeClient, shape: Any
) -> None:
    fake_saleshandy.answer_next_with_shape(shape)

    result = make_saleshandy_client().create_tasks(task_request("P1", "P2"))

    assert statuses(result) == [UNKNOWN, UNKNOWN]
    assert [type(e) for e in result.errors] == [UnreadableResponseError]
    assert len(fake_saleshandy.create_requests) == 1


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("<html>Bad gateway</html>", "text/html"),
        ("", "application/json"),
        ("[1, 2]", "application/json"),
    ],
)
def test_an_unreadable_success_leaves_the_chunk_unknown(
    fake_saleshandy: FakeSaleshandy, make_saleshandy_client: MakeClient, body: str,
    content_type: str,
) -> None:
    fake_saleshandy.answer_next_raw(body, status=200, content_type=content_type)

    result = make_saleshandy_client().create_tasks(task_request("P1"))

    assert statuses(result) == [UNKNOWN]
    assert [type(e) for e in result.errors] == [UnreadableResponseError]
    assert result.errors[0].may_have_landed
    assert "may have been created" in say_error(result.errors[0])
    assert len(fake_saleshandy.tasks) == 1  # it did land: that is why UNKNOWN, not FAILED
    assert len(fake_saleshandy.create_requests) == 1


def test_a_prospect_missing_from_the_results_is_unknown(
    fake_saleshandy: FakeSaleshandy, make_saleshandy_client: MakeClient
) -> None:
    fake_saleshandy.answer_next_with_shape("partial_results")

    result = make_saleshandy_client().create_tasks(task_request("P1", "P2", "P3"))

    assert statuses(result) == [CREATED, CREATED, UNKNOWN]
    assert result.verdicts == {"P3": ProspectVerdict.NOT_REPORTED}
    assert result.errors == ()


@pytest.mark.parametrize("shape", ["extra_unknown_ids", "extra_fields"])
def test_extra_results_and_fields_are_ignored(
    fake_saleshandy: FakeSaleshandy, make_saleshandy_client: MakeClient, shape: Any
) -> None:
    fake_saleshandy.answer_next_with_shape(shape)

    result = make_saleshandy_client().create_tasks(task_request("P1", "INVALIDx"))

    assert [o.prospect_id for o in result.outcomes] == ["P1", "INVALIDx"]
    assert statuses(result) == [CREATED, FAILED]
    assert result.outcomes[0].task_id == fake_saleshandy.tasks[0].task_id


def test_duplicate_results_that_disagree_leave_the_prospect_unknown(
    fake_saleshandy: FakeSaleshandy, make_saleshandy_client: MakeClient
) -> None:
    fake_saleshandy.answer_next_with_shape("duplicate_results")

    result = make_saleshandy_client().create_tasks(task_request("P1", "INVALIDx"))

    # Neither report can be trusted: "failed" could make a retry create a second task.
    assert statuses(result) == [UNKNOWN, UNKNOWN]


def test_a_success_without_a_task_id_counts_as_created(
    fake_saleshandy: FakeSaleshandy, make_saleshandy_client: MakeClient
) -> None:
    fake_saleshandy.answer_next_with_shape("success_without_task_id")

    result = make_saleshandy_client().create_tasks(task_request("P1", "INVALIDx"))

    assert statuses(result) == [CREATED, FAILED]
    assert result.outcomes[0].task_id == TASK_ID_NOT_REPORTED


# -- requests that may have landed, and those that cannot have -------------------------------------


def test_a_timeout_after_sending_is_unknown_and_not_retried(
    fake_saleshandy: FakeSaleshandy, make_saleshandy_client: MakeClient
) -> None:
    fake_saleshandy.stall_next(5.0)
    client = make_saleshandy_client(timeout=httpx.Timeout(2.0, read=0.02))

    result = client.create_tasks(task_request("P1", "P2"))
    # The client gave up after 0.02 s; under load the fake may create the tasks a moment later.
    wait_until(lambda: len(fake_saleshandy.tasks) == 2, what="the stalled request's tasks")

    assert statuses(result) == [UNKNOWN, UNKNOWN]
    [error] = result.errors
    assert isinstance(error, ApiTimeoutError) and error.may_have_landed
    assert say_error(error) == (
        "Saleshandy did not answer in time; the task may have been created — check before retrying."
    )
    assert len(fake_saleshandy.create_requests) == 1
    assert result.requests_sent == 1
    assert len(fake_saleshandy.tasks) == 2  # they did land


def test_a_dropped_connection_after_sending_is_unknown_and_not_retried(
    fake_saleshandy: FakeSaleshandy, make_saleshandy_client: MakeClient
) -> None:
    fake_saleshandy.drop_next_connection(creates_tasks=True)

    result = make_saleshandy_client().create_tasks(task_request("P1"))

    assert statuses(result) == [UNKNOWN]
    assert [type(e) for e in result.errors] == [ConnectionLostError]
    assert len(fake_saleshandy.create_requests) == 1
    assert len(fake_saleshandy.tasks) == 1


def test_a_refused_connection_is_retried_then_fails_with_nothing_created(
    make_saleshandy_client: MakeClient, fake_clock: FakeClock, closed_port_url: str
) -> None:
    client = make_saleshandy_client(base_url=closed_port_url, chunk_size=1)

    result = client.create_tasks(task_request("P1", "P2"))

    assert statuses(result) == [FAILED, FAILED]
    [error] = result.errors
    assert isinstance(error, ConnectionFailedError)
    assert not error.may_have_landed
    assert "nothing was created" in say_error(error)
    assert fake_clock.sleeps == [0.5, 1.0]  # two retries for the first chunk; the second unsent
    assert result.requests_sent == 0


# -- the key stays secret --------------------------------------------------------------------------


def test_the_key_never_shows_in_repr_messages_or_logs(
    fake_saleshandy: FakeSaleshandy,
    make_saleshandy_client: MakeClient,
    closed_port_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    client = make_saleshandy_client(chunk_size=1)
    fake_saleshandy.fail_next(400, f"bad key {SALESHANDY_TEST_KEY}")
    fake_saleshandy.fail_next(500)
    fake_saleshandy.rate_limit_next("1")
    fake_saleshandy.answer_next_raw(f"<p>{SALESHANDY_TEST_KEY}</p>")
    results = [client.create_tasks(task_request(*ids_of(6)))]
    # Only the stalled request goes through a client that gives up at once; the others' answers need
    # no hurry.
    hasty = make_saleshandy_client(timeout=httpx.Timeout(2.0, read=0.02))
    fake_saleshandy.stall_next(5.0)
    results.append(hasty.create_tasks(task_request("S")))
    wrong_key = make_saleshandy_client(api_key=SecretStr("wrong"))
    results.append(wrong_key.create_tasks(task_request("A")))
    refused = make_saleshandy_client(base_url=closed_port_url)
    results.append(refused.create_tasks(task_request("A")))

    texts = [repr(client), str(client), repr(hasty), repr(refused)]
    for result in results:
        texts += [repr(result)] + [o.reason or "" for o in result.outcomes]
        for error in result.errors:
            texts += [str(error), repr(error), say_error(error), error.api_message or "", error.body or ""]
    texts += [record.getMessage() for record in caplog.records]
    assert len(caplog.records) >= 7
    assert {type(e) for r in results for e in r.errors} >= {
        ValidationError, ServerError, ApiTimeoutError, UnreadableResponseError,
        AuthenticationError, ConnectionFailedError,
    }
    assert not [text for text in texts if SALESHANDY_TEST_KEY in text]


# -- the pure parts --------------------------------------------------------------------------------

NOW = 1_767_225_600.0  # 2026-01-01T00:00:00Z


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("30", 30.0),
        (" 1.5 ", 1.5),
        ("0", 0.0),
        (str(int(NOW) + 45), 45.0),
        (str(int(NOW * 1000) + 2500), 2.5),
        ("2026-01-01T00:01:00Z", 60.0),
        ("2026-01-01T00:01:00", 60.0),
        ("2026-01-01T01:01:00+01:00", 60.0),
        ("2026-01-01T00:00:30.500Z", 30.5),
        (email.utils.formatdate(NOW + 90, usegmt=True), 90.0),
        ("2025-12-31T23:00:00Z", 0.0),
        (str(int(NOW) - 10), 0.0),
        ("", None),
        ("soon", None),
        ("-5", None),
        ("nan", None),
        ("inf", None),
    ],
)
def test_seconds_until_reset_reads_every_form(value: str, expected: float | None) -> None:
    assert seconds_until_reset(value, now=NOW) == expected


@pytest.mark.parametrize(
    ("error", "rate_limit_retries", "connect_retries", "expected"),
    [
        (RateLimitError(retry_after=5), 0, 0, 5),
        (RateLimitError(retry_after=5), 2, 0, 5),
        (RateLimitError(retry_after=5), 3, 0, None),
        (RateLimitError(retry_after=61), 0, 0, None),
        (RateLimitError(), 0, 0, 2),
        (RateLimitError(), 1, 0, 4),
        (ConnectionFailedError(), 0, 0, 0.5),
        (ConnectionFailedError(), 0, 1, 1.0),
        (ConnectionFailedError(), 0, 2, None),
        (ApiTimeoutError(), 0, 0, None),
        (ConnectionLostError(), 0, 0, None),
        (ServerError(status_code=503), 0, 0, None),
        (UnreadableResponseError(), 0, 0, None),
        (ValidationError(status_code=400), 0, 0, None),
        (AuthenticationError(status_code=401), 0, 0, None),
    ],
)
def test_only_requests_that_cannot_have_landed_are_sent_again(
    error: SaleshandyError, rate_limit_retries: int, connect_retries: int, expected: float | None
) -> None:
    policy = RetryPolicy(max_rate_limit_retries=3, max_rate_limit_wait=60, max_connect_retries=2)
    wait = policy.decide(
        error, rate_limit_retries=rate_limit_retries, connect_retries=connect_retries
    )
    assert wait == expected
