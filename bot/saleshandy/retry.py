"""The one decision about sending a request again: a create only when it cannot have created anything,
a search (which creates nothing) also after a passing failure. See docs/saleshandy-api.md: `POST` is
not idempotent."""

from __future__ import annotations

from dataclasses import dataclass

from bot.saleshandy.errors import (
    ApiTimeoutError,
    ConnectionFailedError,
    ConnectionLostError,
    RateLimitError,
    SaleshandyError,
    ServerError,
)

_PASSING = (ConnectionFailedError, ConnectionLostError, ApiTimeoutError, ServerError)
"""Failures that another try of a search may not meet."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When to send the same request again, and after how long."""

    max_rate_limit_retries: int = 3
    max_rate_limit_wait: float = 60.0
    """Longest single wait; a rate limit asking for longer fails the request (nothing created)."""
    max_connect_retries: int = 2
    connect_backoff: float = 0.5
    """First wait after a refused connection, doubling: a restart or a blip lasts seconds."""
    unannounced_rate_limit_wait: float = 2.0
    """Wait after a 429 that does not say how long; doubles each time."""
    max_search_retries: int = 2
    """Searches (idempotent GETs) sent again after a 5xx, timeout or broken connection."""

    def decide(
        self, error: SaleshandyError, *, rate_limit_retries: int, connect_retries: int
    ) -> float | None:
        """Seconds to wait before sending the create that met `error` again, or None to give up.

        Only two errors qualify, because only they prove nothing was created: a 429, and a
        connection that never opened. Everything else (timeouts after sending, 5xx, dropped
        connections, unreadable answers) may have created tasks and is never retried silently;
        another 4xx would not change by asking again.
        """
        if isinstance(error, RateLimitError):
            return self._rate_limit_wait(error, rate_limit_retries)
        if isinstance(error, ConnectionFailedError):
            if connect_retries >= self.max_connect_retries:
                return None
            return float(self.connect_backoff * 2**connect_retries)
        return None

    def decide_search(
        self, error: SaleshandyError, *, rate_limit_retries: int, other_retries: int
    ) -> float | None:
        """Seconds to wait before sending a failed search again, or None to give up.

        A search is idempotent, so besides what a create may retry (a 429, a connection that never
        opened) it is also sent again after a 5xx, a timeout or a dropped connection — a bounded number
        of times, backing off. Never after another 4xx: asking again would not change the answer.
        """
        if isinstance(error, RateLimitError):
            return self._rate_limit_wait(error, rate_limit_retries)
        if isinstance(error, _PASSING) and other_retries < self.max_search_retries:
            return float(self.connect_backoff * 2**other_retries)
        return None

    def _rate_limit_wait(self, error: RateLimitError, retries: int) -> float | None:
        if retries >= self.max_rate_limit_retries:
            return None
        wait = error.retry_after
        if wait is None:
            wait = self.unannounced_rate_limit_wait * 2**retries
        return wait if wait <= self.max_rate_limit_wait else None
