"""Values and doubles the tests share: the fake Saleshandy's key, a fake clock."""

from __future__ import annotations

import time

SALESHANDY_TEST_KEY = "sh-test-key-7f3a9c2e1b5d"
"""Distinctive, so a leak of it into a log or a message is easy to search for."""


class FakeClock:
    """`time()` and `sleep()` for a client (and the fake's rate-limit windows): sleeping only moves
    the clock on, and every sleep is recorded."""

    def __init__(self, start: float | None = None) -> None:
        self.now = time.time() if start is None else start
        self.sleeps: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
