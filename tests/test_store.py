"""The store against real databases: a SQLite file, and PostgreSQL (a database of this run's own)."""

from __future__ import annotations

import datetime
import json
import multiprocessing
import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine

from bot.domain import (
    CreateTaskRequest,
    OutcomeStatus,
    Priority,
    ProspectOutcome,
    ProspectRef,
    TaskFields,
    TaskType,
)
from bot.store import (
    Chunk,
    ChunkState,
    NewSubmission,
    StoreUnavailableError,
    SubmissionState,
    SubmissionStore,
    open_database,
)
from bot.store.database import MIGRATIONS

pytestmark = pytest.mark.both_databases

TASK = TaskFields(
    task_type=TaskType.CALL_DEMO,
    due_date=datetime.date(2026, 12, 1),
    priority=Priority.HIGH,
    task_note="deck",
)
PROSPECTS = (
    ProspectRef(id="8PvBmrB7P7", display_name="Jane", link="https://x.saleshandy.com/p/8PvBmrB7P7"),
    ProspectRef(id="Pr9xQ2Lm"),
    ProspectRef(id="Qz7Wx2Lm9k"),
)
CHUNKS = (Chunk(0, ("8PvBmrB7P7", "Pr9xQ2Lm")), Chunk(1, ("Qz7Wx2Lm9k",)))


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = open_database(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(engine: Engine, clock: Clock) -> SubmissionStore:
    return SubmissionStore(engine, clock=clock)


def new(
    submission_id: str = "s1", *, key: str = "view:V1", owner: str = "p1", **changes: object
) -> NewSubmission:
    values: dict[str, object] = {
        "id": submission_id,
        "key": key,
        "requested_by": "U1",
        "task": TASK,
        "prospects": PROSPECTS,
        "emails": (),
        "reply_to": {"channel": "C1"},
        "announce": True,
        "owner": owner,
        "lease_until": 1_800_000_020.0,
        "chunks": CHUNKS,
    }
    values.update(changes)
    return NewSubmission(**values)  # type: ignore[arg-type]


def test_a_claimed_submission_reads_back_whole_with_its_chunks_to_send(store: SubmissionStore) -> None:
    assert store.claim(new())
    stored = store.get("s1")
    assert stored is not None and stored.submission is not None
    assert stored.state is SubmissionState.SENDING and stored.announce and not stored.announced
    assert stored.submission.request == CreateTaskRequest(
        prospect_ids=("8PvBmrB7P7", "Pr9xQ2Lm", "Qz7Wx2Lm9k"), **TASK.model_dump()
    )
    assert stored.submission.prospects == PROSPECTS and stored.reply_to == {"channel": "C1"}
    assert [(c.seq, c.prospect_ids, c.state) for c in stored.chunks] == [
        (0, ("8PvBmrB7P7", "Pr9xQ2Lm"), ChunkState.PENDING),
        (1, ("Qz7Wx2Lm9k",), ChunkState.PENDING),
    ]


def test_emails_to_look_up_keep_the_submission_in_lookup_until_resolved(store: SubmissionStore) -> None:
    assert store.claim(new(emails=("jane@acme.com",), chunks=(), prospects=PROSPECTS[1:2]))
    stored = store.get("s1")
    assert stored is not None and stored.state is SubmissionState.LOOKUP and stored.submission is None
    assert stored.emails == ("jane@acme.com",) and stored.task == TASK

    assert not store.resolve_lookups(
        "s1", epoch=2, prospects=PROSPECTS, not_found=(), chunks=CHUNKS
    )  # not its lease
    assert store.resolve_lookups("s1", epoch=1, prospects=PROSPECTS, not_found=(), chunks=CHUNKS)
    stored = store.get("s1")
    assert stored is not None and stored.state is SubmissionState.SENDING and stored.submission is not None
    assert len(stored.chunks) == 2 and stored.emails == ()


def test_a_key_is_claimed_once_even_by_racing_threads(store: SubmissionStore) -> None:
    results: list[bool] = []
    barrier = threading.Barrier(8)

    def claim(n: int) -> None:
        barrier.wait()
        results.append(store.claim(new(f"s{n}")))

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True]


