"""Shared fixtures: a fake Saleshandy on loopback, one server reset for every test; a fake clock."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from bot.fakes.saleshandy import FakeSaleshandy
from bot.saleshandy import SaleshandyClient

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


@pytest.fixture(scope="session")
def _running_fake_saleshandy() -> Iterator[FakeSaleshandy]:
    fake = FakeSaleshandy(api_key=SALESHANDY_TEST_KEY)
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def fake_saleshandy(_running_fake_saleshandy: FakeSaleshandy) -> Iterator[FakeSaleshandy]:
    """The fake Saleshandy at `.base_url`, accepting SALESHANDY_TEST_KEY, fresh for this test."""
    _running_fake_saleshandy.reset()
    yield _running_fake_saleshandy
    _running_fake_saleshandy.reset()


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_saleshandy_client(
    fake_saleshandy: FakeSaleshandy, fake_clock: FakeClock
) -> Iterator[Callable[..., SaleshandyClient]]:
    """Build clients aimed at the fake, with short timeouts and the fake clock; closed after."""
    clients: list[SaleshandyClient] = []

    def make(**overrides: Any) -> SaleshandyClient:
        options: dict[str, Any] = {
            "base_url": fake_saleshandy.base_url,
            "api_key": SecretStr(SALESHANDY_TEST_KEY),
            "timeout": httpx.Timeout(2.0),
            "sleep": fake_clock.sleep,
            "clock": fake_clock.time,
        }
        options.update(overrides)
        client = SaleshandyClient(**options)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def closed_port_url() -> str:
    """A loopback URL where nothing listens: connections are refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"
