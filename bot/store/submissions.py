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
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, OperationalError

from bot.domain import (
    EmailNotFound,
    ProspectOutcome,
    ProspectRef,
)
from bot.store.database import StoreUnavailableError
from bot.store.records import (
    UNFINISHED,
    Chunk,
    ChunkState,
    NewSubmission,
    StoredSubmission,
    SubmissionState,
    outcomes_json,
    prospects_json,
    request_json,
    stored_from_rows,
)
from bot.store.schema import submission_chunks as chunks_table
from bot.store.schema import submissions

T = TypeVar("T")


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
            "request_json": request_json(new.task, new.chunks) if not new.emails else None,
            "prospects_json": prospects_json(new.prospects),
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
            "failures": 0,
            "resumable": new.resumable,
            "updated_at": now,
            "team_id": new.team_id,
            "key_source": new.key_source,
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
            "prospects_json": prospects_json(prospects),
            "not_found_json": json.dumps([[m.email, m.reason] for m in not_found]),
            "request_json": request_json(stored.task, chunks) if chunks else None,
            "emails_json": None,
            "state": SubmissionState.SENDING if chunks else SubmissionState.REPORTING,
        }

        def insert_chunks(connection: Connection) -> bool:
            _insert_chunks(connection, submission_id, chunks)
            return True

        return bool(
            self._held_write(
                submission_id, epoch, in_state=SubmissionState.LOOKUP, then=insert_chunks, **values
            )
        )

    # ---- progress: every write holds the submission's row under the caller's lease epoch ----------
    # Updating the submission's row first (on the lease epoch) locks it for the transaction, so a
    # take-over (an UPDATE of the same row) and these writes happen one after the other, never
    # interleaved, on PostgreSQL (row lock) and SQLite (database lock) alike.

    def announced(self, submission_id: str, *, epoch: int, reply_to: dict[str, Any]) -> bool:
        """The parent message was posted: results go in its thread now."""
        return self._held_write(submission_id, epoch, announced=True, reply_to_json=json.dumps(reply_to))

    def start_chunk(self, submission_id: str, seq: int, *, epoch: int) -> bool:
        """Mark a chunk as being sent, if it is still pending and the lease still ours: only then may
        it be sent. Recorded before the request leaves, so a crash leaves it SENDING (unknown)."""
        statement = (
            update(chunks_table)
            .where(
                chunks_table.c.submission_id == submission_id,
                chunks_table.c.seq == seq,
                chunks_table.c.state == ChunkState.PENDING,
            )
            .values(state=ChunkState.SENDING, attempt=epoch, sent_at=self._clock())
        )
        return self._held_write(submission_id, epoch, then=lambda c: c.execute(statement).rowcount == 1)

    def unstart_chunk(self, submission_id: str, seq: int, *, epoch: int) -> bool:
        """The chunk's request proved not to have been sent (a 429, a connection that never opened):
        pending again, so a crash while waiting to send it again does not make it unknown."""
        statement = (
            update(chunks_table)
            .where(
                chunks_table.c.submission_id == submission_id,
                chunks_table.c.seq == seq,
                chunks_table.c.state == ChunkState.SENDING,
                chunks_table.c.attempt == epoch,
            )
            .values(state=ChunkState.PENDING, attempt=None, sent_at=None)
        )
        return self._held_write(submission_id, epoch, then=lambda c: c.execute(statement).rowcount == 1)

    def finish_chunk(
        self,
        submission_id: str,
        seq: int,
        *,
        epoch: int,
        outcomes: Sequence[ProspectOutcome],
        error_message: str | None,
        sent: bool = True,
    ) -> bool:
        """Record a chunk's outcomes: one this lease sent (SENDING under `epoch`), or one it decided
        not to send (`sent=False`: still PENDING)."""
        condition = [chunks_table.c.submission_id == submission_id, chunks_table.c.seq == seq]
        if sent:
            condition += [chunks_table.c.state == ChunkState.SENDING, chunks_table.c.attempt == epoch]
        else:
            condition.append(chunks_table.c.state == ChunkState.PENDING)
        statement = (
            update(chunks_table)
            .where(*condition)
            .values(
                state=ChunkState.ANSWERED,
                outcomes_json=outcomes_json(outcomes),
                error_message=error_message,
                answered_at=self._clock(),
            )
        )
        return self._held_write(submission_id, epoch, then=lambda c: c.execute(statement).rowcount == 1)

    def interrupt_chunks(
        self, submission_id: str, *, epoch: int, outcome_for: Callable[[str], ProspectOutcome]
    ) -> int:
        """Chunks left SENDING by an earlier lease were in flight when it ended: answered as
        `outcome_for` each prospect (UNKNOWN). Returns how many chunks that was."""

        interrupted: list[int] = []

        def write(connection: Connection) -> bool:
            stale = connection.execute(
                select(chunks_table.c.seq, chunks_table.c.prospect_ids_json).where(
                    chunks_table.c.submission_id == submission_id,
                    chunks_table.c.state == ChunkState.SENDING,
                    chunks_table.c.attempt < epoch,
                )
            ).all()
            for seq, ids_json in stale:
                outcomes = [outcome_for(pid) for pid in json.loads(ids_json)]
                connection.execute(
                    update(chunks_table)
                    .where(chunks_table.c.submission_id == submission_id, chunks_table.c.seq == seq)
                    .values(
                        state=ChunkState.ANSWERED,
                        outcomes_json=outcomes_json(outcomes),
                        answered_at=self._clock(),
                    )
                )
            interrupted.append(len(stale))
            return True

        self._held_write(submission_id, epoch, then=write)
        return sum(interrupted)

    def to_reporting(self, submission_id: str, *, epoch: int) -> bool:
        """Every chunk answered: the report is next (and whether it says the work was interrupted is
        fixed now, so a report resumed half-way builds the very messages it started with)."""
        unanswered = (
            select(chunks_table.c.seq)
            .where(chunks_table.c.submission_id == submission_id, chunks_table.c.state != ChunkState.ANSWERED)
            .exists()
        )
        statement = (
            update(submissions)
            .where(
                submissions.c.id == submission_id, submissions.c.state == SubmissionState.SENDING, ~unanswered
            )
            .values(state=SubmissionState.REPORTING, report_interrupted=submissions.c.resumes > 0)
        )
        return self._held_write(submission_id, epoch, then=lambda c: c.execute(statement).rowcount == 1)

    def report_part_posted(
        self, submission_id: str, *, epoch: int, parts: int, reply_to: dict[str, Any]
    ) -> bool:
        return self._held_write(
            submission_id, epoch, report_parts_posted=parts, reply_to_json=json.dumps(reply_to)
        )

    def finish(self, submission_id: str, *, epoch: int) -> bool:
        """Done: nothing left to do; the lease is given up."""
        return self._held_write(
            submission_id, epoch, state=SubmissionState.DONE, lease_owner=None, lease_until=None
        )

    # ---- leases -------------------------------------------------------------------------------------

    def renew(self, owner: str, held: Mapping[str, int], *, until: float) -> set[str]:
        """Extend the leases `owner` still holds (submission id → epoch); the ids still held."""
        if not held:
            return set()

        def write(connection: Connection) -> set[str]:
            kept: set[str] = set()
            for submission_id, epoch in held.items():
                renewed = connection.execute(
                    update(submissions)
                    .where(
                        submissions.c.id == submission_id,
                        submissions.c.lease_owner == owner,
                        submissions.c.lease_epoch == epoch,
                    )
                    .values(lease_until=until)
                ).rowcount
                if renewed:
                    kept.add(submission_id)
            return kept

        return self._write(write)

    def release(
        self, submission_id: str, *, epoch: int, until: float | None = None, failed: bool = False
    ) -> int | None:
        """Give the lease up: any process may take the submission over at once (a graceful stop), or
        from `until` on. `failed`: the run ended in an unexpected error (counted: see `claimable`).
        How many runs have failed now; None when `epoch` no longer held the lease."""
        values: dict[str, Any] = {"lease_owner": None, "lease_until": until}
        if failed:
            values["failures"] = submissions.c.failures + 1

        def write(connection: Connection) -> int | None:
            released = connection.execute(
                update(submissions)
                .where(submissions.c.id == submission_id, submissions.c.lease_epoch == epoch)
                .values(**values)
            )
            if released.rowcount != 1:
                return None
            failures = select(submissions.c.failures).where(submissions.c.id == submission_id)
            return int(connection.execute(failures).scalar_one())

        return self._write(write)

    def claimable(self, *, limit: int, max_failures: int) -> list[str]:
        """Unfinished submissions nobody holds (a dead process's, a stopped one's), oldest first; not
        those whose runs failed `max_failures` times (a bug would repeat: left for an operator), nor
        those their own entry point finishes (the command line's)."""
        if limit <= 0:
            return []
        now = self._clock()
        statement = (
            select(submissions.c.id)
            .where(
                submissions.c.state.in_(UNFINISHED),
                _lease_free(now),
                submissions.c.failures < max_failures,
                submissions.c.resumable.is_(True),
            )
            .order_by(submissions.c.created_at)
            .limit(limit)
        )
        return self._read(lambda c: [row[0] for row in c.execute(statement)])

    def leased_on(self, host: str, *, max_failures: int) -> list[tuple[str, str]]:
        """Unfinished submissions leased by a process of `host` (owner "host:pid:nonce"): (id, owner),
        so that process can be checked for life without waiting for its lease to run out."""
        statement = select(submissions.c.id, submissions.c.lease_owner).where(
            submissions.c.state.in_(UNFINISHED),
            submissions.c.lease_owner.startswith(f"{host}:", autoescape=True),
            submissions.c.failures < max_failures,
            submissions.c.resumable.is_(True),
        )
        return self._read(lambda c: [(row[0], row[1]) for row in c.execute(statement)])

    def take_over(
        self, submission_id: str, *, owner: str, until: float, from_dead_owner: str | None = None
    ) -> int | None:
        """Take a free, unfinished submission's lease (or, with `from_dead_owner`, the lease of that
        owner, known to be dead); its new epoch, or None when someone else won."""
        now = self._clock()
        free = _lease_free(now) if from_dead_owner is None else submissions.c.lease_owner == from_dead_owner

        def write(connection: Connection) -> int | None:
            taken = connection.execute(
                update(submissions)
                .where(
                    submissions.c.id == submission_id,
                    submissions.c.state.in_(UNFINISHED),
                    free,
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
            return int(
                connection.execute(
                    select(submissions.c.lease_epoch).where(submissions.c.id == submission_id)
                ).scalar_one()
            )

        return self._write(write)

    def anonymise_team(self, team_id: str) -> int:
        return anonymise_team(self._engine, team_id)

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
            return stored_from_rows(row, chunk_rows)

        return self._read(read)

    def recent(self, team_id: str, user_id: str, *, limit: int = 10) -> list[StoredSubmission]:
        """The rep's latest submissions in the team, newest first (for their Home tab)."""
        statement = (
            select(submissions.c.id)
            .where(submissions.c.team_id == team_id, submissions.c.requested_by == user_id)
            .order_by(submissions.c.created_at.desc())
            .limit(limit)
        )
        ids = self._read(lambda c: [row[0] for row in c.execute(statement)])
        return [stored for stored in (self.get(i) for i in ids) if stored is not None]

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

    def _held_write(
        self,
        submission_id: str,
        epoch: int,
        *,
        then: Callable[[Connection], bool] | None = None,
        in_state: SubmissionState | None = None,
        **values: Any,
    ) -> bool:
        """In one transaction: update the submission's row (`values`, and the time) only while `epoch`
        holds its lease (and it is `in_state`), which locks the row; then `then`, whose answer is the
        answer. False when the lease is no longer the caller's."""
        condition = [submissions.c.id == submission_id, submissions.c.lease_epoch == epoch]
        if in_state is not None:
            condition.append(submissions.c.state == in_state)
        statement = update(submissions).where(*condition).values(updated_at=self._clock(), **values)

        def write(connection: Connection) -> bool:
            if connection.execute(statement).rowcount != 1:
                return False
            return True if then is None else then(connection)

        return self._write(write)

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


def anonymise_team(engine: Engine, team_id: str) -> int:
    """The app was uninstalled from `team_id`: its submissions keep their shape and outcomes (IDs, task
    ids, counts: the audit trail) but lose the personal data — notes, prospects' names and links, emails,
    response URLs — and unfinished ones are closed (nothing can be posted there any more). How many."""

    def write(connection: Connection) -> int:
        rows = connection.execute(
            select(
                submissions.c.id,
                submissions.c.request_json,
                submissions.c.prospects_json,
                submissions.c.not_found_json,
                submissions.c.reply_to_json,
                submissions.c.task_json,
            ).where(submissions.c.team_id == team_id)
        ).all()
        for row in rows:
            connection.execute(
                update(submissions).where(submissions.c.id == row.id).values(**_anonymised(row))
            )
        return len(rows)

    try:
        with engine.begin() as connection:
            return write(connection)
    except OperationalError as error:
        raise StoreUnavailableError("the submissions database is unavailable") from error


REMOVED = "[removed at uninstall]"


def _anonymised(row: Any) -> dict[str, Any]:
    def without_note(text: str | None) -> str | None:
        if text is None:
            return None
        data = json.loads(text)
        data["task_note"] = None
        return json.dumps(data)

    reply_to = json.loads(row.reply_to_json)
    return {
        "request_json": without_note(row.request_json),
        "task_json": without_note(row.task_json),
        "prospects_json": json.dumps([{"id": p["id"]} for p in json.loads(row.prospects_json)]),
        "not_found_json": json.dumps(
            [[REMOVED, reason] for _, reason in json.loads(row.not_found_json or "[]")]
        ),
        "emails_json": None,
        "reply_to_json": json.dumps({"channel": reply_to.get("channel"), "user": reply_to.get("user")}),
        "state": SubmissionState.DONE,
        "lease_owner": None,
        "lease_until": None,
    }