def test_a_chunk_is_started_once_and_only_under_the_current_lease(store: SubmissionStore) -> None:
    store.claim(new())
    assert not store.start_chunk("s1", 0, epoch=2)
    assert store.start_chunk("s1", 0, epoch=1)
    assert not store.start_chunk("s1", 0, epoch=1)  # already on its way
    outcomes = (ProspectOutcome.created("8PvBmrB7P7", "T1"), ProspectOutcome.failed("Pr9xQ2Lm", "no"))
    assert not store.finish_chunk("s1", 0, epoch=2, outcomes=outcomes, error_message=None)
    assert not store.finish_chunk("s1", 0, epoch=1, outcomes=outcomes, error_message=None, sent=False)
    assert store.finish_chunk("s1", 0, epoch=1, outcomes=outcomes, error_message=None)
    stored = store.get("s1")
    assert stored is not None and stored.submission is not None
    assert stored.submission.outcomes == outcomes
    assert stored.submission.to_retry == (PROSPECTS[1],)


def test_a_take_over_makes_the_chunk_that_was_in_flight_unknown_and_fences_the_old_owner(
    store: SubmissionStore, clock: Clock
) -> None:
    store.claim(new())
    assert store.start_chunk("s1", 0, epoch=1)  # then the process dies
    assert store.claimable(limit=10, max_failures=5) == []  # its lease has not run out yet
    clock.now += 30
    assert store.claimable(limit=10, max_failures=5) == ["s1"]
    epoch = store.take_over("s1", owner="p2", until=clock.now + 20)
    assert epoch == 2
    assert store.take_over("s1", owner="p3", until=clock.now + 20) is None

    unknown = store.interrupt_chunks(
        "s1", epoch=2, outcome_for=lambda pid: ProspectOutcome.unknown(pid, "stopped")
    )
    assert unknown == 1
    stored = store.get("s1")
    assert stored is not None and stored.submission is not None and stored.submission.interrupted
    assert [o.status for o in stored.submission.outcomes] == [OutcomeStatus.UNKNOWN] * 2
    assert [c.state for c in stored.chunks] == [ChunkState.ANSWERED, ChunkState.PENDING]
    # The old owner, had it lived, can no longer move anything.
    assert not store.start_chunk("s1", 1, epoch=1)
    assert not store.finish_chunk("s1", 1, epoch=1, outcomes=(), error_message="x", sent=False)
    assert not store.to_reporting("s1", epoch=2)  # and nobody reports while a chunk is unanswered
    assert store.start_chunk("s1", 1, epoch=2)
    assert (
        store.interrupt_chunks("s1", epoch=2, outcome_for=lambda pid: ProspectOutcome.unknown(pid, "x")) == 0
    )


def test_a_chunk_that_proved_unsent_is_pending_again(store: SubmissionStore) -> None:
    """A 429 or a connection that never opened: nothing was created, so a crash while waiting to send it
    again must not make it unknown."""
    store.claim(new())
    assert store.start_chunk("s1", 0, epoch=1)
    assert store.unstart_chunk("s1", 0, epoch=1)
    stored = store.get("s1")
    assert stored is not None and stored.chunks[0].state is ChunkState.PENDING


