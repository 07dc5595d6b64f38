"""Remembers every submission: to refuse a double submit, to retry exactly the failures, as an audit trail.

SQLAlchemy Core over one table; a SQLite file by default, any SQLAlchemy URL (PostgreSQL with several
app processes) through DATABASE_URL. The uniqueness of `idempotency_key` is what makes a double-submitted
modal or a double-clicked retry create nothing twice, across threads and processes alike.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    insert,
    make_url,
    select,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError

from bot.domain import (
    CreateTaskRequest,
    OutcomeStatus,
    ProspectOutcome,
    ProspectRef,
    Submission,
)

_metadata = MetaData()

submissions = Table(
    "submissions",
    _metadata,
    Column("id", String(32), primary_key=True),
    Column("idempotency_key", String(255), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("requested_by", String(64), nullable=False),
    Column("retry_of", String(32), nullable=True),
    Column("request_json", Text, nullable=False),
    Column("prospects_json", Text, nullable=False),
    Column("outcomes_json", Text, nullable=True),
    Column("reply_to_json", Text, nullable=False),
)


class StoreUnavailableError(Exception):
    """The database could not be reached or written; nothing was recorded."""


@dataclass(frozen=True)
class StoredSubmission:
    """A submission with where its results go (opaque to the store: the Slack layer owns its shape)."""

    submission: Submission
    reply_to: dict[str, Any]


class SubmissionStore:
    def __init__(self, database_url: str) -> None:
        self._engine = _engine_for(database_url)
        try:
            _metadata.create_all(self._engine)
        except OperationalError as error:
            raise StoreUnavailableError(
                "the submissions database cannot be opened; check DATABASE_URL"
            ) from error

    def close(self) -> None:
        self._engine.dispose()

    def claim(self, key: str, submission: Submission, *, reply_to: dict[str, Any]) -> bool:
        """Record a new submission under `key`; False when that key was claimed before."""
        row = {
            "id": submission.id,
            "idempotency_key": key,
            "created_at": datetime.datetime.now(datetime.UTC),
            "requested_by": submission.requested_by,
            "retry_of": submission.retry_of,
            "request_json": submission.request.model_dump_json(),
            "prospects_json": json.dumps([p.model_dump() for p in submission.prospects]),
            "outcomes_json": None,
            "reply_to_json": json.dumps(reply_to),
        }
        try:
            with self._engine.begin() as connection:
                connection.execute(insert(submissions).values(**row))
        except IntegrityError:
            return False
        except OperationalError as error:
            raise StoreUnavailableError("the submissions database is unavailable") from error
        return True

    def record_outcomes(self, submission_id: str, outcomes: tuple[ProspectOutcome, ...]) -> None:
        encoded = json.dumps([_outcome_to_dict(o) for o in outcomes])
        try:
            with self._engine.begin() as connection:
                connection.execute(
                    update(submissions)
                    .where(submissions.c.id == submission_id)
                    .values(outcomes_json=encoded)
                )
        except OperationalError as error:
            raise StoreUnavailableError("the submissions database is unavailable") from error

    def update_reply_to(self, submission_id: str, reply_to: dict[str, Any]) -> None:
        try:
            with self._engine.begin() as connection:
                connection.execute(
                    update(submissions)
                    .where(submissions.c.id == submission_id)
                    .values(reply_to_json=json.dumps(reply_to))
                )
        except OperationalError as error:
            raise StoreUnavailableError("the submissions database is unavailable") from error

    def get(self, submission_id: str) -> StoredSubmission | None:
        try:
            with self._engine.connect() as connection:
                row = connection.execute(
                    select(submissions).where(submissions.c.id == submission_id)
                ).mappings().first()
        except OperationalError as error:
            raise StoreUnavailableError("the submissions database is unavailable") from error
        return None if row is None else _stored_from_row(row)


def _engine_for(database_url: str) -> Engine:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        raise StoreUnavailableError(
            "an in-memory SQLite database is not shared between the app's threads and processes; "
            "give DATABASE_URL a file (sqlite:///tasks.sqlite3) or a server"
        )
    engine = create_engine(database_url, pool_pre_ping=True)
    if url.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_for_concurrent_writers)
    return engine


def _sqlite_for_concurrent_writers(connection: Any, _record: Any) -> None:
    # WAL lets readers and a writer work at once across the workers' processes, and NORMAL syncs at
    # checkpoints instead of every commit (still durable across a crash of the app): under a burst
    # of submissions this is the difference between queueing on the disk and not.
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _outcome_to_dict(outcome: ProspectOutcome) -> dict[str, Any]:
    return {
        "prospect_id": outcome.prospect_id,
        "status": outcome.status.value,
        "task_id": outcome.task_id,
        "reason": outcome.reason,
    }


def _stored_from_row(row: Any) -> StoredSubmission:
    outcomes = tuple(
        ProspectOutcome(
            prospect_id=o["prospect_id"],
            status=OutcomeStatus(o["status"]),
            task_id=o["task_id"],
            reason=o["reason"],
        )
        for o in json.loads(row["outcomes_json"] or "[]")
    )
    submission = Submission(
        id=row["id"],
        request=CreateTaskRequest.model_validate_json(row["request_json"]),
        prospects=tuple(ProspectRef(**p) for p in json.loads(row["prospects_json"])),
        requested_by=row["requested_by"],
        outcomes=outcomes,
        retry_of=row["retry_of"],
    )
    return StoredSubmission(submission, json.loads(row["reply_to_json"]))
