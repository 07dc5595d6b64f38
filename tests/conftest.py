"""Shared fixtures: a fake Saleshandy on loopback, one server reset for every test; a fake clock; the
databases."""

from __future__ import annotations

import gc
import os
import shutil
import socket
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import create_engine, inspect, make_url, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from bot.saleshandy import SaleshandyClient
from bot.store import open_database
from bot_testing.saleshandy import FakeSaleshandy
from bot_testing.slack import FakeSlack
from tests.helpers.fakes import SALESHANDY_TEST_KEY, FakeClock
from tests.helpers.slack_app import SLACK_BOT_TOKEN

__all__ = ["SALESHANDY_TEST_KEY", "FakeClock"]  # also importable from here, as older tests do

T = TypeVar("T")


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


@pytest.fixture(scope="session")
def _running_fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack(bot_token=SLACK_BOT_TOKEN)
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def fake_slack(_running_fake_slack: FakeSlack) -> Iterator[FakeSlack]:
    """The fake Slack Web API (and response_urls) at `.api_url`, accepting SLACK_BOT_TOKEN, fresh for
    this test."""
    _running_fake_slack.reset()
    yield _running_fake_slack
    _running_fake_slack.reset()


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


# ---- databases: a SQLite file per test, and a real PostgreSQL database per test process ---------------
# Migrating takes a few hundred milliseconds, so each test process migrates once (a template SQLite file,
# a template PostgreSQL database) and every test starts from a copy of that: the app's own start-up then
# finds the schema up to date. Tests of the migrations themselves take `empty_database_url`.

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
"""A PostgreSQL server the tests may create databases on (the CI and development machines have one)."""
REQUIRE_POSTGRES = os.environ.get("REQUIRE_POSTGRES") == "1"
"""Set by .ci/run: there, a missing PostgreSQL is a failure, not a skip."""
NOT_RUN_WITHOUT_POSTGRES = (
    "PostgreSQL is not reachable at {url}, so this test did NOT run against PostgreSQL here. "
    "Start one (user postgres, trust auth) and run `python -m pytest` again, or point TEST_POSTGRES_URL "
    "at one."
)


def pytest_collection_finish(session: pytest.Session) -> None:
    """What collection made (every test module, item and fixture definition, the app's imported modules)
    lives until the end, so Python's cyclic garbage collector is told to stop walking it (`gc.freeze`):
    each full collection during the run otherwise went over all of it again, about a tenth of the
    suite's CPU time (`-n 0` on tests/e2e, test_dates and test_blocks: 21.6-26.0 CPU-seconds against
    23.7-28.4, three runs each)."""
    gc.freeze()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Longest first: tests marked `slow`, then those over HTTP, then the quick ones, each group in its
    own order. The processes take tests from the front of this list as they free up, so the quick ones
    fill the end and every process finishes at about the same time (a slow test handed out last would
    keep one process busy for seconds after the others are done)."""
    items.sort(key=_expected_length)


def _expected_length(item: pytest.Item) -> int:
    if item.get_closest_marker("slow"):
        return 0
    return 1 if item.get_closest_marker("http") else 2


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    explicit = any(
        "database_kind" in str(marker.args[0]) for marker in metafunc.definition.iter_markers("parametrize")
    )
    if "database_kind" in metafunc.fixturenames and not explicit:
        both = metafunc.definition.get_closest_marker("both_databases") is not None
        kinds = ["sqlite", "postgresql"] if both else ["sqlite"]
        metafunc.parametrize("database_kind", kinds, scope="function")


class PostgresServer:
    """Databases of this test process's own on the PostgreSQL server, all dropped at the end."""

    def __init__(self, admin: Engine) -> None:
        self._admin = admin
        self._prefix = f"sh_tasks_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        self._made: list[str] = []

    def create(self, suffix: str, *, template: str | None = None) -> str:
        """A new database (a copy of `template` if given); returns its URL."""
        name = f"{self._prefix}_{suffix}"
        copy = f' TEMPLATE "{template}"' if template else ""
        with self._admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"{copy}'))
        self._made.append(name)
        return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)

    def drop(self, url: str) -> None:
        name = make_url(url).database
        with self._admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self._made.remove(str(name))

    def drop_all(self) -> None:
        for name in list(self._made):
            with self._admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self._admin.dispose()


@pytest.fixture(scope="session")
def _postgres_server() -> Iterator[PostgresServer | None]:
    """This process's databases on the PostgreSQL server, or None when no server answers."""
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError:
        admin.dispose()
        yield None
        return
    server = PostgresServer(admin)
    try:
        yield server
    finally:
        server.drop_all()


@pytest.fixture(scope="session")
def _postgres_run_database(_postgres_server: PostgresServer | None) -> str | None:
    """This process's PostgreSQL database, migrated once; each test leaves it with empty tables."""
    if _postgres_server is None:
        return None
    url = _postgres_server.create("run")
    open_database(url).dispose()
    return url


@pytest.fixture(scope="session")
def _migrated_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "app.sqlite3"
    open_database(f"sqlite:///{path}").dispose()  # the last connection closing folds the WAL in
    return path


@pytest.fixture
def database_url(
    database_kind: str, tmp_path: Path, _postgres_run_database: str | None, _migrated_sqlite_template: Path
) -> Iterator[str]:
    """A migrated database for one test: a fresh SQLite file, or this process's PostgreSQL database
    emptied after."""
    if database_kind == "sqlite":
        path = tmp_path / "app.sqlite3"
        shutil.copyfile(_migrated_sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    yield _require_postgres(_postgres_run_database)
    _empty_tables(_postgres_run_database)


@pytest.fixture
def empty_database_url(
    database_kind: str, tmp_path: Path, _postgres_server: PostgresServer | None
) -> Iterator[str]:
    """A database no migration has run on yet: a new SQLite file, or a new PostgreSQL database."""
    if database_kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    server = _require_postgres(_postgres_server)
    url = server.create(f"empty_{uuid.uuid4().hex[:6]}")
    yield url
    server.drop(url)


def _require_postgres(available: T | None) -> T:
    if available is None:
        message = NOT_RUN_WITHOUT_POSTGRES.format(url=make_url(POSTGRES_URL).render_as_string())
        if REQUIRE_POSTGRES:
            pytest.fail(message)
        pytest.skip(message)
    return available


def _empty_tables(url: str) -> None:
    """Every row gone, the schema kept (so the next test's start-up has nothing to migrate)."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            tables = [name for name in inspect(connection).get_table_names() if name != "alembic_version"]
            # Replica mode skips the foreign keys' triggers, so the tables can be emptied in any order.
            connection.execute(text("SET LOCAL session_replication_role = replica"))
            for table in tables:
                connection.execute(text(f'DELETE FROM "{table}"'))
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
