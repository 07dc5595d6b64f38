"""How the workflow talks to whoever asked: Slack posts in threads, the CLI prints. Both implement this.

`reply_to` is the port's own description of where things go (a channel and thread, a response_url…):
the service stores it and hands it back, never reads it. Each posting method returns where the next
post should go (a thread once announced, the rep once a channel refused).
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from typing import Any, Protocol

from bot.domain import EmailNotFound, Submission
from bot.saleshandy import ProspectVerdict, SaleshandyError

ReplyTo = dict[str, Any]
Message = dict[str, Any]


class ServiceVerdict(Enum):
    """The service's own verdicts on one prospect or email (beside Saleshandy's `ProspectVerdict`):
    facts, worded for people by the Reporter."""

    IN_FLIGHT_WHEN_STOPPED = "in_flight_when_stopped"
    """The app stopped while the prospect's request was on its way to Saleshandy: it may exist."""
    KEY_GONE = "key_gone"
    """The Saleshandy account the submission acts with was disconnected: nothing was sent."""
    NO_KEY = "no_key"
    """No Saleshandy account is connected at all (neither the rep's nor the workspace's)."""
    NO_PROSPECT_WITH_EMAIL = "no_prospect_with_email"
    """The lookup was made: no prospect in Saleshandy has this email."""


class ServiceNotice(Enum):
    """What the service tells the rep about a request as a whole (worded by the Reporter)."""

    STORE_UNAVAILABLE = "store_unavailable"
    """The request (a submission, a retry) could not be recorded: nothing was created."""
    PAUSED_STORE_UNAVAILABLE = "paused_store_unavailable"
    """The database went away mid-way: the work is paused and goes on by itself once it is back."""
    SOMETHING_WENT_WRONG = "something_went_wrong"
    """An unexpected failure (told with its error id): some tasks may have been created."""


class Reporter(Protocol):
    def announce(self, submission: Submission, reply_to: ReplyTo) -> ReplyTo:
        """Say what was asked, before the tasks are created (a parent message whose thread gets the
        results). Raises on failure: the results then say it themselves."""

    def results(
        self, submission: Submission, *, headline: str | None, say_what_was_asked: bool
    ) -> Sequence[Message]:
        """The messages that report every prospect (pure: the same submission gives the same messages,
        so a report interrupted half-way can be finished)."""

    def nobody_found(self, not_found: Sequence[EmailNotFound]) -> Message:
        """The answer when no prospect could be found for any email: nothing was created."""

    def say_error(self, error: SaleshandyError, *, rep_key: bool) -> str:
        """What `error` means to the rep, in their words (kept with the prospects it failed, and said
        above them). `rep_key`: the request used the rep's own key, not the workspace's or the app's."""

    def say_verdict(self, verdict: ProspectVerdict | ServiceVerdict) -> str:
        """What a verdict on one prospect (Saleshandy's or the service's) means to the rep (kept with
        that prospect)."""

    def say_email_not_found(self, why: SaleshandyError | ServiceVerdict, *, rep_key: bool) -> str:
        """Why an email gave no prospect, in the rep's words (kept with the email): no prospect has it,
        or the lookup could not be made (an error, no key). `rep_key` as for `say_error`."""

    def say_notice(self, notice: ServiceNotice, *, error_id: str | None = None) -> str:
        """What the rep is told about their request as a whole (`error_id`: the failure's, if any)."""

    def notice(self, text: str) -> Message:
        """A plain notice (one `say_notice` worded…)."""

    def post(self, reply_to: ReplyTo, message: Message, *, private: bool = False) -> ReplyTo:
        """Deliver one message where `reply_to` says (`private`: to the rep alone)."""

    def finished(
        self, submission: Submission | None, not_found: Sequence[EmailNotFound], reply_to: ReplyTo
    ) -> None:
        """The report is all posted: whoever waits on the outcome hears it (a workflow step completes).
        Called again when a run resumed after a crash that came just after it: it must be harmless then.
        Raises when it may work later (the run is then tried again)."""

    def gave_up(self, reply_to: ReplyTo, *, retry: bool) -> None:
        """The submission's runs kept failing: it is left for an operator, and whoever waits on its
        outcome hears that now, once (a workflow step fails; `retry`: a retry of failures, whose step the
        first run ended). Raises when they cannot be told."""
