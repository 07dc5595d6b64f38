"""The use case: a submission becomes create-task calls, and each prospect an outcome that is remembered."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any

from bot.domain import CreateTaskRequest, EmailNotFound, ProspectRef, Submission
from bot.saleshandy import FoundProspect, SaleshandyClient, SaleshandyError
from bot.store import StoreUnavailableError, SubmissionStore

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SubmissionResult:
    """A submission with its outcomes, and a plain-words headline when the API failed as a whole."""

    submission: Submission
    headline: str | None
    saved: bool = True
    """False when the store could not record the outcomes: they are known, but a retry cannot find them."""


LOOKUP_THREADS = 4
"""Email lookups at once per submission: enough to overlap the API's latency, few enough that the
rate limit, not the thread count, is what paces a long list."""
NO_PROSPECT_WITH_EMAIL = "no prospect with this email in Saleshandy"
SUGGESTIONS_MAX = 20
"""Prospects suggested at most for one query of the picker: one search page of 20."""
SUGGESTION_MIN_CHARS = 2
"""Shorter queries match too much to be worth a call."""


class RetryRefused(Enum):
    UNKNOWN_SUBMISSION = "unknown_submission"
    """The store has no such submission (a database reset, another deployment's button)."""
    NOTHING_TO_RETRY = "nothing_to_retry"
    ALREADY_RETRIED = "already_retried"
    """Retried before (maybe still running): a double click, or an old button."""


class TaskService:
    def __init__(
        self,
        client: SaleshandyClient,
        store: SubmissionStore,
        *,
        new_id: Callable[[], str] = lambda: uuid.uuid4().hex,
    ) -> None:
        self._client = client
        self._store = store
        self._new_id = new_id

    def open(
        self,
        *,
        key: str,
        request: CreateTaskRequest,
        prospects: tuple[ProspectRef, ...],
        requested_by: str,
        reply_to: dict[str, Any],
        retry_of: str | None = None,
        not_found: tuple[EmailNotFound, ...] = (),
    ) -> Submission | None:
        """Record a submission under the idempotency `key`; None when that key was seen before."""
        submission = Submission(
            id=self._new_id(),
            request=request,
            prospects=prospects,
            requested_by=requested_by,
            retry_of=retry_of,
            not_found=not_found,
        )
        return submission if self._store.claim(key, submission, reply_to=reply_to) else None

    def find_by_email(
        self, emails: Sequence[str]
    ) -> tuple[tuple[ProspectRef, ...], tuple[EmailNotFound, ...]]:
        """The prospects these emails belong to (named "Jane Doe · Acme · jane@acme.com"), and those
        not found. Lookups run in parallel; the client keeps them within the rate limit, and its cache
        makes each distinct email one API call at most."""
        with ThreadPoolExecutor(LOOKUP_THREADS, thread_name_prefix="lookup") as pool:
            answers = list(pool.map(self._look_up, emails))
        found = tuple(prospect for prospect, _ in answers if prospect is not None)
        return found, tuple(missing for _, missing in answers if missing is not None)

    def suggest_prospects(self, text: str) -> tuple[FoundProspect, ...]:
        """Prospects whose name or email contain `text` (up to 20, in the API's order), for the
        prospect picker: one search (kept briefly by the client's cache). No call, and nothing, for
        text shorter than 2 characters (blanks aside). Raises the client's SaleshandyError."""
        if len(" ".join(text.split())) < SUGGESTION_MIN_CHARS:
            return ()
        result = self._client.search_prospects(text, page_size=SUGGESTIONS_MAX)
        return result.prospects[:SUGGESTIONS_MAX]

    def _look_up(self, email: str) -> tuple[ProspectRef | None, EmailNotFound | None]:
        try:
            prospect = self._client.find_prospect_by_email(email)
        except SaleshandyError as error:
            return None, EmailNotFound(email, f"could not look this email up: {error}")
        if prospect is None:
            return None, EmailNotFound(email, NO_PROSPECT_WITH_EMAIL)
        return ProspectRef(id=prospect.id, display_name=prospect.label), None

    def run(self, submission: Submission) -> SubmissionResult:
        """Call Saleshandy for every prospect of the submission and remember what became of each."""
        result = self._client.create_tasks(submission.request)
        saved = True
        try:
            self._store.record_outcomes(submission.id, result.outcomes)
        except StoreUnavailableError:
            # The tasks exist (or not) whatever the store says: what Saleshandy did is still reported.
            logger.exception("could not record the outcomes of submission %s", submission.id)
            saved = False
        headline = " ".join(dict.fromkeys(str(error) for error in result.errors)) or None
        return SubmissionResult(replace(submission, outcomes=result.outcomes), headline, saved)

    def open_retry(
        self, submission_id: str, *, requested_by: str
    ) -> tuple[Submission, dict[str, Any]] | RetryRefused:
        """A new submission for exactly the prospects that failed, once per submission; or why not."""
        stored = self._store.get(submission_id)
        if stored is None:
            return RetryRefused.UNKNOWN_SUBMISSION
        if not stored.submission.to_retry:
            return RetryRefused.NOTHING_TO_RETRY
        original = stored.submission
        prospects = original.to_retry
        retry = self.open(
            key=f"retry-of:{submission_id}",
            request=original.request.for_prospects(tuple(p.id for p in prospects)),
            prospects=prospects,
            requested_by=requested_by,
            reply_to=stored.reply_to,
            retry_of=submission_id,
        )
        return RetryRefused.ALREADY_RETRIED if retry is None else (retry, stored.reply_to)

    def update_reply_to(self, submission_id: str, reply_to: dict[str, Any]) -> None:
        """Remember where the results went (for a retry's report); a store outage only costs that."""
        try:
            self._store.update_reply_to(submission_id, reply_to)
        except StoreUnavailableError:
            logger.warning("could not record where submission %s reports", submission_id, exc_info=True)
