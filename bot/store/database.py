"""The database: one engine per process, its schema brought up to date by the migrations at start-up.

Several workers (on several machines) may start at once against one empty database; the upgrade runs
under a lock that only one holds at a time (PostgreSQL: an advisory lock; SQLite: a lock on a file
beside the database, which is on one machine by nature), so the others wait and find the work done.
"""

from __future__ import annotations

import fcntl
import functools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event, make_url, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from bot.redaction import install_log_redaction

MIGRATIONS = str(Path(__file__).with_name("migrations"))
MIGRATION_LOCK_ID = 0x5A1E5 << 8
"""PostgreSQL advisory lock key for schema upgrades (any constant used for nothing else)."""


class StoreUnavailableError(Exception):
    """The database could not be reached or written; nothing was recorded."""


def open_database(database_url: str) -> Engine:
    """An engine for `database_url`, its schema upgraded to the latest migration."""
    engine = _engine_for(database_url)
    try:
        upgrade_schema(engine)
        if engine.dialect.name == "sqlite":
            _sqlite_to_wal(engine)
    except OperationalError as error:
        engine.dispose()
        raise StoreUnavailableError(
            "the submissions database cannot be opened; check DATABASE_URL"
        ) from error
    return engine


def upgrade_schema(engine: Engine) -> None:
    """Run every migration not yet applied, one process at a time."""
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    with _migration_lock(engine) as connection:
        if _at_head(connection):  # the usual start: Alembic's upgrade would load every migration first
            return
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        connection.commit()


@functools.cache
def _head_revision() -> str | None:
    return ScriptDirectory(MIGRATIONS).get_current_head()


def _at_head(connection: Connection) -> bool:
    current = MigrationContext.configure(connection).get_current_revision()
    return current is not None and current == _head_revision()


def is_reachable(engine: Engine) -> bool:
    """True when the database answers a trivial query (the readiness check)."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return False
    return True


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[Connection]:
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_ID})
            connection.commit()
            try:
                yield connection
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_ID})
                connection.commit()
        return
    database = engine.url.database
    lock_path = Path(f"{database}.migrate-lock") if engine.dialect.name == "sqlite" and database else None
    migrating = _transactional_sqlite(engine) if engine.dialect.name == "sqlite" else engine
    try:
        with _file_lock(lock_path), migrating.connect() as connection:
            yield connection
    finally:
        if migrating is not engine:
            migrating.dispose()


def _transactional_sqlite(engine: Engine) -> Engine:
    """An engine whose transactions really include DDL: Python's sqlite3 driver commits before a
    CREATE or ALTER on its own, so a migration cut off half-way would leave tables behind and the next
    start would fail on them. SQLAlchemy's documented recipe: the driver's transaction handling off,
    BEGIN emitted by SQLAlchemy."""
    migrating = create_engine(engine.url, poolclass=NullPool, hide_parameters=True)

    @event.listens_for(migrating, "connect")
    def _driver_leaves_transactions_alone(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(migrating, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN")

    return migrating


@contextmanager
def _file_lock(path: Path | None) -> Iterator[None]:
    if path is None:
        yield
        return
    try:
        handle = path.open("a")
    except OSError as error:  # the database's folder is missing or read-only: SQLite would fail too
        raise OperationalError("open migration lock", {}, error) from error
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _engine_for(database_url: str) -> Engine:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        raise StoreUnavailableError(
            "an in-memory SQLite database is not shared between the app's threads and processes; "
            "give DATABASE_URL a file (sqlite:///tasks.sqlite3) or a server"
        )
    # hide_parameters: a database error's text would otherwise carry the row it was writing (a
    # response_url, a note, prospects' emails) into the logs.
    options: dict[str, Any] = {"pool_pre_ping": True, "hide_parameters": True}
    if url.get_backend_name() == "postgresql":
        options["connect_args"] = {
            # A database that does not answer is a clear error in seconds, not a hung request, and no
            # transaction (the shared rate-limit row is locked by each request) can hold the others.
            "connect_timeout": 5,
            "options": "-c lock_timeout=5000 -c idle_in_transaction_session_timeout=60000",
        }
    engine = create_engine(database_url, **options)
    install_log_redaction()  # rows read at DEBUG (installations hold bot tokens) never reach the logs
    if url.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_for_concurrent_writers)
    return engine


def _sqlite_to_wal(engine: Engine) -> None:
    """WAL lets readers and a writer work at once across the workers' processes. The mode is kept in the
    database file, so it is set once, here, and not by each new connection: setting it takes the file's
    lock, so a connection made while a writer held the database would wait out the busy timeout and fail
    before it could even read, and SQLAlchemy makes every connect wait, one after the other, until its
    first one has succeeded (5 s each: the step listener could wait many times its answer window). This
    is also the engine's first connection, made while nobody holds the lock."""
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA journal_mode=WAL")


def _sqlite_for_concurrent_writers(connection: Any, _record: Any) -> None:
    # NORMAL syncs at checkpoints instead of every commit (still durable across a crash of the app, in
    # WAL mode): under a burst of submissions this is the difference between queueing on the disk and
    # not. It is the connection's own setting (it takes no lock), so each new connection sets it.
    cursor = connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
