"""What Saleshandy's failures mean to a sales rep, in one table: an error's kind and operation decide
the sentence, its facts (status, the API's words, how long to wait) fill it in; a sentence for each
verdict an answer gives on one prospect, and for each of the service's own verdicts and notices; and why a
Workflow Builder step failed without results.

The errors (`bot/saleshandy/errors.py`), verdicts (`bot/saleshandy/responses.py`, `ServiceVerdict`) and
notices (`ServiceNotice`, in `bot/service/ports.py`) carry facts only.
Whatever tells a person about one (the results in Slack, the lookups' lines, the command line) words it
here, so it reads the same everywhere and a second caller never re-creates an error to re-word it.
"""

from __future__ import annotations

import math
from enum import Enum

from bot.saleshandy import (
    ApiTimeoutError,
    AuthenticationError,
    ConnectionFailedError,
    ConnectionLostError,
    NotFoundError,
    Operation,
    PermissionDeniedError,
    ProspectVerdict,
    RateLimitError,
    RateLimiterUnavailableError,
    SaleshandyError,
    ServerError,
    UnexpectedStatusError,
    UnreadableResponseError,
    ValidationError,
    WaitInterruptedError,
)
from bot.service import ServiceNotice, ServiceVerdict

CREATE = Operation.CREATE_TASKS
SEARCH = Operation.SEARCH_PROSPECTS
CHECK_BEFORE_RETRYING = "the task may have been created — check before retrying."
TRY_LATER = "try again in a few minutes."

REP_KEY_REJECTED = (
    "Saleshandy no longer accepts your API key (was it deleted in Saleshandy?). Connect again in the "
    "app's Home tab with a new key, then retry."
)
"""A rep's own key refused: pointing at SALESHANDY_API_KEY would not help them."""

ERROR_WORDS: dict[tuple[str, Operation | None], str] = {
    ("authentication", None): "The Saleshandy API key was rejected — check SALESHANDY_API_KEY.{said}",
    ("rep_key_rejected", CREATE): REP_KEY_REJECTED,
    ("rep_key_rejected", SEARCH): REP_KEY_REJECTED + "{said}",
    ("permission", CREATE): (
        "Saleshandy did not allow this API key's user to create these tasks — check the key's access.{said}"
    ),
    ("permission", SEARCH): (
        "Saleshandy did not allow this API key's user to search prospects — check the key's access.{said}"
    ),
    ("not_found", CREATE): (
        "Saleshandy answered 'not found' — check the prospect IDs and SALESHANDY_API_URL.{said}"
    ),
    ("not_found", SEARCH): (
        "Saleshandy answered 'not found' to the prospect search — check SALESHANDY_API_URL.{said}"
    ),
    ("validation", None): "Saleshandy refused the request{api_or_stop}",
    ("refused", None): "Saleshandy refused the request (HTTP {status}){api_colon}",
    ("rate_limit", CREATE): "Saleshandy's rate limit was reached, so nothing was created; {when}.",
    ("rate_limit", SEARCH): (
        "Saleshandy's rate limit was reached, so the prospect search was not made; {when}."
    ),
    ("limiter_unavailable", None): (
        "Our database was unavailable, so nothing was sent to Saleshandy; it goes on once it is back."
    ),
    ("wait_interrupted", None): (
        "The app is restarting, so nothing was sent yet; it goes on after the restart."
    ),
    ("server", CREATE): "Saleshandy had an internal error; " + CHECK_BEFORE_RETRYING + "{said}",
    ("server", SEARCH): "Saleshandy had an internal error searching prospects; " + TRY_LATER + "{said}",
    ("connection_failed", CREATE): "Could not reach Saleshandy, so nothing was created; " + TRY_LATER,
    ("connection_failed", SEARCH): "Could not reach Saleshandy to search prospects; " + TRY_LATER,
    ("connection_lost", CREATE): (
        "The connection to Saleshandy broke before it answered; " + CHECK_BEFORE_RETRYING
    ),
    ("connection_lost", SEARCH): (
        "The connection to Saleshandy broke during the prospect search; " + TRY_LATER
    ),
    ("timeout", CREATE): "Saleshandy did not answer in time; " + CHECK_BEFORE_RETRYING,
    ("timeout", SEARCH): "Saleshandy did not answer the prospect search in time; " + TRY_LATER,
    ("unreadable", CREATE): "Saleshandy's answer could not be read; " + CHECK_BEFORE_RETRYING,
    ("unreadable", SEARCH): "Saleshandy's answer to the prospect search could not be read.",
    ("unsure_status", CREATE): "Saleshandy answered HTTP {status}; " + CHECK_BEFORE_RETRYING,
    ("unsure_status", SEARCH): "Saleshandy answered HTTP {status} to the prospect search.",
    ("error", None): "Saleshandy answered with an error.",
}
"""(kind, operation) → the sentence; an operation of None fits both. Fields: `said` (" Saleshandy
said: …", or nothing), `status`, `api_colon` (": …", or nothing), `api_or_stop` (": …", or "."),
`when` (when to retry after a rate limit)."""

