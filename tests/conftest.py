"""Shared fixtures: a fake Saleshandy on loopback, one server reset for every test; a fake clock."""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import create_engine, inspect, make_url, text
from sqlalchemy.exc import OperationalError

from bot.saleshandy import SaleshandyClient
from bot_testing.saleshandy import FakeSaleshandy

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


# ---- databases: a SQLite file per test, and a real PostgreSQL database per test run -------------------

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
"""A PostgreSQL server the tests may create databases on (the CI and development machines have one)."""
REQUIRE_POSTGRES = os.environ.get("REQUIRE_POSTGRES") == "1"
"""Set by .ci/run: there, a missing PostgreSQL is a failure, not a skip."""
NOT_RUN_WITHOUT_POSTGRES = (
    "PostgreSQL is not reachable at {url}, so this test did NOT run against PostgreSQL here. "
    "Start one (user postgres, trust auth) and run `python -m pytest` again, or point TEST_POSTGRES_URL "
    "at one."
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "both_databases: run the test against SQLite and against a real PostgreSQL server"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    explicit = any(
        "database_kind" in str(marker.args[0]) for marker in metafunc.definition.iter_markers("parametrize")
    )
    if "database_kind" in metafunc.fixturenames and not explicit:
        both = metafunc.definition.get_closest_marker("both_databases") is not None
        kinds = ["sqlite", "postgresql"] if both else ["sqlite"]
        metafunc.parametrize("database_kind", kinds, scope="function")


@pytest.fixture(scope="session")
def _postgres_run_database() -> Iterator[str | None]:
    """A database of this test run's own on the PostgreSQL server (dropped at the end), or None when no
    server answers."""
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"sh_tasks_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError:
        admin.dispose()
        yield None
        return
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def database_url(database_kind: str, tmp_path: Path, _postgres_run_database: str | None) -> Iterator[str]:
    """A database for one test: a fresh SQLite file, or this run's PostgreSQL database emptied after."""
    if database_kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'app.sqlite3'}"
        return
    if _postgres_run_database is None:
        message = NOT_RUN_WITHOUT_POSTGRES.format(url=make_url(POSTGRES_URL).render_as_string())
        if REQUIRE_POSTGRES:
            pytest.fail(message)
        pytest.skip(message)
    yield _postgres_run_database
    _empty(_postgres_run_database)


def _empty(url: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            tables = inspect(connection).get_table_names()
            if tables:
                quoted = ", ".join(f'"{table}"' for table in tables)
                connection.execute(text(f"DROP TABLE {quoted} CASCADE"))
    finally:
        engine.dispose()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """One plain line when the PostgreSQL runs were skipped, so a green run cannot hide them."""
    skipped = [
        report
        for report in terminalreporter.stats.get("skipped", [])
        if "did NOT run against PostgreSQL" in str(report.longrepr)
    ]
    if skipped:
        terminalreporter.write_line(
            f"{len(skipped)} tests did NOT run against PostgreSQL: no server answered at "
            f"{make_url(POSTGRES_URL).render_as_string()}. Start one (user postgres, trust auth) or set "
            "TEST_POSTGRES_URL, then run `python -m pytest` again.",
            yellow=True,
            bold=True,
        )
