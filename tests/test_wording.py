"""The one table that words Saleshandy errors for people: every kind, for each operation, filled in with
the error's facts; and the service's own verdicts and notices."""

from __future__ import annotations

import pytest

from bot.domain import OutcomeStatus
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
from bot.slack.wording import REP_KEY_REJECTED, say_email_not_found, say_error, say_notice, say_verdict

CREATE, SEARCH = Operation.CREATE_TASKS, Operation.SEARCH_PROSPECTS
KINDS: list[type[SaleshandyError]] = [
    AuthenticationError, PermissionDeniedError, NotFoundError, ValidationError, RateLimitError,
    RateLimiterUnavailableError, WaitInterruptedError, ServerError, ConnectionFailedError,
    ConnectionLostError, ApiTimeoutError, UnreadableResponseError, SaleshandyError,
]


def every_error(operation: Operation) -> list[SaleshandyError]:
    errors = [kind(operation=operation, api_message="No") for kind in KINDS if kind is not RateLimitError]
    return [
        *errors,
        RateLimitError(operation=operation, retry_after=5),
        UnexpectedStatusError(operation=operation, status_code=409, api_message="Conflict"),
        UnexpectedStatusError(operation=operation, status_code=302),
    ]


@pytest.mark.parametrize("operation", [CREATE, SEARCH])
def test_every_error_has_a_whole_sentence(operation: Operation) -> None:
    for error in every_error(operation):
        said = say_error(error)
        assert said[0].isupper() and "{" not in said and "None" not in said, said


def test_a_create_that_may_have_landed_says_so_and_no_other_does() -> None:
    for error in every_error(CREATE):
        assert ("may have been created" in say_error(error)) is error.may_have_landed, say_error(error)


def test_a_search_is_worded_as_a_search_and_never_as_tasks_that_may_exist() -> None:
    for error in every_error(SEARCH):
        assert "may have been created" not in say_error(error)
    passing = (
        ServerError, ConnectionFailedError, ConnectionLostError, ApiTimeoutError, UnreadableResponseError,
    )
    for kind in passing:
        said = say_error(kind(operation=SEARCH))
        assert "prospect search" in said or "searching prospects" in said or "search prospects" in said


@pytest.mark.parametrize(
    ("error", "said"),
    [
        (AuthenticationError(status_code=401, api_message="Unauthorized"),
         "The Saleshandy API key was rejected — check SALESHANDY_API_KEY. Saleshandy said: Unauthorized"),
        (ValidationError(status_code=400), "Saleshandy refused the request."),
        (ValidationError(status_code=422, api_message="dueDate is in the past"),
         "Saleshandy refused the request: dueDate is in the past"),
        (UnexpectedStatusError(status_code=409), "Saleshandy refused the request (HTTP 409)"),
        (UnexpectedStatusError(status_code=302),
         "Saleshandy answered HTTP 302; the task may have been created — check before retrying."),
        (RateLimitError(retry_after=60),
         "Saleshandy's rate limit was reached, so nothing was created; retry in a minute."),
        (RateLimitError(retry_after=61),
         "Saleshandy's rate limit was reached, so nothing was created; "
         "retry in 61 seconds (about 2 minutes)."),
        (RateLimitError(operation=SEARCH, retry_after=None),
         "Saleshandy's rate limit was reached, so the prospect search was not made; retry in a minute."),
        (ServerError(operation=SEARCH, status_code=503, api_message="Down"),
         "Saleshandy had an internal error searching prospects; try again in a few minutes. "
         "Saleshandy said: Down"),
    ],
)
def test_the_facts_fill_the_sentence(error: SaleshandyError, said: str) -> None:
    assert say_error(error) == said


def test_a_reps_own_rejected_key_points_at_the_home_tab_not_at_the_apps_setting() -> None:
    rejected = AuthenticationError(status_code=401, api_message="Unauthorized")
    assert say_error(rejected, rep_key=True) == REP_KEY_REJECTED
    searched = AuthenticationError(operation=SEARCH, status_code=401, api_message="Unauthorized")
    assert say_error(searched, rep_key=True) == REP_KEY_REJECTED + " Saleshandy said: Unauthorized"
    assert "SALESHANDY_API_KEY" in say_error(rejected, rep_key=False)
    assert say_error(ServerError(), rep_key=True) == say_error(ServerError())  # only a rejected key


def test_every_verdict_on_a_prospect_has_a_sentence_and_only_a_failure_says_nothing_was_made() -> None:
    for verdict in ProspectVerdict:
        said = say_verdict(verdict)
        assert said.startswith("Saleshandy") and "this prospect" in said
        assert ("may have been created" in said) is (verdict.outcome_status is OutcomeStatus.UNKNOWN)


def test_every_verdict_and_notice_of_the_service_has_a_whole_sentence() -> None:
    for verdict in ServiceVerdict:
        said = say_verdict(verdict)
        assert said and "{" not in said
    for notice in ServiceNotice:
        said = say_notice(notice, error_id="e-1234")
        assert said.endswith(".") and "{" not in said
    assert "(error id e-1234)" in say_notice(ServiceNotice.SOMETHING_WENT_WRONG, error_id="e-1234")


def test_an_email_without_a_prospect_and_an_email_that_could_not_be_looked_up_read_differently() -> None:
    nobody = say_email_not_found(ServiceVerdict.NO_PROSPECT_WITH_EMAIL)
    assert nobody == "no prospect with this email in Saleshandy"
    assert say_email_not_found(ServiceVerdict.NO_KEY) == (
        "could not look this email up: no Saleshandy account is connected "
        "(connect yours in the app's Home tab)"
    )
    assert say_email_not_found(ServiceVerdict.KEY_GONE) == (
        "could not look this email up: " + say_verdict(ServiceVerdict.KEY_GONE)
    )
    rejected = AuthenticationError(operation=SEARCH, status_code=401)
    assert say_email_not_found(rejected, rep_key=True) == (
        "could not look this email up: " + say_error(rejected, rep_key=True)
    )
