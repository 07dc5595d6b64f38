"""Every submission and its progress: what is left to do is always in the database before it is done.

A submission moves LOOKUP (emails to look up) → SENDING (chunks to send) → REPORTING (results to post)
→ DONE. Its chunks move PENDING → SENDING → ANSWERED. Whoever holds a submission's lease (an owner
and an epoch that grows at every take-over) may move it on; every write checks the epoch, so a process
that lost its lease can no longer change anything. A chunk found SENDING under an older epoch was in
flight when its process died: its prospects become UNKNOWN, never sent again without the rep's say.

The uniqueness of `idempotency_key` refuses a double-submitted modal or a double-clicked retry, across
threads and processes alike.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import exists, func, insert, or_, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, OperationalError

from bot.domain import (
    CreateTaskRequest,
    EmailNotFound,
    OutcomeStatus,
    ProspectOutcome,
    ProspectRef,
    Submission,
    TaskFields,
)
from bot.store.database import StoreUnavailableError
from bot.store.schema import submission_chunks as chunks_table
from bot.store.schema import submissions

T = TypeVar("T")


class SubmissionState(StrEnum):
    LOOKUP = "lookup"
    SENDING = "sending"
    REPORTING = "reporting"
    DONE = "done"


class ChunkState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    ANSWERED = "answered"


@dataclass(frozen=True)
class Chunk:
    """One create-task request's worth of prospects, and what became of it."""

    seq: int
    prospect_ids: tuple[str, ...]
    state: ChunkState = ChunkState.PENDING
    attempt: int | None = None
    outcomes: tuple[ProspectOutcome, ...] = ()
    error_message: str | None = None


@dataclass(frozen=True)
class NewSubmission:
    """What intake records: the task, who it is for (IDs known, emails to look up), where to report."""

    id: str
    key: str
    requested_by: str
    task: TaskFields
    prospects: tuple[ProspectRef, ...]
    emails: tuple[str, ...]
    reply_to: dict[str, Any]
    announce: bool
    owner: str
    lease_until: float
    retry_of: str | None = None
    chunks: tuple[Chunk, ...] = ()
    """Given when there is nothing to look up (no emails): the submission starts SENDING."""


@dataclass(frozen=True)
class StoredSubmission:
    """A submission as recorded, with its progress. `submission` is None while emails are looked up."""

    id: str
    submission: Submission | None
    reply_to: dict[str, Any]
    state: SubmissionState = SubmissionState.DONE
    announce: bool = False
    announced: bool = False
    task: TaskFields | None = None
    prospects: tuple[ProspectRef, ...] = ()
    emails: tuple[str, ...] = ()
    not_found: tuple[EmailNotFound, ...] = ()
    requested_by: str = ""
    retry_of: str | None = None
    chunks: tuple[Chunk, ...] = ()
    lease_epoch: int = 0
    resumes: int = 0
    report_parts_posted: int = 0


