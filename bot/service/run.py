"""One run of one submission under one lease epoch: from wherever the database says it is to DONE.

    look up emails  →  announce  →  send each chunk  →  report  →  done

Each step reads the database and writes its result there before the next; every write checks the
epoch (see `bot.store.submissions`), so a run whose lease was taken over stops at its next write
(`LostLease`). A run that cannot go on now (a graceful stop, the database away) stops at a safe point
(`Paused`) and leaves the rest to whichever process resumes it; one whose report is posted but
unheard (`Unheard`) is tried again later from there.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from threading import Event
from typing import TypeVar

from bot.domain import EmailNotFound, ProspectOutcome, ProspectRef
from bot.metrics import Metrics
from bot.parsing.prospects import dedupe_prospects
from bot.saleshandy import (
    ProspectVerdict,
    RateLimitError,
    RateLimiterUnavailableError,
    SaleshandyClient,
    SaleshandyError,
    WaitInterruptedError,
)
from bot.service.lookups import ProspectLookups
from bot.service.ports import Message, ReplyTo, Reporter, ServiceVerdict
from bot.store import (
    Chunk,
    ChunkState,
    StoredSubmission,
    StoreUnavailableError,
    SubmissionState,
    SubmissionStore,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")

STORE_RETRY_WAITS = (0.2, 0.5, 1.0, 2.0, 4.0)
"""Waits between tries of a write the work cannot go on without (the database away for a moment)."""


class LostLease(Exception):
    """Another run holds the submission now (this one was too slow to renew): stop touching it."""


class Unheard(Exception):
    """The report is all posted, but whoever waits on it could not be told yet (Slack away while a
    workflow step is completed): the run is tried again later, and posts nothing again."""


class Paused(Exception):
    """The work cannot go on now (a graceful stop, the database away): it is left for a resume."""

    def __init__(self, reply_to: ReplyTo | None = None) -> None:
        super().__init__()
        self.reply_to = reply_to
        """Where to say so (the database away), or None (a graceful stop says nothing: it resumes)."""


@dataclass(frozen=True)
class RunDeps:
    """What every run uses; built once by `TaskService`."""

    client_for: Callable[[StoredSubmission], SaleshandyClient | None]
    """The client of the key the submission acts with, looked up now; None when that key is gone."""
    store: SubmissionStore
    reporter: Reporter
    lookups: ProspectLookups
    stopping: Event
    metrics: Metrics
    sleep: Callable[[float], None]
    chunked: Callable[[Sequence[ProspectRef]], tuple[Chunk, ...]]


class SubmissionRun:
    def __init__(self, deps: RunDeps, submission_id: str, epoch: int) -> None:
        self._deps = deps
        self._store = deps.store
        self._id = submission_id
        self._epoch = epoch

    def run(self) -> None:
        """Take the submission to DONE; raises LostLease or Paused when it must stop before."""
        stored = self._load()
        if stored.state is SubmissionState.LOOKUP:
            stored = self._look_up_emails(stored)
        if stored.announce and not stored.announced and stored.submission is not None:
            stored = self._announce(stored)
        if stored.state is SubmissionState.SENDING:
            stored = self._send_chunks(stored)
        if stored.state is SubmissionState.REPORTING:
            self._report(stored)

    # ---- the steps ----------------------------------------------------------------------------------

    def _look_up_emails(self, stored: StoredSubmission) -> StoredSubmission:
        client = self._deps.client_for(stored)
        say_not_found = partial(self._deps.reporter.say_email_not_found, rep_key=stored.key_source == "rep")
        if client is None:
            found: tuple[ProspectRef, ...] = ()
            reason = say_not_found(ServiceVerdict.KEY_GONE)
            not_found = tuple(EmailNotFound(email, reason) for email in stored.emails)
        else:
            found, not_found = self._deps.lookups.find_by_email(
                stored.emails, client=client, say_not_found=say_not_found
            )
        # A prospect named by ID and by email is one prospect, shown with the name its lookup found.
        prospects = dedupe_prospects((*stored.prospects, *found))
        resolved = partial(
            self._store.resolve_lookups,
            self._id,
            epoch=self._epoch,
            prospects=prospects,
            not_found=not_found,
            chunks=self._deps.chunked(prospects),
        )
        self._held(resolved)
        return self._load()

    def _announce(self, stored: StoredSubmission) -> StoredSubmission:
        assert stored.submission is not None
        try:
            reply_to = self._deps.reporter.announce(stored.submission, stored.reply_to)
        except Exception:
            # The tasks matter more than the announcement: the results will say what was asked.
            logger.exception("could not announce submission %s", self._id)
            return stored
        self._held(partial(self._store.announced, self._id, epoch=self._epoch, reply_to=reply_to))
        return replace(stored, announced=True, reply_to=reply_to)

    def _send_chunks(self, stored: StoredSubmission) -> StoredSubmission:
        if self._epoch > 1 and self._interrupt_chunks_in_flight():
            stored = self._load()
        blocking: SaleshandyError | None = None
        client = self._deps.client_for(stored)
        for chunk in stored.chunks:
            if chunk.state is not ChunkState.PENDING:
                continue
            if client is None:  # the key it acts with is gone: nothing sent, safe to retry once connected
                key_gone = self._deps.reporter.say_verdict(ServiceVerdict.KEY_GONE)
                outcomes = [ProspectOutcome.failed(pid, key_gone) for pid in chunk.prospect_ids]
                self._record(chunk, outcomes, None, sent=False)
                continue
            if blocking is not None:
                # The rest would meet the same wall (a bad key, the API unreachable): not sent.
                said = self._say_error(stored, blocking)
                self._record(chunk, _outcomes_for(chunk, blocking, said), said, sent=False)
                continue
            error = self._send(client, stored, chunk)
            if error is not None and error.stops_batch and not isinstance(error, RateLimitError):
                blocking = error  # a rate limit only slows the next chunk down: it asks the window again
        self._held(partial(self._store.to_reporting, self._id, epoch=self._epoch))
        return self._load()

    def _interrupt_chunks_in_flight(self) -> int:
        """Chunks an earlier lease left being sent are unknown now; how many (a first run has none)."""
        in_flight = self._deps.reporter.say_verdict(ServiceVerdict.IN_FLIGHT_WHEN_STOPPED)
        interrupted = self._with_store(
            partial(
                self._store.interrupt_chunks,
                self._id,
                epoch=self._epoch,
                outcome_for=lambda pid: ProspectOutcome.unknown(pid, in_flight),
            )
        )
        if interrupted:
            logger.info("submission %s: %d chunk(s) in flight when stopped: unknown", self._id, interrupted)
        return interrupted

    def _send(
        self, client: SaleshandyClient, stored: StoredSubmission, chunk: Chunk
    ) -> SaleshandyError | None:
        """Send one chunk and record what became of it; its request-level error, if any."""
        assert stored.submission is not None
        sending = [False]

        def before_sending() -> bool:
            if self._deps.stopping.is_set():
                return False
            start = partial(self._store.start_chunk, self._id, chunk.seq, epoch=self._epoch)
            sending[0] = self._with_store(start, stored.reply_to)
            return sending[0]

        def after_not_sent() -> None:
            unstart = partial(self._store.unstart_chunk, self._id, chunk.seq, epoch=self._epoch)
            sending[0] = not self._with_store(unstart, stored.reply_to)

        result = client.create_chunk(
            stored.submission.request.for_prospects(chunk.prospect_ids),
            before_sending=before_sending,
            after_not_sent=after_not_sent,
        )
        if result is None:
            raise Paused if self._deps.stopping.is_set() else LostLease
        if isinstance(result.error, WaitInterruptedError):
            raise Paused
        if isinstance(result.error, RateLimiterUnavailableError):
            raise Paused(stored.reply_to)
        error = result.error
        if error is None:
            self._record(chunk, self._worded(result.outcomes, result.verdicts), None, sent=sending[0])
        else:
            said = self._say_error(stored, error)
            self._record(chunk, _outcomes_for(chunk, error, said), said, sent=sending[0])
        return error

    def _worded(
        self, outcomes: Sequence[ProspectOutcome], verdicts: Mapping[str, ProspectVerdict]
    ) -> list[ProspectOutcome]:
        """The outcomes of an answered request, each verdict (why a prospect is not CREATED) in the
        reporter's words."""
        say = self._deps.reporter.say_verdict
        return [
            replace(o, reason=say(verdicts[o.prospect_id])) if o.prospect_id in verdicts else o
            for o in outcomes
        ]

    def _say_error(self, stored: StoredSubmission, error: SaleshandyError) -> str:
        """What the rep reads about `error`: the reporter's words (a rep's own key changes the advice)."""
        return self._deps.reporter.say_error(error, rep_key=stored.key_source == "rep")

    def _record(
        self,
        chunk: Chunk,
        outcomes: Sequence[ProspectOutcome],
        error_message: str | None,
        *,
        sent: bool,
    ) -> None:
        finish = partial(
            self._store.finish_chunk,
            self._id,
            chunk.seq,
            epoch=self._epoch,
            outcomes=outcomes,
            error_message=error_message,
            sent=sent,
        )
        self._held(finish)

    def _report(self, stored: StoredSubmission) -> None:
        messages, private = self._report_messages(stored)
        reply_to = stored.reply_to
        for part in range(stored.report_parts_posted, len(messages)):
            if self._deps.stopping.is_set():
                raise Paused
            reply_to = self._deps.reporter.post(reply_to, messages[part], private=private)
            self._held(
                partial(
                    self._store.report_part_posted,
                    self._id,
                    epoch=self._epoch,
                    parts=part + 1,
                    reply_to=reply_to,
                )
            )
        try:
            self._deps.reporter.finished(stored.submission, stored.not_found, reply_to)
        except Exception as error:
            raise Unheard from error
        self._held(partial(self._store.finish, self._id, epoch=self._epoch))
        for outcome in stored.submission.outcomes if stored.submission else ():
            self._deps.metrics.prospects.labels(outcome=outcome.status.value).inc()

    def _report_messages(self, stored: StoredSubmission) -> tuple[Sequence[Message], bool]:
        """The report's messages, and whether they go to the rep alone (nobody was found: nothing to
        say in the channel)."""
        submission = stored.submission
        if submission is None or not submission.outcomes:
            return [self._deps.reporter.nobody_found(stored.not_found)], True
        headline = " ".join(dict.fromkeys(c.error_message for c in stored.chunks if c.error_message)) or None
        messages = self._deps.reporter.results(
            submission,
            headline=headline,
            say_what_was_asked=not stored.announced and submission.retry_of is None,
        )
        return messages, False

    # ---- plumbing -----------------------------------------------------------------------------------

    def _load(self) -> StoredSubmission:
        stored = self._with_store(partial(self._store.get, self._id))
        if stored is None:
            raise LostLease
        return stored

    def _held(self, write: Callable[[], bool]) -> None:
        """A write that holds only under this run's lease: LostLease when it no longer does."""
        if not self._with_store(write):
            raise LostLease

    def _with_store(self, write: Callable[[], T], reply_to: ReplyTo | None = None) -> T:
        """`write`, tried again while the database is away for a moment; paused if it stays away
        (and the rep told at `reply_to`, if given)."""
        for wait in (*STORE_RETRY_WAITS, None):
            try:
                return write()
            except StoreUnavailableError:
                if self._deps.stopping.is_set():
                    raise Paused from None
                if wait is None:
                    logger.exception("the database stayed unavailable; pausing submission %s", self._id)
                    raise Paused(reply_to) from None
                self._deps.sleep(wait)
        raise AssertionError("unreachable")


def _outcomes_for(chunk: Chunk, error: SaleshandyError, said: str) -> list[ProspectOutcome]:
    return [ProspectOutcome(pid, error.outcome_status, reason=said) for pid in chunk.prospect_ids]
