"""Misbehaviour scripted by a test for the coming calls of a method: errors, 429s, drops, latency."""

from __future__ import annotations

import collections
import threading


class Faults:
    """What the next calls of each method do instead of answering normally. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._drops: collections.Counter[str] = collections.Counter()
            self._failures: dict[str, collections.deque[str]] = collections.defaultdict(collections.deque)
            self._rate_limits: dict[str, collections.deque[int]] = collections.defaultdict(
                collections.deque
            )
            self._latency: dict[str | None, float] = {}

    def fail_next(self, method: str, error: str = "not_in_channel", times: int = 1) -> None:
        """The next `times` calls of `method` answer `{"ok": false, "error": error}`."""
        with self._lock:
            self._failures[method].extend([error] * times)

    def drop_next(self, method: str, times: int = 1) -> None:
        """The next `times` calls of `method` get no answer: the connection is closed on them (a
        network failure; recorded with status 0)."""
        with self._lock:
            self._drops[method] += times

    def rate_limit_next(self, method: str, retry_after: int = 1, times: int = 1) -> None:
        """The next `times` calls of `method` answer HTTP 429 with `Retry-After: retry_after`."""
        with self._lock:
            self._rate_limits[method].extend([retry_after] * times)

    def set_latency(self, seconds: float, method: str | None = None) -> None:
        """Delay every answer (or only `method`'s) by `seconds`; 0 removes it."""
        with self._lock:
            self._latency[method] = seconds

    def latency(self, method: str) -> float:
        with self._lock:
            return self._latency.get(method, self._latency.get(None, 0.0))

    def take_drop(self, method: str) -> bool:
        with self._lock:
            if self._drops[method] <= 0:
                return False
            self._drops[method] -= 1
            return True

    def take_rate_limit(self, method: str) -> int | None:
        """The Retry-After seconds if this call is to be rate limited."""
        with self._lock:
            queued = self._rate_limits[method]
            return queued.popleft() if queued else None

    def take_failure(self, method: str) -> str | None:
        """The error this call is to answer, if one was scripted."""
        with self._lock:
            queued = self._failures[method]
            return queued.popleft() if queued else None