class SubmissionStore:
    def __init__(self, engine: Engine, *, clock: Callable[[], float]) -> None:
        self._engine = engine
        self._clock = clock

    # ---- intake -----------------------------------------------------------------------------------

    def claim(self, new: NewSubmission) -> bool:
        """Record a new submission under its key, leased to `new.owner`; False when the key was seen."""
        now = self._clock()
        row = {
            "id": new.id,
            "idempotency_key": new.key,
            "created_at": datetime.datetime.fromtimestamp(now, datetime.UTC),
            "requested_by": new.requested_by,
            "retry_of": new.retry_of,
            "request_json": _request_json(new.task, new.chunks) if not new.emails else None,
            "prospects_json": _prospects_json(new.prospects),
            "reply_to_json": json.dumps(new.reply_to),
            "state": SubmissionState.LOOKUP if new.emails else SubmissionState.SENDING,
            "announce": new.announce,
            "announced": False,
            "task_json": new.task.model_dump_json(),
            "emails_json": json.dumps(list(new.emails)) if new.emails else None,
            "lease_owner": new.owner,
            "lease_until": new.lease_until,
            "lease_epoch": 1,
            "resumes": 0,
            "report_parts_posted": 0,
            "updated_at": now,
        }

        def write(connection: Connection) -> None:
            connection.execute(insert(submissions).values(**row))
            _insert_chunks(connection, new.id, new.chunks)

        try:
            self._write(write)
        except IntegrityError:
            return False
        return True

    def resolve_lookups(
        self,
        submission_id: str,
        *,
        epoch: int,
        prospects: tuple[ProspectRef, ...],
        not_found: tuple[EmailNotFound, ...],
        chunks: tuple[Chunk, ...],
    ) -> bool:
        """The emails are looked up: the prospects found, those not found, and the chunks to send
        (none when nobody was found: then it goes straight to reporting)."""
        stored = self.get(submission_id)
        if stored is None or stored.task is None:
            return False
        values = {
            "prospects_json": _prospects_json(prospects),
            "not_found_json": json.dumps([[m.email, m.reason] for m in not_found]),
            "request_json": _request_json(stored.task, chunks) if chunks else None,
            "emails_json": None,
            "state": SubmissionState.SENDING if chunks else SubmissionState.REPORTING,
        }

        def write(connection: Connection) -> bool:
            held = self._update_held(
                connection, submission_id, epoch, in_state=SubmissionState.LOOKUP, **values
            )
            if not held:
                return False
            _insert_chunks(connection, submission_id, chunks)
            return True

        return self._write(write)

    # ---- progress -----------------------------------------------------------------------------------

    def set_reply_to(
        self, submission_id: str, reply_to: dict[str, Any], *, announced: bool | None = None
    ) -> None:
        """Where the results go now (a thread once announced, the rep once the channel refused)."""
        values: dict[str, Any] = {"reply_to_json": json.dumps(reply_to)}
        if announced is not None:
            values["announced"] = announced
        self._write(lambda c: self._update(c, submission_id, **values))

    def start_chunk(self, submission_id: str, seq: int, *, epoch: int) -> bool:
        """Mark a chunk as being sent, if it is still pending and the lease still ours: only then may
        it be sent. Recorded before the request leaves, so a crash leaves it SENDING (unknown)."""
        held = exists().where(submissions.c.id == submission_id, submissions.c.lease_epoch == epoch)
        statement = (
            update(chunks_table)
            .where(
                chunks_table.c.submission_id == submission_id,
                chunks_table.c.seq == seq,
                chunks_table.c.state == ChunkState.PENDING,
                held,
            )
            .values(state=ChunkState.SENDING, attempt=epoch, sent_at=self._clock())
        )
        return self._write(lambda c: c.execute(statement).rowcount == 1)

    def finish_chunk(
        self,
        submission_id: str,
        seq: int,
        *,
        attempt: int | None,
        outcomes: Sequence[ProspectOutcome],
        error_message: str | None,
        from_state: ChunkState = ChunkState.SENDING,
    ) -> bool:
        """Record a chunk's outcomes: one it sent (`attempt`), or one never sent (`from_state` PENDING)."""
        condition = [
            chunks_table.c.submission_id == submission_id,
            chunks_table.c.seq == seq,
            chunks_table.c.state == from_state,
        ]
        if from_state is ChunkState.SENDING:
            condition.append(chunks_table.c.attempt == attempt)
        statement = (
            update(chunks_table)
            .where(*condition)
            .values(
                state=ChunkState.ANSWERED,
                outcomes_json=_outcomes_json(outcomes),
                error_message=error_message,
                answered_at=self._clock(),
            )
        )
        return self._write(lambda c: c.execute(statement).rowcount == 1)

    def interrupt_chunks(
        self, submission_id: str, *, epoch: int, outcome_for: Callable[[str], ProspectOutcome]
    ) -> int:
        """Chunks left SENDING by an earlier lease were in flight when it ended: answered as
        `outcome_for` each prospect (UNKNOWN). Returns how many chunks that was."""
        stored = self.get(submission_id)
        if stored is None:
            return 0
        stale = [c for c in stored.chunks if c.state is ChunkState.SENDING and c.attempt != epoch]
        for chunk in stale:
            outcomes = [outcome_for(pid) for pid in chunk.prospect_ids]
            self.finish_chunk(
                submission_id, chunk.seq, attempt=chunk.attempt, outcomes=outcomes, error_message=None
            )
        return len(stale)

    def to_reporting(self, submission_id: str, *, epoch: int) -> bool:
        return self._write(
            lambda c: self._update_held(
                c,
                submission_id,
                epoch,
                in_state=SubmissionState.SENDING,
                state=SubmissionState.REPORTING,
                report_interrupted=submissions.c.resumes > 0,
            )
        )

    def report_part_posted(
        self, submission_id: str, *, epoch: int, parts: int, reply_to: dict[str, Any]
    ) -> None:
        self._write(
            lambda c: self._update_held(
                c, submission_id, epoch, report_parts_posted=parts, reply_to_json=json.dumps(reply_to)
            )
        )

    def finish(self, submission_id: str, *, epoch: int) -> None:
        """Done: nothing left to do; the lease is given up."""
        self._write(
            lambda c: self._update_held(
                c, submission_id, epoch, state=SubmissionState.DONE, lease_owner=None, lease_until=None
            )
        )

    # ---- leases -------------------------------------------------------------------------------------

    def renew(self, owner: str, submission_ids: Iterable[str], *, until: float) -> set[str]:
        """Extend the leases `owner` still holds; the ids it still holds."""
        ids = list(submission_ids)
        if not ids:
            return set()

        def write(connection: Connection) -> set[str]:
            connection.execute(
                update(submissions)
                .where(submissions.c.id.in_(ids), submissions.c.lease_owner == owner)
                .values(lease_until=until)
            )
            held = connection.execute(
                select(submissions.c.id).where(submissions.c.id.in_(ids), submissions.c.lease_owner == owner)
            )
            return {row[0] for row in held}

        return self._write(write)

    def release(self, submission_id: str, *, owner: str, until: float | None = None) -> None:
        """Give the lease up: any process may take the submission over at once (a graceful stop),
        or from `until` on (a run that failed, tried again later)."""
        self._write(
            lambda c: c.execute(
                update(submissions)
                .where(submissions.c.id == submission_id, submissions.c.lease_owner == owner)
                .values(lease_owner=None, lease_until=until)
            )
        )

    def claimable(self, *, limit: int, max_resumes: int) -> list[str]:
        """Unfinished submissions nobody holds (a dead process's, a stopped one's), oldest first;
        not those taken over `max_resumes` times already (they keep failing: left for an operator)."""
        if limit <= 0:
            return []
        now = self._clock()
        statement = (
            select(submissions.c.id)
            .where(
                submissions.c.state != SubmissionState.DONE,
                _lease_free(now),
                submissions.c.resumes < max_resumes,
            )
            .order_by(submissions.c.created_at)
            .limit(limit)
        )
        return self._read(lambda c: [row[0] for row in c.execute(statement)])

    def take_over(self, submission_id: str, *, owner: str, until: float) -> int | None:
        """Take a free, unfinished submission's lease; its new epoch, or None when someone else won."""
        now = self._clock()

        def write(connection: Connection) -> int | None:
            taken = connection.execute(
                update(submissions)
                .where(
                    submissions.c.id == submission_id,
                    submissions.c.state != SubmissionState.DONE,
                    _lease_free(now),
                )
                .values(
                    lease_owner=owner,
                    lease_until=until,
                    lease_epoch=submissions.c.lease_epoch + 1,
                    resumes=submissions.c.resumes + 1,
                    updated_at=now,
                )
            )
            if taken.rowcount != 1:
                return None
            epoch = connection.execute(
                select(submissions.c.lease_epoch).where(submissions.c.id == submission_id)
            ).scalar_one()
            return int(epoch)

        return self._write(write)

    # ---- reading ------------------------------------------------------------------------------------

    def get(self, submission_id: str) -> StoredSubmission | None:
        def read(connection: Connection) -> StoredSubmission | None:
            row = (
                connection.execute(select(submissions).where(submissions.c.id == submission_id))
                .mappings()
                .first()
            )
            if row is None:
                return None
            chunk_rows = (
                connection.execute(
                    select(chunks_table)
                    .where(chunks_table.c.submission_id == submission_id)
                    .order_by(chunks_table.c.seq)
                )
                .mappings()
                .all()
            )
            return _stored_from_rows(row, chunk_rows)

        return self._read(read)

    def counts(self) -> dict[str, int]:
        """Submissions by state, and those resumed after an interruption (for the metrics)."""

        def read(connection: Connection) -> dict[str, int]:
            by_state = connection.execute(
                select(submissions.c.state, func.count()).group_by(submissions.c.state)
            ).all()
            resumed = connection.execute(select(func.count()).where(submissions.c.resumes > 0)).scalar_one()
            return {**{str(state): int(n) for state, n in by_state}, "resumed": int(resumed)}

        return self._read(read)

    # ---- plumbing -----------------------------------------------------------------------------------

    def _update(self, connection: Connection, submission_id: str, **values: Any) -> bool:
        values["updated_at"] = self._clock()
        result = connection.execute(
            update(submissions).where(submissions.c.id == submission_id).values(**values)
        )
        return bool(result.rowcount == 1)

    def _update_held(
        self,
        connection: Connection,
        submission_id: str,
        epoch: int,
        *,
        in_state: SubmissionState | None = None,
        **values: Any,
    ) -> bool:
        """Update the submission only while `epoch` holds its lease (and it is `in_state`, if given)."""
        condition = [submissions.c.id == submission_id, submissions.c.lease_epoch == epoch]
        if in_state is not None:
            condition.append(submissions.c.state == in_state)
        values["updated_at"] = self._clock()
        result = connection.execute(update(submissions).where(*condition).values(**values))
        return bool(result.rowcount == 1)

    def _write(self, work: Callable[[Connection], T]) -> T:
        try:
            with self._engine.begin() as connection:
                return work(connection)
        except OperationalError as error:
            raise StoreUnavailableError("the submissions database is unavailable") from error

    def _read(self, work: Callable[[Connection], T]) -> T:
        try:
            with self._engine.connect() as connection:
                return work(connection)
        except OperationalError as error:
            raise StoreUnavailableError("the submissions database is unavailable") from error


