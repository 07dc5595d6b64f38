"""The use case against the fake Saleshandy over HTTP: lookups by email, then tasks, then the record."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path

from bot.domain import CreateTaskRequest, EmailNotFound, ProspectRef, TaskType
from bot.fakes.saleshandy import FakeSaleshandy
from bot.saleshandy import SaleshandyClient
from bot.service import NO_PROSPECT_WITH_EMAIL, RetryRefused, TaskService
from bot.store import SubmissionStore

MakeClient = Callable[..., SaleshandyClient]


def service(make_saleshandy_client: MakeClient, tmp_path: Path) -> TaskService:
    return TaskService(make_saleshandy_client(), SubmissionStore(f"sqlite:///{tmp_path / 's.sqlite3'}"))


def test_emails_become_named_prospects_and_unknown_ones_are_said_by_email(
    fake_saleshandy: FakeSaleshandy, make_saleshandy_client: MakeClient, tmp_path: Path
) -> None:
    fake_saleshandy.add_prospect(
        "Ja9Ne0Doe1", email="Jane@Acme.com", first_name="Jane", last_name="Doe", company="Acme"
    )
    fake_saleshandy.add_prospect("Bo8Bjo2Xq", email="bojo@acme.com")  # contains "jo@acme.com"
    found, not_found = service(make_saleshandy_client, tmp_path).find_by_email(
        ["jane@acme.com", "jo@acme.com", "jane@acme.com"]
    )
    jane = ProspectRef(id="Ja9Ne0Doe1", display_name="Jane Doe · Acme · Jane@Acme.com")
    assert found == (jane, jane)
    assert not_found == (EmailNotFound("jo@acme.com", NO_PROSPECT_WITH_EMAIL),)
    searches = [r for r in fake_saleshandy.requests if r.method == "GET"]
    assert len(searches) == 2  # one per distinct email, the repeat served from the cache


def test_a_lookup_the_api_refuses_is_reported_with_its_reason_and_not_retried(
    fake_saleshandy: FakeSaleshandy, make_saleshandy_client: MakeClient, tmp_path: Path
) -> None:
    fake_saleshandy.fail_next(403, "Forbidden", endpoint="search")
    found, not_found = service(make_saleshandy_client, tmp_path).find_by_email(["jane@acme.com"])
    assert found == ()
    [missing] = not_found
    assert missing.email == "jane@acme.com" and "could not look this email up" in missing.reason
    assert len([r for r in fake_saleshandy.requests if r.method == "GET"]) == 1


def test_a_retry_runs_once_and_only_for_what_failed(
    fake_saleshandy: FakeSaleshandy, make_saleshandy_client: MakeClient, tmp_path: Path
) -> None:
    tasks = service(make_saleshandy_client, tmp_path)
    request = CreateTaskRequest(
        prospect_ids=("8PvBmrB7P7", "INVALIDab9"),
        task_type=TaskType.CALL_DEMO,
        due_date=datetime.date(2026, 12, 1),
    )
    opened = tasks.open(key="k", request=request, prospects=(), requested_by="U1", reply_to={})
    assert opened is not None
    tasks.run(opened)
    retry = tasks.open_retry(opened.id, requested_by="U1")
    assert not isinstance(retry, RetryRefused)
    assert retry[0].request.prospect_ids == ("INVALIDab9",)
    assert tasks.open_retry(opened.id, requested_by="U1") is RetryRefused.ALREADY_RETRIED
    assert tasks.open_retry("nope", requested_by="U1") is RetryRefused.UNKNOWN_SUBMISSION
