import datetime
import threading
from pathlib import Path

import pytest

from bot.domain import (
    CreateTaskRequest,
    OutcomeStatus,
    Priority,
    ProspectOutcome,
    ProspectRef,
    Submission,
    TaskType,
)
from bot.store import StoreUnavailableError, SubmissionStore

REQUEST = CreateTaskRequest(
    prospect_ids=("8PvBmrB7P7", "Pr9xQ2Lm"),
    task_type=TaskType.CALL_DEMO,
    due_date=datetime.date(2026, 12, 1),
    priority=Priority.HIGH,
    task_note="bring the deck",
)
PROSPECTS = (ProspectRef(id="8PvBmrB7P7", display_name="Jane", link="https://x.saleshandy.com/p/8PvBmrB7P7"),
             ProspectRef(id="Pr9xQ2Lm"))


def submission(submission_id: str = "s1") -> Submission:
    return Submission(id=submission_id, request=REQUEST, prospects=PROSPECTS, requested_by="U1")


@pytest.fixture
def store(tmp_path: Path) -> SubmissionStore:
    return SubmissionStore(f"sqlite:///{tmp_path / 'store.sqlite3'}")


def test_a_claimed_submission_reads_back_whole(store: SubmissionStore) -> None:
    assert store.claim("view:V1", submission(), reply_to={"channel": "C1", "thread_ts": "1.2"})
    outcomes = (ProspectOutcome.created("8PvBmrB7P7", "T1"), ProspectOutcome.failed("Pr9xQ2Lm", "no"))
    store.record_outcomes("s1", outcomes)
    stored = store.get("s1")
    assert stored is not None
    assert stored.submission == Submission(
        id="s1", request=REQUEST, prospects=PROSPECTS, requested_by="U1", outcomes=outcomes
    )
    assert stored.reply_to == {"channel": "C1", "thread_ts": "1.2"}
    assert stored.submission.to_retry == (PROSPECTS[1],)
    assert stored.submission.count(OutcomeStatus.CREATED) == 1


def test_a_key_is_claimed_once_even_by_racing_threads(store: SubmissionStore) -> None:
    results: list[bool] = []
    barrier = threading.Barrier(8)

    def claim(n: int) -> None:
        barrier.wait()
        results.append(store.claim("view:V1", submission(f"s{n}"), reply_to={}))

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True]


def test_the_store_is_shared_between_processes_through_the_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    first, second = SubmissionStore(url), SubmissionStore(url)
    assert first.claim("k", submission(), reply_to={})
    assert not second.claim("k", submission("s2"), reply_to={})
    assert second.get("s1") is not None


def test_an_unknown_submission_is_none(store: SubmissionStore) -> None:
    assert store.get("nope") is None


def test_an_unreachable_database_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreUnavailableError, match="DATABASE_URL"):
        SubmissionStore(f"sqlite:///{tmp_path / 'no-such-dir' / 'x.sqlite3'}")
    path = tmp_path / "gone.sqlite3"
    store = SubmissionStore(f"sqlite:///{path}")
    store.close()
    path.unlink()
    path.mkdir()  # the database file is now something SQLite cannot open
    with pytest.raises(StoreUnavailableError):
        store.claim("k", submission(), reply_to={})


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_an_in_memory_database_is_refused_because_threads_and_workers_would_not_share_it(url: str) -> None:
    with pytest.raises(StoreUnavailableError, match="file"):
        SubmissionStore(url)


def test_file_databases_run_in_wal_mode_for_concurrent_writers(store: SubmissionStore) -> None:
    with store._engine.connect() as connection:  # the pragma is per database file: ask it directly
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