def _lease_free(now: float) -> Any:
    return or_(submissions.c.lease_until.is_(None), submissions.c.lease_until < now)


def _insert_chunks(connection: Connection, submission_id: str, chunks: Sequence[Chunk]) -> None:
    if not chunks:
        return
    connection.execute(
        insert(chunks_table),
        [
            {
                "submission_id": submission_id,
                "seq": chunk.seq,
                "prospect_ids_json": json.dumps(list(chunk.prospect_ids)),
                "state": ChunkState.PENDING,
            }
            for chunk in chunks
        ],
    )


def _request_json(task: TaskFields, chunks: Sequence[Chunk]) -> str:
    return task.for_prospects(tuple(pid for c in chunks for pid in c.prospect_ids)).model_dump_json()


def _prospects_json(prospects: Sequence[ProspectRef]) -> str:
    return json.dumps([p.model_dump() for p in prospects])


def _outcomes_json(outcomes: Sequence[ProspectOutcome]) -> str:
    return json.dumps(
        [
            {"prospect_id": o.prospect_id, "status": o.status.value, "task_id": o.task_id, "reason": o.reason}
            for o in outcomes
        ]
    )


def _outcomes_from(text: str | None) -> tuple[ProspectOutcome, ...]:
    return tuple(
        ProspectOutcome(
            prospect_id=o["prospect_id"],
            status=OutcomeStatus(o["status"]),
            task_id=o["task_id"],
            reason=o["reason"],
        )
        for o in json.loads(text or "[]")
    )