VERDICT_WORDS: dict[ProspectVerdict, str] = {
    ProspectVerdict.NOT_CREATED: (
        "Saleshandy could not create a task for this prospect — check the ID exists and your API key's "
        "user can access it."
    ),
    ProspectVerdict.NOT_REPORTED: "Saleshandy did not report on this prospect; " + CHECK_BEFORE_RETRYING,
    ProspectVerdict.CONTRADICTED: (
        "Saleshandy gave contradicting answers for this prospect; " + CHECK_BEFORE_RETRYING
    ),
    ProspectVerdict.UNCLEAR: "Saleshandy's answer about this prospect was unclear; " + CHECK_BEFORE_RETRYING,
}
"""What an answer's verdict on one prospect means (the request itself went through)."""

SERVICE_VERDICT_WORDS: dict[ServiceVerdict, str] = {
    ServiceVerdict.IN_FLIGHT_WHEN_STOPPED: (
        "The app stopped while this request was on its way to Saleshandy; the task may have been created "
        "— check Saleshandy before retrying."
    ),
    ServiceVerdict.KEY_GONE: (
        "no Saleshandy key to create it with: the Saleshandy account this was asked with was disconnected. "
        "Connect it again in the app's Home tab, then retry."
    ),
    ServiceVerdict.NO_KEY: "no Saleshandy account is connected (connect yours in the app's Home tab)",
    ServiceVerdict.NO_PROSPECT_WITH_EMAIL: "no prospect with this email in Saleshandy",
}
"""What the service's own verdict on one prospect or email means."""

LOOKUP_FAILED = "could not look this email up: {why}"
"""An email whose lookup could not be made; `why`: an error's or a verdict's sentence."""

NOTICE_WORDS: dict[ServiceNotice, str] = {
    ServiceNotice.STORE_UNAVAILABLE: (
        "I could not record this request (our database is unavailable right now), so nothing was created. "
        "Please try again in a minute."
    ),
    ServiceNotice.PAUSED_STORE_UNAVAILABLE: (
        "Our database became unavailable, so I paused creating these tasks. Nothing was sent twice: "
        "the work goes on by itself once the database is back, and the results will be posted here."
    ),
    ServiceNotice.SOMETHING_WENT_WRONG: (
        "Something went wrong on our side while creating these tasks (error id {error_id}). "
        "Some may have been created: check Saleshandy before trying again."
    ),
}
"""What the rep is told about a request as a whole. Field: `error_id`."""


class StepFailure(Enum):
    """Why a Workflow Builder step ends in failure before (or instead of) its results."""

    NO_RUNNER = "no_runner"
    NO_KEY = "no_key"
    DATABASE_AWAY = "database_away"
    STOPPED_AFTER_ERRORS = "stopped_after_errors"


