"""Values and doubles the tests share: the fake Saleshandy's key, a fake clock, one TLS context."""

from __future__ import annotations

import functools
import ssl
import time

import httpx

SALESHANDY_TEST_KEY = "sh-test-key-7f3a9c2e1b5d"
"""Distinctive, so a leak of it into a log or a message is easy to search for."""


@functools.cache
def tls_context() -> ssl.SSLContext:
    """httpx's default TLS context, made once: each client would load the CA bundle again (~25 ms of
    CPU), and the tests make hundreds of clients (that only ever speak HTTP on loopback)."""
    return httpx.create_ssl_context()


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
