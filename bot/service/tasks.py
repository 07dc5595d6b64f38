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
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import partial
from typing import TypeVar

from bot.domain import EmailNotFound, ProspectRef, TaskDraft, TaskFields
from bot.metrics import Metrics
from bot.parsing.prospects import dedupe_prospects
from bot.saleshandy import FoundProspect, SaleshandyClient
from bot.service.accounts import Acting, ClientSource, FixedClient, KeySource
from bot.service.lookups import ProspectLookups
from bot.service.ports import ReplyTo, Reporter, ServiceNotice
from bot.service.run import LostLease, Paused, RunDeps, SubmissionRun, Unheard
from bot.service.runner import BackgroundRunner
from bot.store import (
    Chunk,
    NewSubmission,
    StoredSubmission,
    StoreUnavailableError,
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
MAX_FAILED_RUNS = 5
"""A submission whose runs keep failing is not tried forever: after this many it is left for an
operator, with its progress (graceful hand-overs and pauses are not failures and do not count)."""



class RetryRefused(Enum):
    UNKNOWN_SUBMISSION = "unknown_submission"
    """The store has no such submission (a database reset, another deployment's button)."""
    NOTHING_TO_RETRY = "nothing_to_retry"
    ALREADY_RETRIED = "already_retried"
    """Retried before (maybe still running): a double click, or an old button."""
    NOT_YOURS = "not_yours"
    """Pressed by someone other than the rep who made the submission: it would act as that rep."""
    NO_KEY = "no_key"
    """The rep has no Saleshandy key now (disconnected, and no workspace key)."""


@dataclass(frozen=True)
class RetryStarted:
    submission_id: str
    prospects: int


def process_owner_id() -> str:
    """Who holds a lease: the machine, the process, and a nonce (pids are reused after a restart)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def owner_is_dead_here(owner: str) -> bool:
    """True when `owner` names a process of this machine that no longer runs: its leases need not be
    waited out (a restarted app, a worker gunicorn replaced). A process of another machine, or one whose
    pid is taken again, counts as alive: its lease then runs out as usual."""
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit() or int(pid_text) == os.getpid():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # it exists, as another user
    return False


class TaskService:
    def __init__(
        self,
        *,
        client: SaleshandyClient | None = None,
        clients: ClientSource | None = None,
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
        if clients is None:
            if client is None:
                raise ValueError("TaskService needs a client or a client source")
            clients = FixedClient(client)
        self._clients = clients
        self._store = store
        self._reporter = reporter
        self._runner = runner
        self._owner = owner or process_owner_id()
        self._clock = clock
        self._sleep = sleep
        self._new_id = new_id
        self._lease_seconds = lease_seconds
        self._metrics = metrics or Metrics()
        self._lookups = ProspectLookups(None, runner)
        self._held: dict[str, int] = {}
        """Submissions this process is working on (or has queued), with their lease epochs."""
        self._held_lock = threading.Lock()
        self._run_deps = RunDeps(
            client_for=self._client_for,
            store=store,
            reporter=reporter,
            lookups=self._lookups,
            stopping=runner.stopping,
            metrics=self._metrics,
            sleep=sleep,
            chunked=self._chunked,
        )

    # ---- entry points -------------------------------------------------------------------------------

    def submit(
        self,
        *,
        key: str,
        draft: TaskDraft,
        reply_to: ReplyTo,
        announce: bool,
        acting: Acting | None = None,
    ) -> None:
        """Record `draft` under the idempotency `key` and do the work, all in the background (the
        caller has acked). A key seen before does nothing: a double submit or a replayed request.
        `acting`: whose key the work uses (by default the rep's in `reply_to`, in no particular team)."""

        def intake() -> None:
            submission_id = self._intake(key, draft, reply_to, announce, acting=acting)
            if submission_id is not None:
                self._start(submission_id, epoch=1, reply_to=reply_to)

        # Intake has threads of its own: recording is a single insert, never queued behind long work,
        # so what was acked is in the database (and resumable) within milliseconds.
        self._runner.intake(
            intake,
            what=f"submission {key}",
            on_failure=lambda error_id: self._tell(reply_to, ServiceNotice.SOMETHING_WENT_WRONG, error_id),
        )

    def record_and_start(
        self,
        *,
        key: str,
        draft: TaskDraft,
        reply_to: ReplyTo,
        announce: bool,
        acting: Acting | None = None,
    ) -> None:
        """`submit`, recorded in this thread before it returns, for a caller that acks only once the
        work is in the database (a Workflow Builder step: Slack delivers its event again until it gets
        a 200). A key seen before is left as it is (a copy of the delivery). Raises
        StoreUnavailableError when nothing could be recorded, having told nobody: the caller says so."""
        submission_id = self._record(key, draft, reply_to, announce, acting=acting)
        if submission_id is not None:
            self._start(submission_id, epoch=1, reply_to=reply_to)

    def run_now(self, *, key: str, draft: TaskDraft, reply_to: ReplyTo) -> StoredSubmission | None:
        """`submit`, in this thread, start to finish (the command line); the submission as it ended, or
        None when nothing was recorded (the key was seen before, or the store is unavailable)."""
        submission_id = self._intake(key, draft, reply_to, announce=False, resumable=False)
        if submission_id is None:
            return None
        self._process(submission_id, epoch=1)
        return self._store.get(submission_id)

    def retry(
        self,
        submission_id: str,
        *,
        requested_by: str,
        reply_to: Callable[[ReplyTo], ReplyTo],
        team_id: str | None = None,
    ) -> RetryStarted | RetryRefused:
        """A new submission for exactly the prospects that failed, once per submission; or why not.
        `reply_to` says where its report goes, given where the original's went. Only the rep who made
        the submission may retry it (it acts as them, with their key as it is now). Raises
        StoreUnavailableError when that cannot be known or recorded now."""
        stored = self._store.get(submission_id)
        if stored is None or stored.submission is None:
            return RetryRefused.UNKNOWN_SUBMISSION
        if team_id and stored.team_id and team_id != stored.team_id:
            return RetryRefused.UNKNOWN_SUBMISSION  # another workspace's: it does not exist for this one
        original = stored.submission
        if original.requested_by and requested_by != original.requested_by:
            return RetryRefused.NOT_YOURS
        prospects = original.to_retry
        if not prospects:
            return RetryRefused.NOTHING_TO_RETRY
        acting = self._clients.acting_for(stored.team_id or "", requested_by)
        if acting is None:
            return RetryRefused.NO_KEY
        new = self._new_submission(
            key=f"retry-of:{submission_id}",
            acting=acting,
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
        candidates: list[tuple[str, str | None]] = [
            (sid, None) for sid in self._store.claimable(limit=room, max_failures=MAX_FAILED_RUNS)
        ]
        candidates += [
            (sid, owner)
            for sid, owner in self._store.leased_on(socket.gethostname(), max_failures=MAX_FAILED_RUNS)
            if owner_is_dead_here(owner)
        ]
        for submission_id, dead_owner in candidates[:room]:
            epoch = self._store.take_over(
                submission_id, owner=self._owner, until=self._lease_end(), from_dead_owner=dead_owner
            )
            if epoch is None:
                continue  # another process was quicker
            stored = self._store.get(submission_id)
            logger.info("resuming submission %s (take-over %d)", submission_id, epoch)
            self._metrics.submissions_resumed.inc()
            self._start(submission_id, epoch=epoch, reply_to=stored.reply_to if stored else {})
            taken += 1
        return taken

    def renew_leases(self) -> None:
        """Keep the leases of the submissions this process works on (each under its epoch)."""
        with self._held_lock:
            held = dict(self._held)
        kept = self._store.renew(self._owner, held, until=self._lease_end())
        for submission_id in set(held) - kept:
            self._forget(submission_id, held[submission_id])  # finished meanwhile, or taken over

    def start_background_duties(self) -> None:
        """Resume abandoned work now and periodically, and keep this process's leases alive."""
        self._runner.every(RESUME_EVERY_SECONDS, self.resume_abandoned, what="resume")
        renew = self._lease_seconds / 4
        self._runner.every(renew, self.renew_leases, what="lease renewal", first_after=renew)

    def release_all(self) -> None:
        """A graceful stop: give up the leases of everything not finished, for another process now."""
        with self._held_lock:
            held = dict(self._held)
            self._held.clear()
        for submission_id, epoch in held.items():
            self._release(submission_id, epoch)

    # ---- lookups and suggestions --------------------------------------------------------------------

    def find_by_email(
        self, emails: Sequence[str], *, acting: Acting | None = None
    ) -> tuple[tuple[ProspectRef, ...], tuple[EmailNotFound, ...]]:
        rep_key = acting is not None and acting.source is KeySource.REP
        say_not_found = partial(self._reporter.say_email_not_found, rep_key=rep_key)
        client = self._client_acting(acting)
        return self._lookups.find_by_email(emails, say_not_found=say_not_found, client=client)

    def suggest_prospects(self, text: str, *, acting: Acting | None = None) -> tuple[FoundProspect, ...]:
        """The picker's suggestions, searched with the key `acting` would use (the same key as the
        submission); none without one."""
        client = self._client_acting(acting)
        if client is None:
            return ()
        return self._lookups.suggest(text, client=client)

    # ---- the workflow -------------------------------------------------------------------------------

    def _intake(
        self,
        key: str,
        draft: TaskDraft,
        reply_to: ReplyTo,
        announce: bool,
        *,
        resumable: bool = True,
        acting: Acting | None = None,
    ) -> str | None:
        """Record the submission, leased to this process; its id, or None when nothing was recorded
        (the key was seen before, or the database is away: the rep is told)."""
        try:
            return self._record(key, draft, reply_to, announce, resumable=resumable, acting=acting)
        except StoreUnavailableError:
            logger.exception("could not record submission %s", key)
            self._tell(reply_to, ServiceNotice.STORE_UNAVAILABLE)
            return None

    def _record(
        self,
        key: str,
        draft: TaskDraft,
        reply_to: ReplyTo,
        announce: bool,
        *,
        resumable: bool = True,
        acting: Acting | None = None,
    ) -> str | None:
        """Record the submission, leased to this process; its id, or None when the key was seen before.
        Raises StoreUnavailableError."""
        user = str(reply_to.get("user", ""))
        new = self._new_submission(
            key=key,
            acting=acting or self._clients.acting_for("", user),
            requested_by=str(reply_to.get("user", "")),
            task=draft.task_fields(),
            prospects=dedupe_prospects(draft.prospects),
            emails=draft.emails,
            reply_to=reply_to,
            announce=announce,
            resumable=resumable,
        )
        if not self._store.claim(new):
            logger.info("duplicate submission %s ignored", key)
            return None
        self._held[new.id] = 1
        return new.id

    def _start(self, submission_id: str, *, epoch: int, reply_to: ReplyTo) -> None:
        self._held[submission_id] = epoch
        self._runner.run(
            lambda: self._process(submission_id, epoch=epoch),
            what=f"submission {submission_id}",
            on_failure=lambda error_id: self._tell(reply_to, ServiceNotice.SOMETHING_WENT_WRONG, error_id),
        )

    def _process(self, submission_id: str, *, epoch: int) -> None:
        """Run the submission while `epoch` holds it; whatever stops the run, the lease is settled."""
        try:
            SubmissionRun(self._run_deps, submission_id, epoch).run()
        except LostLease:
            logger.info("submission %s: the lease went to another process; stopped here", submission_id)
        except Paused as paused:
            self._release(submission_id, epoch)
            if paused.reply_to is not None:
                self._tell(paused.reply_to, ServiceNotice.PAUSED_STORE_UNAVAILABLE)
        except Unheard:
            # Not the rep's trouble: the results are posted. Only the waiting step is told later.
            logger.warning("submission %s: reported; its waiter not told yet", submission_id, exc_info=True)
            self._failed(submission_id, epoch)
        except Exception:
            self._failed(submission_id, epoch)
            raise
        finally:
            self._forget(submission_id, epoch)

    # ---- plumbing -----------------------------------------------------------------------------------

    def _new_submission(
        self,
        *,
        key: str,
        acting: Acting | None,
        requested_by: str,
        task: TaskFields,
        prospects: tuple[ProspectRef, ...],
        emails: tuple[str, ...],
        reply_to: ReplyTo,
        announce: bool,
        retry_of: str | None = None,
        resumable: bool = True,
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
            resumable=resumable,
            team_id=acting.team_id if acting is not None else None,
            key_source=acting.source.value if acting is not None else None,
        )

    def _chunked(self, prospects: Sequence[ProspectRef]) -> tuple[Chunk, ...]:
        ids = tuple(dict.fromkeys(p.id for p in prospects))
        size = self._clients.chunk_size
        return tuple(
            Chunk(seq=n, prospect_ids=ids[start : start + size])
            for n, start in enumerate(range(0, len(ids), size))
        )

    def _client_acting(self, acting: Acting | None) -> SaleshandyClient | None:
        """`acting`'s client; with nobody named, the workspace's (the command line's one key)."""
        acting = acting or self._clients.acting_for("", "")
        return None if acting is None else self._clients.client_for(acting)

    def _client_for(self, stored: StoredSubmission) -> SaleshandyClient | None:
        """The client of the key `stored` acts with, as it is now (recorded before accounts: the
        workspace's)."""
        acting = Acting(
            team_id=stored.team_id or "",
            user_id=stored.requested_by,
            source=KeySource(stored.key_source or KeySource.WORKSPACE),
        )
        return self._clients.client_for(acting)

    def _forget(self, submission_id: str, epoch: int) -> None:
        # Only this epoch's entry: the same process may hold the submission again under a later one.
        with self._held_lock:
            if self._held.get(submission_id) == epoch:
                del self._held[submission_id]

    def _failed(self, submission_id: str, epoch: int) -> None:
        """A run ended in an error: the submission is tried again later. The run that would be the
        MAX_FAILED_RUNS-th failure first tells whoever waits that it is left for an operator, and
        counts itself only once they heard: a process dying in between, or Slack away, leaves the
        submission to be tried, and that said, again (a second telling is refused as done: harmless)."""
        try:
            stored = self._store.get(submission_id)
        except StoreUnavailableError:
            stored = None  # the release below will not be written either: the lease runs out
        retry_after = RETRY_FAILED_RUN_AFTER_SECONDS
        if stored is not None and stored.failed_runs + 1 >= MAX_FAILED_RUNS and not self._gave_up(stored):
            self._release(submission_id, epoch, retry_after=retry_after)
            return
        if self._release(submission_id, epoch, retry_after=retry_after, failed=True) == MAX_FAILED_RUNS:
            logger.error("submission %s: runs keep failing; left for an operator", submission_id)
            self._metrics.submissions_left_for_operator.inc()

    def _gave_up(self, stored: StoredSubmission) -> bool:
        """Tell whoever waits on `stored` that it is left for an operator; False when they could not
        be told now."""
        try:
            self._reporter.gave_up(stored.reply_to, retry=stored.retry_of is not None)
        except Exception:
            logger.exception("submission %s: could not say it is left for an operator", stored.id)
            return False
        return True

    def _release(
        self, submission_id: str, epoch: int, *, retry_after: float | None = None, failed: bool = False
    ) -> int | None:
        """Give the lease up; how many runs have failed now (None: not known, or no longer held)."""
        until = None if retry_after is None else self._clock() + retry_after
        try:
            return self._store.release(submission_id, epoch=epoch, until=until, failed=failed)
        except StoreUnavailableError:
            logger.warning("could not release submission %s; its lease will expire", submission_id)
            return None

    def _tell(self, reply_to: ReplyTo, notice: ServiceNotice, error_id: str | None = None) -> None:
        text = self._reporter.say_notice(notice, error_id=error_id)
        self._reporter.post(reply_to, self._reporter.notice(text), private=True)

    def _lease_end(self) -> float:
        return self._clock() + self._lease_seconds
