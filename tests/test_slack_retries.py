"""The app's Slack retries: slack_sdk's own handlers, with the waits as arguments and slack_sdk's defaults."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.slack.retries import RATE_LIMIT_RETRIES, JitterUpTo, RateLimitRetryHandler, slack_retry_handlers

REQUEST = HttpRequest(method="POST", url="https://slack.com/api/chat.postMessage", headers={})


def rate_limited(headers: dict[str, list[str]]) -> HttpResponse:
    return HttpResponse(status_code=429, headers=headers, body={"ok": False, "error": "ratelimited"})


def test_by_default_the_waits_are_slack_sdks() -> None:
    (connection, rate_limit) = slack_retry_handlers()
    (sdk_connection,) = WebClient().retry_handlers  # what a WebClient retries with unless told otherwise
    assert isinstance(connection, ConnectionErrorRetryHandler)
    assert connection.max_retry_count == sdk_connection.max_retry_count
    calculator, sdk_calculator = connection.interval_calculator, sdk_connection.interval_calculator
    assert isinstance(calculator, BackoffRetryIntervalCalculator)
    assert isinstance(sdk_calculator, BackoffRetryIntervalCalculator)
    assert calculator.backoff_factor == sdk_calculator.backoff_factor
    assert isinstance(calculator.jitter, JitterUpTo) and calculator.jitter.seconds == 1.0  # RandomJitter's
    assert isinstance(rate_limit, RateLimitRetryHandler)  # a RateLimitErrorRetryHandler, as slack_sdk's
    assert (rate_limit.max_retry_count, rate_limit.jitter) == (RATE_LIMIT_RETRIES, 1.0)


def test_a_429_waits_its_retry_after_plus_at_most_the_jitter_then_asks_again() -> None:
    slept: list[float] = []
    handler = RateLimitRetryHandler(max_retry_count=3, jitter=0.25, sleep=slept.append)
    state = RetryState()
    response = rate_limited({"Retry-After": ["7"]})
    assert handler.can_retry(state=state, request=REQUEST, response=response)

    handler.prepare_for_next_attempt(state=state, request=REQUEST, response=response)

    assert len(slept) == 1 and 7 <= slept[0] <= 7.25
    assert state.next_attempt_requested and state.current_attempt == 1


def test_without_a_retry_after_a_429_waits_a_second_and_with_no_jitter_exactly_that() -> None:
    slept: list[float] = []
    handler = RateLimitRetryHandler(max_retry_count=3, jitter=0.0, sleep=slept.append)
    handler.prepare_for_next_attempt(state=RetryState(), request=REQUEST, response=rate_limited({}))
    assert slept == [1.0]


def test_the_jitter_adds_up_to_its_seconds() -> None:
    added = [JitterUpTo(0.5).recalculate(2.0) - 2.0 for _ in range(200)]
    assert all(0 <= extra < 0.5 for extra in added) and max(added) > 0.25
    assert JitterUpTo(0.0).recalculate(2.0) == 2.0