def _stored_from_rows(row: Any, chunk_rows: Sequence[Any]) -> StoredSubmission:
    chunks = tuple(
        Chunk(
            seq=c["seq"],
            prospect_ids=tuple(json.loads(c["prospect_ids_json"])),
            state=ChunkState(c["state"]),
            attempt=c["attempt"],
            outcomes=_outcomes_from(c["outcomes_json"]),
            error_message=c["error_message"],
        )
        for c in chunk_rows
    )
    prospects = tuple(ProspectRef(**p) for p in json.loads(row["prospects_json"]))
    not_found = tuple(
        EmailNotFound(email, reason) for email, reason in json.loads(row["not_found_json"] or "[]")
    )
    if chunks:
        outcomes = tuple(o for c in chunks if c.state is ChunkState.ANSWERED for o in c.outcomes)
    else:
        outcomes = _outcomes_from(row["outcomes_json"])  # recorded before chunks existed
    submission = None
    if row["request_json"] is not None:
        submission = Submission(
            id=row["id"],
            request=CreateTaskRequest.model_validate_json(row["request_json"]),
            prospects=prospects,
            requested_by=row["requested_by"],
            outcomes=outcomes,
            retry_of=row["retry_of"],
            not_found=not_found,
            interrupted=row["resumes"] > 0
            if row["report_interrupted"] is None
            else row["report_interrupted"],
        )
    return StoredSubmission(
        id=row["id"],
        submission=submission,
        reply_to=json.loads(row["reply_to_json"]),
        state=SubmissionState(row["state"]),
        announce=bool(row["announce"]),
        announced=bool(row["announced"]),
        task=TaskFields.model_validate_json(row["task_json"]) if row["task_json"] else None,
        prospects=prospects,
        emails=tuple(json.loads(row["emails_json"] or "[]")),
        not_found=not_found,
        requested_by=row["requested_by"],
        retry_of=row["retry_of"],
        chunks=chunks,
        lease_epoch=int(row["lease_epoch"]),
        resumes=int(row["resumes"]),
        report_parts_posted=int(row["report_parts_posted"]),
    )


__all__ = [
    "Chunk",
    "ChunkState",
    "NewSubmission",
    "StoreUnavailableError",
    "StoredSubmission",
    "SubmissionState",
    "SubmissionStore",
]