def test_racing_take_overs_have_one_winner(store: SubmissionStore, clock: Clock) -> None:
    store.claim(new(lease_until=clock.now - 1))
    winners: list[int | None] = []
    barrier = threading.Barrier(6)

    def take(n: int) -> None:
        barrier.wait()
        winners.append(store.take_over("s1", owner=f"p{n}", until=clock.now + 20))

    threads = [threading.Thread(target=take, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(winners, key=lambda w: w is None) == [2, None, None, None, None, None]


def test_leases_are_renewed_released_and_lost(store: SubmissionStore, clock: Clock) -> None:
    store.claim(new("s1", key="k1"))
    store.claim(new("s2", key="k2"))
    clock.now += 15
    assert store.renew("p1", {"s1": 1, "s2": 1}, until=clock.now + 20) == {"s1", "s2"}
    clock.now += 15
    assert store.claimable(limit=10, max_failures=5) == []  # renewed: still held
    store.release("s2", epoch=1)
    assert store.claimable(limit=10, max_failures=5) == ["s2"]
    store.take_over("s2", owner="p1", until=clock.now + 20)  # even by the same process: a new epoch
    assert store.renew("p1", {"s1": 1, "s2": 1}, until=clock.now + 20) == {"s1"}
    assert store.renew("p1", {"s2": 2}, until=clock.now + 20) == {"s2"}


def test_finished_failing_and_command_line_submissions_are_not_taken_over(
    store: SubmissionStore, clock: Clock
) -> None:
    store.claim(new("s1", key="k1", lease_until=clock.now - 1))
    for epoch in (1, 2, 3):  # graceful hand-overs do not count; failed runs do
        assert store.release("s1", epoch=epoch) == 0
        assert store.take_over("s1", owner="p2", until=clock.now - 1) == epoch + 1
    assert store.claimable(limit=10, max_failures=1) == ["s1"]
    for epoch in (4, 5, 6):
        assert store.release("s1", epoch=epoch, failed=True) == epoch - 3  # the failures so far
        assert store.take_over("s1", owner="p2", until=clock.now - 1) == epoch + 1
    assert store.release("s1", epoch=6, failed=True) is None  # an old lease: nothing released or counted
    assert store.claimable(limit=10, max_failures=3) == []
    store.claim(new("s2", key="k2", chunks=CHUNKS[1:], prospects=PROSPECTS[2:]))
    store.start_chunk("s2", 1, epoch=1)
    store.finish_chunk("s2", 1, epoch=1, outcomes=(), error_message=None)
    assert store.to_reporting("s2", epoch=1) and store.finish("s2", epoch=1)
    store.claim(new("s3", key="k3", lease_until=clock.now - 1, resumable=False))
    clock.now += 60
    assert store.claimable(limit=10, max_failures=5) == ["s1"]


def test_the_store_is_shared_between_processes_through_the_database(database_url: str, clock: Clock) -> None:
    first, second = open_database(database_url), open_database(database_url)
    try:
        assert SubmissionStore(first, clock=clock).claim(new())
        assert not SubmissionStore(second, clock=clock).claim(new("s2"))
        assert SubmissionStore(second, clock=clock).get("s1") is not None
    finally:
        first.dispose()
        second.dispose()


_FORKSERVER = multiprocessing.get_context("forkserver")
_FORKSERVER.set_forkserver_preload(["bot.store"])


def _head_revision() -> str:
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


@pytest.mark.slow
def test_several_processes_upgrading_an_empty_database_at_once_all_start(empty_database_url: str) -> None:
    # Processes of their own, forked from a server that has imported the app once (a fresh interpreter
    # each would spend a second on imports before racing).
    processes = [_FORKSERVER.Process(target=open_database, args=(empty_database_url,)) for _ in range(3)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=60)
    assert [p.exitcode for p in processes] == [0, 0, 0]
    engine = create_engine(empty_database_url)
    try:
        assert {"submissions", "submission_chunks", "rate_limit_windows"} <= set(
            inspect(engine).get_table_names()
        )
        with engine.connect() as connection:
            version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        assert version == _head_revision()
    finally:
        engine.dispose()


def test_an_unknown_submission_is_none(store: SubmissionStore) -> None:
    assert store.get("nope") is None


# ---- SQLite only ---------------------------------------------------------------------------------------


def test_an_unreachable_database_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreUnavailableError, match="DATABASE_URL"):
        open_database(f"sqlite:///{tmp_path / 'no-such-dir' / 'x.sqlite3'}")
    path = tmp_path / "gone.sqlite3"
    engine = open_database(f"sqlite:///{path}")
    engine.dispose()
    path.unlink()
    path.mkdir()  # the database file is now something SQLite cannot open
    with pytest.raises(StoreUnavailableError):
        SubmissionStore(engine, clock=Clock()).claim(new())


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_an_in_memory_database_is_refused_because_threads_and_workers_would_not_share_it(url: str) -> None:
    with pytest.raises(StoreUnavailableError, match="file"):
        open_database(url)


def test_file_databases_run_in_wal_mode_for_concurrent_writers(tmp_path: Path) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'wal.sqlite3'}")
    try:
        with engine.connect() as connection:  # the pragma is per database file: ask it directly
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        engine.dispose()