STEP_FAILURE_WORDS: dict[StepFailure, str] = {
    StepFailure.NO_RUNNER: (
        "The step could not tell who ran the workflow, so it acts for nobody. If the workflow starts on its "
        "own (a schedule, a webhook), add a step before this one that a person acts on, such as a message "
        "with a button: whoever presses it runs the step."
    ),
    StepFailure.NO_KEY: (
        "No Saleshandy account to create tasks with: the person running the workflow has not connected "
        "theirs and the workspace has no key. Connect one in the app's Home tab, then run it again."
    ),
    StepFailure.DATABASE_AWAY: (
        "Our database was unavailable, so this run sent nothing to Saleshandy. Run the workflow again in a "
        "minute, unless the step's results were posted after all (Slack may deliver the step again once "
        "the database is back, and it is done then)."
    ),
    StepFailure.STOPPED_AFTER_ERRORS: (
        "Creating the Saleshandy tasks stopped after repeated errors, and an operator was told. Some tasks "
        "may exist: see the results in the thread (or check Saleshandy) before running it again."
    ),
}
"""What Workflow Builder shows the workflow's owner when the step fails for one of these reasons."""

_KINDS: dict[type[SaleshandyError], str] = {
    AuthenticationError: "authentication",
    PermissionDeniedError: "permission",
    NotFoundError: "not_found",
    ValidationError: "validation",
    RateLimitError: "rate_limit",
    RateLimiterUnavailableError: "limiter_unavailable",
    WaitInterruptedError: "wait_interrupted",
    ServerError: "server",
    ConnectionFailedError: "connection_failed",
    ConnectionLostError: "connection_lost",
    ApiTimeoutError: "timeout",
    UnreadableResponseError: "unreadable",
}


def say_error(error: SaleshandyError, *, rep_key: bool = False) -> str:
    """The sentence that tells a rep what `error` means for them. `rep_key`: the request used the rep's
    own key (not the workspace's or SALESHANDY_API_KEY), which changes what to do about a rejected key."""
    kind = _kind(error, rep_key=rep_key)
    template = ERROR_WORDS.get((kind, error.operation)) or ERROR_WORDS[(kind, None)]
    api = error.api_message
    return template.format(
        said=f" Saleshandy said: {api}" if api else "",
        status=error.status_code,
        api_colon=f": {api}" if api else "",
        api_or_stop=f": {api}" if api else ".",
        when=_when_to_retry(error.retry_after if isinstance(error, RateLimitError) else None),
    )


def say_verdict(verdict: ProspectVerdict | ServiceVerdict) -> str:
    """The sentence for one prospect the answer (or the service) did not say was created, or one email
    the service found no prospect for."""
    if isinstance(verdict, ServiceVerdict):
        return SERVICE_VERDICT_WORDS[verdict]
    return VERDICT_WORDS[verdict]


def say_email_not_found(why: SaleshandyError | ServiceVerdict, *, rep_key: bool = False) -> str:
    """Why an email gave no prospect: none has it, or the lookup could not be made (and why not)."""
    if why is ServiceVerdict.NO_PROSPECT_WITH_EMAIL:
        return say_verdict(why)
    reason = say_error(why, rep_key=rep_key) if isinstance(why, SaleshandyError) else say_verdict(why)
    return LOOKUP_FAILED.format(why=reason)


def say_notice(notice: ServiceNotice, *, error_id: str | None = None) -> str:
    """What the rep is told about their request as a whole."""
    return NOTICE_WORDS[notice].format(error_id=error_id or "unknown")


def _kind(error: SaleshandyError, *, rep_key: bool) -> str:
    if isinstance(error, UnexpectedStatusError):
        refused = error.status_code is not None and 400 <= error.status_code < 500
        return "refused" if refused else "unsure_status"
    if rep_key and isinstance(error, AuthenticationError):
        return "rep_key_rejected"
    return _KINDS.get(type(error), "error")


def _when_to_retry(wait: float | None) -> str:
    if wait is None or wait <= 60:
        return "retry in a minute"
    seconds = math.ceil(wait)
    return f"retry in {seconds} seconds (about {math.ceil(seconds / 60)} minutes)"
