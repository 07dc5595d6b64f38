"""The use case, whole: a rep's draft becomes recorded work, then Saleshandy tasks, then a report.

    intake (record, leased)  →  look up emails  →  announce  →  create in chunks  →  report  →  done

Every step starts from what the database says and writes its result there before the next one, so any
process can take over a submission whose process died (`resume_abandoned`): the chunk that was in
flight then is reported UNKNOWN, never sent again without the rep's say. Entry points (Slack listeners,
the CLI) only parse and hand a draft to `submit`; they hear back through their `Reporter`.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import partial
from typing import TypeVar

from bot.domain import EmailNotFound, ProspectOutcome, ProspectRef, TaskDraft, TaskFields
from bot.metrics import Metrics
from bot.parsing.prospects import dedupe_prospects
from bot.saleshandy import FoundProspect, SaleshandyClient, SaleshandyError
from bot.service.lookups import ProspectLookups
from bot.service.ports import ReplyTo, Reporter
from bot.service.runner import BackgroundRunner
from bot.store import (
    Chunk,
    ChunkState,
    NewSubmission,
    StoredSubmission,
    StoreUnavailableError,
    SubmissionState,
    SubmissionStore,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")

LEASE_SECONDS = 20.0
"""How long a submission stays with a process that stops renewing it (a dead one): after this, another
process takes it over. Renewed every LEASE_SECONDS / 4 while the work goes on."""
RESUME_EVERY_SECONDS = 5.0
"""How often each process looks for abandoned submissions (and once at start-up)."""
RETRY_FAILED_RUN_AFTER_SECONDS = 60.0
"""A run that failed unexpectedly (Slack unreachable while reporting, a bug) is tried again after this."""
MAX_RESUMES = 5
"""A submission that keeps failing is not taken over forever: after this many take-overs it is left
for an operator (it stays in the database with its progress)."""
STORE_RETRY_WAITS = (0.2, 0.5, 1.0, 2.0, 4.0)
"""Waits between tries of a write the work cannot go on without (the database away for a moment)."""


IN_FLIGHT_WHEN_STOPPED = (
    "The app stopped while this request was on its way to Saleshandy; the task may have been created "
    "— check Saleshandy before retrying."
)
STORE_UNAVAILABLE = (
    "I could not record this request (our database is unavailable right now), so nothing was created. "
    "Please try again in a minute."
)
PAUSED_STORE_UNAVAILABLE = (
    "Our database became unavailable, so I paused creating these tasks. Nothing was sent twice: "
    "the work goes on by itself once the database is back, and the results will be posted here."
)
SOMETHING_WENT_WRONG = (
    "Something went wrong on our side while creating these tasks (error id {error_id}). "
    "Some may have been created: check Saleshandy before trying again."
)


class RetryRefused(Enum):
    UNKNOWN_SUBMISSION = "unknown_submission"
    """The store has no such submission (a database reset, another deployment's button)."""
    NOTHING_TO_RETRY = "nothing_to_retry"
    ALREADY_RETRIED = "already_retried"
    """Retried before (maybe still running): a double click, or an old button."""


@dataclass(frozen=True)
class RetryStarted:
    submission_id: str
    prospects: int


class _LostLease(Exception):
    """Another process holds the submission now (this one was too slow to renew): stop touching it."""


class _Paused(Exception):
    """The work cannot go on now (a graceful stop, the database away): it is left for a resume."""

    def __init__(self, reply_to: ReplyTo | None = None) -> None:
        super().__init__()
        self.reply_to = reply_to
        """Where to say so (the database away), or None (a graceful stop says nothing: it resumes)."""


def process_owner_id() -> str:
    """Who holds a lease: the machine, the process, and a nonce (pids are reused after a restart)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class TaskService:
    def __init__(
        self,
        *,
        client: SaleshandyClient,
        store: SubmissionStore,
        reporter: Reporter,
        runner: BackgroundRunner,
        owner: str | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        new_id: Callable[[], str] = lambda: uuid.uuid4().hex,
        lease_seconds: float = LEASE_SECONDS,
        metrics: Metrics | None = None,
    ) -> None:
        self._client = client
        self._store = store
        self._reporter = reporter
        self._runner = runner
        self._owner = owner or process_owner_id()
        self._clock = clock
        self._sleep = sleep
        self._new_id = new_id
        self._lease_seconds = lease_seconds
        self._metrics = metrics or Metrics()
        self._lookups = ProspectLookups(client, runner)
        self._held: dict[str, int] = {}
        """Submissions this process is working on (or has queued), with their lease epochs."""

    # ---- entry points -------------------------------------------------------------------------------

    def submit(self, *, key: str, draft: TaskDraft, reply_to: ReplyTo, announce: bool) -> None:
        """Record `draft` under the idempotency `key` and do the work, all in the background (the
        caller has acked). A key seen before does nothing: a double submit or a replayed request."""
        self._runner.run(
            lambda: self._intake(key, draft, reply_to, announce),
            what=f"submission {key}",
            on_failure=lambda error_id: self._tell(reply_to, SOMETHING_WENT_WRONG.format(error_id=error_id)),
        )

    def run_now(self, *, key: str, draft: TaskDraft, reply_to: ReplyTo) -> StoredSubmission | None:
        """`submit`, in this thread, start to finish (the command line); the submission as it ended, or
        None when nothing was recorded (the key was seen before, or the store is unavailable)."""
        submission_id = self._intake(key, draft, reply_to, announce=False)
        return None if submission_id is None else self._store.get(submission_id)

    def retry(
        self,
        submission_id: str,
        *,
        requested_by: str,
        reply_to: Callable[[ReplyTo], ReplyTo],
    ) -> RetryStarted | RetryRefused:
        """A new submission for exactly the prospects that failed, once per submission; or why not.
        `reply_to` says where its report goes, given where the original's went. Raises
        StoreUnavailableError when that cannot be known or recorded now."""
        stored = self._store.get(submission_id)
        if stored is None or stored.submission is None:
            return RetryRefused.UNKNOWN_SUBMISSION
        original = stored.submission
        prospects = original.to_retry
        if not prospects:
            return RetryRefused.NOTHING_TO_RETRY
        new = self._new_submission(
            key=f"retry-of:{submission_id}",
            requested_by=requested_by,
            task=TaskFields(**original.request.model_dump(exclude={"prospect_ids"})),
            prospects=prospects,
            emails=(),
            reply_to=reply_to(stored.reply_to),
            announce=False,
            retry_of=submission_id,
        )
        if not self._store.claim(new):
            return RetryRefused.ALREADY_RETRIED
        self._start(new.id, epoch=1, reply_to=new.reply_to)
        return RetryStarted(new.id, len(prospects))

    def resume_abandoned(self) -> int:
        """Take over unfinished submissions nobody holds (their process died or stopped), as many as
        this process has room for; how many were taken."""
        if self._runner.stopping.is_set():
            return 0
        room = max(0, self._runner.capacity - self._runner.busy)
        taken = 0
        for submission_id in self._store.claimable(limit=room, max_resumes=MAX_RESUMES):
            epoch = self._store.take_over(submission_id, owner=self._owner, until=self._lease_end())
            if epoch is None:
                continue  # another process was quicker
            stored = self._store.get(submission_id)
            logger.info("resuming submission %s (take-over %d)", submission_id, epoch)
            self._metrics.submissions_resumed.inc()
            self._start(submission_id, epoch=epoch, reply_to=stored.reply_to if stored else {})
            taken += 1
        return taken

    def renew_leases(self) -> None:
        """Keep the leases of the submissions this process works on; forget those it lost."""
        held = dict(self._held)
        kept = self._store.renew(self._owner, held, until=self._lease_end())
        for submission_id in set(held) - kept:
            logger.warning("lost the lease of submission %s to another process", submission_id)
            self._held.pop(submission_id, None)

    def start_background_duties(self) -> None:
        """Resume abandoned work now and periodically, and keep this process's leases alive."""
        self._runner.every(RESUME_EVERY_SECONDS, self.resume_abandoned, what="resume")
        renew = self._lease_seconds / 4
        self._runner.every(renew, self.renew_leases, what="lease renewal", first_after=renew)

    def release_all(self) -> None:
        """A graceful stop: give up the leases of everything not finished, for another process now."""
        for submission_id in list(self._held):
            try:
                self._store.release(submission_id, owner=self._owner)
            except StoreUnavailableError:
                logger.warning("could not release submission %s; its lease will expire", submission_id)
        self._held.clear()

    # ---- lookups and suggestions --------------------------------------------------------------------

    def find_by_email(
        self, emails: Sequence[str]
    ) -> tuple[tuple[ProspectRef, ...], tuple[EmailNotFound, ...]]:
        return self._lookups.find_by_email(emails)

    def suggest_prospects(self, text: str) -> tuple[FoundProspect, ...]:
        return self._lookups.suggest(text)

    # ---- the workflow -------------------------------------------------------------------------------

    def _intake(self, key: str, draft: TaskDraft, reply_to: ReplyTo, announce: bool) -> str | None:
        new = self._new_submission(
            key=key,
            requested_by=str(reply_to.get("user", "")),
            task=draft.task_fields(),
            prospects=dedupe_prospects(draft.prospects),
            emails=draft.emails,
            reply_to=reply_to,
            announce=announce,
        )
        try:
            claimed = self._store.claim(new)
        except StoreUnavailableError:
            logger.exception("could not record submission %s", key)
            self._tell(reply_to, STORE_UNAVAILABLE)
            return None
        if not claimed:
            logger.info("duplicate submission %s ignored", key)
            return None
        self._held[new.id] = 1
        self.process(new.id, epoch=1)
        return new.id

    def _start(self, submission_id: str, *, epoch: int, reply_to: ReplyTo) -> None:
        self._held[submission_id] = epoch
        self._runner.run(
            lambda: self.process(submission_id, epoch=epoch),
            what=f"submission {submission_id}",
            on_failure=lambda error_id: self._tell(reply_to, SOMETHING_WENT_WRONG.format(error_id=error_id)),
        )

    def process(self, submission_id: str, *, epoch: int) -> None:
        """Take the submission from wherever it is to DONE, step by step, while `epoch` holds it."""
        try:
            stored = self._load(submission_id)
            if stored.state is SubmissionState.LOOKUP:
                stored = self._look_up_emails(stored, epoch)
            if stored.announce and not stored.announced and stored.submission is not None:
                stored = self._announce(stored)
            if stored.state is SubmissionState.SENDING:
                stored = self._send_chunks(stored, epoch)
            if stored.state is SubmissionState.REPORTING:
                self._report(stored, epoch)
            self._held.pop(submission_id, None)
        except _LostLease:
            self._held.pop(submission_id, None)
        except _Paused as paused:
            self._release(submission_id)
            if paused.reply_to is not None:
                self._tell(paused.reply_to, PAUSED_STORE_UNAVAILABLE)
        except Exception:
            self._release(submission_id, retry_after=RETRY_FAILED_RUN_AFTER_SECONDS)
            raise

    def _look_up_emails(self, stored: StoredSubmission, epoch: int) -> StoredSubmission:
        found, not_found = self.find_by_email(stored.emails)
        # A prospect named by ID and by email is one prospect, shown with the name its lookup found.
        prospects = dedupe_prospects((*stored.prospects, *found))
        chunks = self._chunked(prospects)
        if not self._with_store(
            lambda: self._store.resolve_lookups(
                stored.id, epoch=epoch, prospects=prospects, not_found=not_found, chunks=chunks
            )
        ):
            raise _LostLease
        return self._load(stored.id)

    def _announce(self, stored: StoredSubmission) -> StoredSubmission:
        assert stored.submission is not None
        try:
            reply_to = self._reporter.announce(stored.submission, stored.reply_to)
        except Exception:
            # The tasks matter more than the announcement: the results will say what was asked.
            logger.exception("could not announce submission %s", stored.id)
            return stored
        self._with_store(lambda: self._store.set_reply_to(stored.id, reply_to, announced=True))
        return self._load(stored.id)

    def _send_chunks(self, stored: StoredSubmission, epoch: int) -> StoredSubmission:
        assert stored.submission is not None
        interrupted = self._with_store(
            lambda: self._store.interrupt_chunks(
                stored.id,
                epoch=epoch,
                outcome_for=lambda pid: ProspectOutcome.unknown(pid, IN_FLIGHT_WHEN_STOPPED),
            )
        )
        if interrupted:
            logger.info(
                "submission %s: %d chunk(s) were in flight when stopped: unknown", stored.id, interrupted
            )
        request = stored.submission.request
        blocking: SaleshandyError | None = None
        for chunk in self._load(stored.id).chunks:
            if chunk.state is not ChunkState.PENDING:
                continue
            if blocking is not None:
                # The rest would meet the same wall (a bad key, the API unreachable): not sent.
                self._record_unsent(stored.id, chunk, blocking)
                continue
            if self._runner.stopping.is_set():
                raise _Paused
            started = self._with_store(
                partial(self._store.start_chunk, stored.id, chunk.seq, epoch=epoch), stored.reply_to
            )
            if not started:
                raise _LostLease
            result = self._client.create_chunk(request.for_prospects(chunk.prospect_ids))
            message = result.error.message if result.error is not None else None
            self._with_store(
                partial(
                    self._store.finish_chunk,
                    stored.id,
                    chunk.seq,
                    attempt=epoch,
                    outcomes=result.outcomes,
                    error_message=message,
                ),
                stored.reply_to,
            )
            if result.error is not None and result.error.stops_batch:
                blocking = result.error
        if not self._with_store(lambda: self._store.to_reporting(stored.id, epoch=epoch)):
            raise _LostLease
        return self._load(stored.id)

    def _record_unsent(self, submission_id: str, chunk: Chunk, error: SaleshandyError) -> None:
        outcomes = [
            ProspectOutcome(pid, error.outcome_status, reason=error.message) for pid in chunk.prospect_ids
        ]
        self._with_store(
            lambda: self._store.finish_chunk(
                submission_id,
                chunk.seq,
                attempt=None,
                outcomes=outcomes,
                error_message=error.message,
                from_state=ChunkState.PENDING,
            )
        )

    def _report(self, stored: StoredSubmission, epoch: int) -> None:
        messages, private = self._report_messages(stored)
        reply_to = stored.reply_to
        for part in range(stored.report_parts_posted, len(messages)):
            reply_to = self._reporter.post(reply_to, messages[part], private=private)
            self._with_store(
                partial(
                    self._store.report_part_posted, stored.id, epoch=epoch, parts=part + 1, reply_to=reply_to
                )
            )
        self._with_store(lambda: self._store.finish(stored.id, epoch=epoch))
        for outcome in stored.submission.outcomes if stored.submission else ():
            self._metrics.prospects.labels(outcome=outcome.status.value).inc()

    def _report_messages(self, stored: StoredSubmission) -> tuple[Sequence[dict[str, object]], bool]:
        submission = stored.submission
        if submission is None or not submission.outcomes:
            return [self._reporter.nobody_found(stored.not_found)], True
        headline = " ".join(dict.fromkeys(c.error_message for c in stored.chunks if c.error_message)) or None
        messages = self._reporter.results(
            submission,
            headline=headline,
            say_what_was_asked=not stored.announced and submission.retry_of is None,
        )
        return messages, False

    # ---- plumbing -----------------------------------------------------------------------------------

    def _new_submission(
        self,
        *,
        key: str,
        requested_by: str,
        task: TaskFields,
        prospects: tuple[ProspectRef, ...],
        emails: tuple[str, ...],
        reply_to: ReplyTo,
        announce: bool,
        retry_of: str | None = None,
    ) -> NewSubmission:
        return NewSubmission(
            id=self._new_id(),
            key=key,
            requested_by=requested_by,
            task=task,
            prospects=prospects,
            emails=emails,
            reply_to=reply_to,
            announce=announce,
            owner=self._owner,
            lease_until=self._lease_end(),
            retry_of=retry_of,
            chunks=() if emails else self._chunked(prospects),
        )

    def _chunked(self, prospects: Sequence[ProspectRef]) -> tuple[Chunk, ...]:
        ids = tuple(dict.fromkeys(p.id for p in prospects))
        size = self._client.chunk_size
        return tuple(
            Chunk(seq=n, prospect_ids=ids[start : start + size])
            for n, start in enumerate(range(0, len(ids), size))
        )

    def _load(self, submission_id: str) -> StoredSubmission:
        stored = self._with_store(lambda: self._store.get(submission_id))
        if stored is None:
            raise _LostLease
        return stored

    def _with_store(self, write: Callable[[], T], reply_to: ReplyTo | None = None) -> T:
        """`write`, tried again while the database is away for a moment; paused if it stays away
        (and the rep told at `reply_to`, if given)."""
        for wait in (*STORE_RETRY_WAITS, None):
            try:
                return write()
            except StoreUnavailableError:
                if self._runner.stopping.is_set():
                    raise _Paused from None
                if wait is None:
                    logger.exception("the database stayed unavailable; pausing this submission")
                    raise _Paused(reply_to) from None
                self._sleep(wait)
        raise AssertionError("unreachable")

    def _release(self, submission_id: str, *, retry_after: float | None = None) -> None:
        self._held.pop(submission_id, None)
        until = None if retry_after is None else self._clock() + retry_after
        try:
            self._store.release(submission_id, owner=self._owner, until=until)
        except StoreUnavailableError:
            logger.warning("could not release submission %s; its lease will expire", submission_id)

    def _tell(self, reply_to: ReplyTo, text: str) -> None:
        self._reporter.post(reply_to, self._reporter.notice(text), private=True)

    def _lease_end(self) -> float:
        return self._clock() + self._lease_seconds
