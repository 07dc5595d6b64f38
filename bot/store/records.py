"""A submission's records: its states, its chunks, what intake writes and what is read back (values only,
and their JSON columns)."""

from __future__ import annotations

import datetime
import json
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bot.domain import (
    CreateTaskRequest,
    EmailNotFound,
    OutcomeStatus,
    ProspectOutcome,
    ProspectRef,
    Submission,
    TaskFields,
)


class SubmissionState(StrEnum):
    LOOKUP = "lookup"
    SENDING = "sending"
    REPORTING = "reporting"
    DONE = "done"


UNFINISHED = (SubmissionState.LOOKUP, SubmissionState.SENDING, SubmissionState.REPORTING)


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
    resumable: bool = True
    """False for work its own entry point finishes or abandons (the command line): never taken over."""
    team_id: str | None = None
    key_source: str | None = None
    """Whose Saleshandy key the work acts with: "rep" (requested_by's own) or "workspace"."""


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
    failed_runs: int = 0
    """Runs that ended in an unexpected error (see `SubmissionStore.claimable`)."""
    team_id: str | None = None
    key_source: str | None = None
    created_at: float = 0.0


def request_json(task: TaskFields, chunks: Sequence[Chunk]) -> str:
    return task.for_prospects(tuple(pid for c in chunks for pid in c.prospect_ids)).model_dump_json()


def prospects_json(prospects: Sequence[ProspectRef]) -> str:
    return json.dumps([p.model_dump() for p in prospects])


def outcomes_json(outcomes: Sequence[ProspectOutcome]) -> str:
    return json.dumps(
        [
            {"prospect_id": o.prospect_id, "status": o.status.value, "task_id": o.task_id, "reason": o.reason}
            for o in outcomes
        ]
    )


def outcomes_from(text: str | None) -> tuple[ProspectOutcome, ...]:
    return tuple(
        ProspectOutcome(
            prospect_id=o["prospect_id"],
            status=OutcomeStatus(o["status"]),
            task_id=o["task_id"],
            reason=o["reason"],
        )
        for o in json.loads(text or "[]")
    )


def stored_from_rows(row: Any, chunk_rows: Sequence[Any]) -> StoredSubmission:
    chunks = tuple(
        Chunk(
            seq=c["seq"],
            prospect_ids=tuple(json.loads(c["prospect_ids_json"])),
            state=ChunkState(c["state"]),
            attempt=c["attempt"],
            outcomes=outcomes_from(c["outcomes_json"]),
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
        outcomes = outcomes_from(row["outcomes_json"])  # recorded before chunks existed
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
        failed_runs=int(row["failures"]),
        team_id=row["team_id"],
        key_source=row["key_source"],
        created_at=_timestamp(row["created_at"]),
    )


def _timestamp(value: Any) -> float:
    if isinstance(value, datetime.datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=datetime.UTC)
        return aware.timestamp()
    return 0.0
