"""The use case against the fake Saleshandy over HTTP: lookups by email, then tasks, then the record."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from bot.domain import EmailNotFound, ProspectRef
from bot.saleshandy import ProspectVerdict, SaleshandyClient, SaleshandyError
from bot.service import BackgroundRunner, ServiceNotice, ServiceVerdict, TaskService
from bot.service.ports import Message, ReplyTo
from bot.slack.wording import say_email_not_found, say_error, say_verdict
from bot.store import SubmissionStore, open_database
from bot_testing.saleshandy import FakeSaleshandy

MakeClient = Callable[..., SaleshandyClient]


class NobodyListens:
    """A reporter for tests that only look things up: nothing is ever posted."""

    def announce(self, submission: object, reply_to: ReplyTo) -> ReplyTo:
        raise AssertionError("nothing to announce here")

    def results(self, submission: object, **_: object) -> list[Message]:
        raise AssertionError("no results here")

    def nobody_found(self, not_found: object) -> Message:
        raise AssertionError("no report here")

    def say_error(self, error: SaleshandyError, *, rep_key: bool) -> str:
        return say_error(error, rep_key=rep_key)

    def say_verdict(self, verdict: ProspectVerdict | ServiceVerdict) -> str:
        return say_verdict(verdict)

    def say_email_not_found(self, why: SaleshandyError | ServiceVerdict, *, rep_key: bool) -> str:
        return say_email_not_found(why, rep_key=rep_key)

    def say_notice(self, notice: ServiceNotice, *, error_id: str | None = None) -> str:
        raise AssertionError(notice)

    def notice(self, text: str) -> Message:
        raise AssertionError(text)

    def post(self, reply_to: ReplyTo, message: Message, *, private: bool = False) -> ReplyTo:
        raise AssertionError("nothing to post here")


def service(make_saleshandy_client: MakeClient, tmp_path: Path) -> TaskService:
    engine = open_database(f"sqlite:///{tmp_path / 's.sqlite3'}")
    return TaskService(
        client=make_saleshandy_client(),
        store=SubmissionStore(engine, clock=time.time),
        reporter=NobodyListens(),
        runner=BackgroundRunner(),
    )


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
    assert not_found == (EmailNotFound("jo@acme.com", "no prospect with this email in Saleshandy"),)
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
