"""A key's rate-limit window: room is taken before each request and the answer says what is left.

`RateLimitWindow` is what the client needs; `LocalWindow` keeps the window in this process (the CLI,
one-process runs, the client's own tests). Several processes sharing one key share one window through
the database instead (`bot.store.ratelimits.SharedWindow`), so their requests add up to one limit.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from typing import Protocol

from bot.saleshandy.errors import RateLimitError
from bot.saleshandy.ratelimit import exhausted_window_wait, retry_after_seconds, seconds_until_reset

logger = logging.getLogger(__name__)


class RateLimitWindow(Protocol):
    def acquire(self, *, max_wait: float) -> int:
        """Wait until one more request fits in the window and take its room; a ticket for `release`.
        Raises RateLimitError when fitting would mean waiting more than `max_wait` at once."""

    def release(self, ticket: int, *, status: int | None, headers: Mapping[str, str]) -> None:
        """The request of `ticket` is over: its answer's status and headers (None: no answer)."""


def remaining_in_window(headers: Mapping[str, str]) -> int | None:
    """`x-ratelimit-remaining` as a whole number, or None when absent or unreadable."""
    return _count(headers, "x-ratelimit-remaining")


def limit_of_window(headers: Mapping[str, str]) -> int | None:
    """`x-ratelimit-limit` as a whole number, or None when absent or unreadable."""
    return _count(headers, "x-ratelimit-limit")


def _count(headers: Mapping[str, str], name: str) -> int | None:
    value = headers.get(name)
    try:
        return max(0, int(float(value.strip()))) if value is not None else None
    except (ValueError, OverflowError):
        return None


def window_end(headers: Mapping[str, str], *, now: float) -> float | None:
    reset = headers.get("x-ratelimit-reset")
    until = seconds_until_reset(reset, now=now) if reset is not None else None
    return None if until is None else now + until


class LocalWindow:
    """The window as this process sees it; thread-safe (lookups run four at a time)."""

    def __init__(self, *, sleep: Callable[[float], None], clock: Callable[[], float]) -> None:
        self._sleep = sleep
        self._clock = clock
        self._lock = threading.Condition()
        """Guards everything below; notified whenever an answer (or failure) comes back."""
        self._not_before = 0.0
        """Clock time before which nothing is sent: the window is used up until then."""
        self._in_flight = 0
        """Requests sent and not yet answered."""
        self._lowest_remaining: int | None = None
        """The lowest `x-ratelimit-remaining` answered in the current window (answers to parallel
        requests come back in any order), None when unknown. Less the requests in flight, which may
        not be counted yet, it is what may surely still be sent."""
        self._window_ends: float | None = None
        """When the current window ends, as its answers said: the earliest, as each rounds it up."""

    def acquire(self, *, max_wait: float) -> int:
        while True:
            with self._lock:
                now = self._clock()
                if self._window_ends is not None and now >= self._window_ends:
                    self._lowest_remaining = self._window_ends = None  # that window is over
                wait = self._not_before - now
                if wait <= 0:
                    lowest = self._lowest_remaining
                    if lowest is not None and lowest - self._in_flight <= 0:
                        if self._in_flight:
                            # Parallel requests would overshoot the window and meet 429s: the answers
                            # of those in flight say whether any room is left.
                            self._lock.wait(timeout=1.0)
                            continue
                        self._lowest_remaining = None  # used up, no reset to wait for: try it
                    self._in_flight += 1
                    return 0
            if wait > max_wait:
                raise RateLimitError(retry_after=wait, status_code=None)
            logger.info("Saleshandy: rate-limit window used up; waiting %.1fs", wait)
            self._sleep(wait)

    def release(self, ticket: int, *, status: int | None, headers: Mapping[str, str]) -> None:
        with self._lock:
            self._in_flight -= 1
            now = self._clock()
            if status == 429:
                self._lowest_remaining = 0
                retry_after = retry_after_seconds(headers, now=now)
                if retry_after is not None:
                    self._not_before = max(self._not_before, now + retry_after)
            elif status is not None:
                self._note_remaining(headers, now=now)
                wait = exhausted_window_wait(headers, now=now)
                if wait is not None:
                    resume = now + wait
                    ends = self._window_ends
                    if ends is not None and now < ends < resume:
                        resume = ends  # the window's earliest-said end: each answer rounds it up
                    self._not_before = max(self._not_before, resume)
            self._lock.notify_all()

    def _note_remaining(self, headers: Mapping[str, str], *, now: float) -> None:
        remaining = remaining_in_window(headers)
        if remaining is None:
            return
        ends = window_end(headers, now=now)
        # Within one window the reset moment varies by its rounding (under a second).
        later_window = ends is not None and self._window_ends is not None and ends > self._window_ends + 1.0
        if self._lowest_remaining is None or later_window:
            self._lowest_remaining, self._window_ends = remaining, ends
        else:
            self._lowest_remaining = min(self._lowest_remaining, remaining)
            if ends is not None:
                self._window_ends = ends if self._window_ends is None else min(self._window_ends, ends)
