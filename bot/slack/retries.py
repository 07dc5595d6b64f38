"""How the app's Slack clients send a call again: slack_sdk's own retries, with their waits as arguments."""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.jitter import Jitter
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

RATE_LIMIT_RETRIES = 3
"""Calls Slack answered 429 are sent again this many times, each after its Retry-After."""


def slack_retry_handlers(*, backoff: float = 0.5, jitter: float = 1.0) -> list[RetryHandler]:
    """A WebClient's retries: slack_sdk's default one after a connection error (after `backoff`
    seconds), and RATE_LIMIT_RETRIES after a 429; each wait plus up to `jitter` seconds at random.
    The defaults are slack_sdk's."""
    backing_off = BackoffRetryIntervalCalculator(backoff_factor=backoff, jitter=JitterUpTo(jitter))
    return [
        ConnectionErrorRetryHandler(interval_calculator=backing_off),
        RateLimitRetryHandler(max_retry_count=RATE_LIMIT_RETRIES, jitter=jitter),
    ]


class JitterUpTo(Jitter):
    """Adds up to `seconds` at random (slack_sdk's RandomJitter adds up to one)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def recalculate(self, duration: float) -> float:
        return duration + random.random() * self.seconds


class RateLimitRetryHandler(RateLimitErrorRetryHandler):
    """slack_sdk's: after a 429, wait its Retry-After (a second without one) plus up to `jitter`
    seconds at random (slack_sdk's: one), then send the call again."""

    def __init__(
        self, max_retry_count: int, *, jitter: float = 1.0, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.jitter = jitter
        self._sleep = sleep

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        if response is None:  # never retried (see _can_retry): slack_sdk's own handling
            super().prepare_for_next_attempt(state=state, request=request, response=response, error=error)
            return
        state.next_attempt_requested = True
        retry_after = next((v for k, v in response.headers.items() if k.lower() == "retry-after"), None)
        wait = int(retry_after[0]) if retry_after is not None else 1
        self._sleep(wait + random.random() * self.jitter)
        state.increment_current_attempt()