OLD_SCHEMA = """CREATE TABLE submissions (
    id VARCHAR(32) NOT NULL, idempotency_key VARCHAR(255) NOT NULL, created_at DATETIME NOT NULL,
    requested_by VARCHAR(64) NOT NULL, retry_of VARCHAR(32), request_json TEXT NOT NULL,
    prospects_json TEXT NOT NULL, outcomes_json TEXT, reply_to_json TEXT NOT NULL,
    PRIMARY KEY (id), UNIQUE (idempotency_key))"""
"""The table exactly as the version before migrations made it (`create_all` of its Table)."""


def test_a_database_from_the_version_before_migrations_upgrades_without_losing_a_submission(
    tmp_path: Path,
) -> None:
    path = tmp_path / "saleshandy-tasks.sqlite3"
    request = CreateTaskRequest(prospect_ids=("8PvBmrB7P7", "Pr9xQ2Lm"), **TASK.model_dump())
    outcomes = [
        {"prospect_id": "8PvBmrB7P7", "status": "created", "task_id": "T1", "reason": None},
        {"prospect_id": "Pr9xQ2Lm", "status": "failed", "task_id": None, "reason": "no such prospect"},
    ]
    with sqlite3.connect(path) as old:
        old.execute(OLD_SCHEMA)
        old.execute(
            "INSERT INTO submissions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                "old1",
                "command:T1",
                "2026-11-28 10:00:00.000000",
                "U1",
                None,
                request.model_dump_json(),
                json.dumps([p.model_dump() for p in PROSPECTS[:2]]),
                json.dumps(outcomes),
                json.dumps({"channel": "C1", "user": "U1", "thread_ts": "1.2"}),
            ),
        )
        old.execute(
            "INSERT INTO submissions VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?)",
            (
                "old2",
                "command:T2",
                "2026-11-28 10:05:00.000000",
                "U1",
                None,
                request.model_dump_json(),
                json.dumps([p.model_dump() for p in PROSPECTS[:2]]),
                json.dumps({"channel": "C1", "user": "U1"}),
            ),
        )
    engine = open_database(f"sqlite:///{path}")
    try:
        stored = SubmissionStore(engine, clock=Clock()).get("old1")
        assert stored is not None and stored.submission is not None
        assert stored.state is SubmissionState.DONE and stored.reply_to["thread_ts"] == "1.2"
        assert stored.submission.request == request
        assert stored.submission.to_retry == (PROSPECTS[1],)  # its Retry button still works
        assert SubmissionStore(engine, clock=Clock()).claimable(limit=10, max_failures=5) == []
        cut_off = SubmissionStore(engine, clock=Clock()).get("old2")
        assert cut_off is not None and cut_off.submission is not None  # recorded, then its process died
        assert [o.status for o in cut_off.submission.outcomes] == [OutcomeStatus.UNKNOWN] * 2
        assert cut_off.submission.to_retry == PROSPECTS[:2]  # offered by Retry, with its warning
    finally:
        engine.dispose()


def test_a_lease_of_a_process_of_this_machine_that_died_is_taken_over_without_waiting(
    store: SubmissionStore, clock: Clock
) -> None:
    import socket

    from bot.service.tasks import owner_is_dead_here

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    dead = f"{socket.gethostname()}:{gone.pid}:n0nce"
    alive = f"{socket.gethostname()}:{os.getpid()}:n0nce"
    elsewhere = f"another-machine:{gone.pid}:n0nce"
    store.claim(new("s1", key="k1", owner=dead))
    store.claim(new("s2", key="k2", owner=elsewhere))
    assert store.claimable(limit=10, max_failures=5) == []  # both leases still run
    leased = store.leased_on(socket.gethostname(), max_failures=5)
    assert leased == [("s1", dead)]
    assert owner_is_dead_here(dead) and not owner_is_dead_here(alive) and not owner_is_dead_here(elsewhere)
    assert store.take_over("s2", owner="p9", until=clock.now + 20, from_dead_owner=dead) is None
    assert store.take_over("s1", owner="p9", until=clock.now + 20, from_dead_owner=dead) == 2
