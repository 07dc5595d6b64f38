"""Looking prospects up (GET /v1/prospects) with the client, against the fake API over real HTTP."""

from __future__ import annotations

import datetime
import json
import logging
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from pydantic import SecretStr

from bot.domain import CreateTaskRequest, OutcomeStatus, TaskType
from bot.saleshandy import (
    SEARCH_PAGE_SIZES,
    ApiTimeoutError,
    AuthenticationError,
    ConnectionFailedError,
    ConnectionLostError,
    FoundProspect,
    NotFoundError,
    PermissionDeniedError,
    ProspectLookupCache,
    ProspectSearchResult,
    RateLimitError,
    RetryPolicy,
    SaleshandyClient,
    SaleshandyError,
    ServerError,
    UnexpectedStatusError,
    UnreadableResponseError,
    ValidationError,
)
from bot.saleshandy.errors import Operation
from bot.slack.wording import say_error
from bot_testing.saleshandy import FakeSaleshandy
from tests.conftest import SALESHANDY_TEST_KEY, FakeClock
from tests.helpers.slack_app import wait_until

MakeClient = Callable[..., SaleshandyClient]
JANE = "jane.doe@acme.com"


@pytest.fixture
def people(fake_saleshandy: FakeSaleshandy) -> FakeSaleshandy:
    fake_saleshandy.add_prospect(
        "8PvBmrB7P7", email=JANE, first_name="Jane", last_name="Doe", company="Acme",
        job_title="CTO",
    )
    fake_saleshandy.add_prospect("Pr9xQ2Lm", email="raj@globex.io", first_name="Raj")
    fake_saleshandy.add_prospect("Zx81Kq2w", email="mary.jane.doe@acme.com", last_name="Jones")
    return fake_saleshandy


def query_of(fake: FakeSaleshandy, index: int = -1) -> dict[str, list[str]]:
    return parse_qs(fake.search_requests[index].query, keep_blank_values=True)


# -- the request -----------------------------------------------------------------------------------


def test_sends_exactly_the_contract_query_and_headers(
    people: FakeSaleshandy, make_saleshandy_client: MakeClient
) -> None:
    make_saleshandy_client().search_prospects("  Jane   Doe ", page_size=10, page=2)

    [sent] = people.search_requests
    assert (sent.method, sent.path) == ("GET", "/v1/prospects")
    assert query_of(people) == {"search": ["Jane Doe"], "pageSize": ["10"], "page": ["2"]}
    assert sent.headers["x-api-key"] == SALESHANDY_TEST_KEY
    assert sent.headers["accept"] == "application/json"
    assert "content-type" not in sent.headers
    assert "content-length" not in sent.headers and sent.raw_body == b""
    assert SALESHANDY_TEST_KEY not in sent.query


def test_an_email_with_a_plus_arrives_intact(
    fake_saleshandy: FakeSaleshandy, make_saleshandy_client: MakeClient
) -> None:
    fake_saleshandy.add_prospect("Plus1", email="jane+leads@acme.com")

    found = make_saleshandy_client().find_prospect_by_email("jane+leads@acme.com")

    assert query_of(fake_saleshandy)["search"] == ["jane+leads@acme.com"]
    assert found is not None and found.id == "Plus1"


def test_defaults_are_page_one_of_twenty(
    people: FakeSaleshandy, make_saleshandy_client: MakeClient
) -> None:
    make_saleshandy_client().search_prospects("raj")

    assert query_of(people) == {"search": ["raj"], "pageSize": ["20"], "page": ["1"]}


def test_an_email_lookup_is_one_search_for_that_email(
    people: FakeSaleshandy, make_saleshandy_client: MakeClient
) -> None:
    make_saleshandy_client().find_prospect_by_email(f" {JANE} ")

    assert query_of(people) == {"search": [JANE], "pageSize": ["50"], "page": ["1"]}
    assert len(people.requests) == 1


@pytest.mark.parametrize(
    ("call", "problem"),
    [
        (lambda c: c.search_prospects("   "), "blank"),
        (lambda c: c.find_prospect_by_email(""), "blank"),
        (lambda c: c.search_prospects("jane", page_size=25), "page_size"),
        (lambda c: c.search_prospects("jane", page=0), "page"),
        (lambda c: c.search_prospects("jane", page=True), "page"),
    ],
)
def test_arguments_the_api_would_refuse_are_refused_before_sending(
    fake_saleshandy: FakeSaleshandy, make_saleshandy_client: MakeClient,
    call: Callable[[SaleshandyClient], object], problem: str,
) -> None:
    with pytest.raises(ValueError, match=problem):
        call(make_saleshandy_client())

    assert fake_saleshandy.requests == []


# -- what comes back -------------------------------------------------------------------------------


def test_reads_the_found_prospects(people: FakeSaleshandy, make_saleshandy_client: MakeClient) -> None:
    result = make_saleshandy_client().search_prospects("jane")

    assert result == ProspectSearchResult(
        prospects=(
            FoundProspect("8PvBmrB7P7", JANE, "Jane", "Doe", "Acme", "CTO"),
            FoundProspect("Zx81Kq2w", "mary.jane.doe@acme.com", None, "Jones", None, None),
        ),
        page=1, page_size=20, total=None, has_more=False,
    )
    assert [p.label for p in result.prospects] == [
        "Jane Doe · Acme · jane.doe@acme.com", "Jones · mary.jane.doe@acme.com",
    ]


def test_a_full_page_may_have_more_and_the_next_page_is_asked_for(
    fake_saleshandy: FakeSaleshandy, make_saleshandy_client: MakeClient
) -> None:
    for n in range(12):
        fake_saleshandy.add_prospect(f"P{n:04d}", email=f"lead{n}@acme.com")
    client = make_saleshandy_client()

    first = client.search_prospects("acme", page_size=10)
    second = client.search_prospects("acme", page_size=10, page=2)

    assert (len(first.prospects), first.has_more) == (10, True)
    assert (len(second.prospects), second.has_more, second.page) == (2, False, 2)
    assert [query_of(fake_saleshandy, i)["page"] for i in (0, 1)] == [["1"], ["2"]]


def test_finds_a_prospect_by_exact_email(
    people: FakeSaleshandy, make_saleshandy_client: MakeClient
) -> None:
    found = make_saleshandy_client().find_prospect_by_email(JANE)

    assert found is not None
    assert (found.id, found.label) == ("8PvBmrB7P7", "Jane Doe · Acme · jane.doe@acme.com")


def test_the_email_match_ignores_case(
    people: FakeSaleshandy, make_saleshandy_client: MakeClient
) -> None:
    found = make_saleshandy_client().find_prospect_by_email("Jane.DOE@Acme.com")

    assert found is not None and found.id == "8PvBmrB7P7"


def test_an_email_only_contained_in_another_is_not_a_match(
    fake_saleshandy: FakeSaleshandy, make_saleshandy_client: MakeClient
) -> None:
    fake_saleshandy.add_prospect("Zx81Kq2w", email="mary.jane.doe@acme.com")

    client = make_saleshandy_client()

    assert client.search_prospects(JANE).prospects  # the API found it: a substring match
    assert client.find_prospect_by_email(JANE) is None


def test_the_exact_match_wins_over_the_substring_matches_before_it(
    fake_saleshandy: FakeSaleshandy, make_saleshandy_client: MakeClient
) -> None:
    fake_saleshandy.add_prospect("First1", email="bojo@acme.com")
    fake_saleshandy.add_prospect("Exact2", email="JO@acme.com")

    found = make_saleshandy_client().find_prospect_by_email("jo@acme.com")

    assert found is not None and found.id == "Exact2"


def test_nobody_found_is_none(people: FakeSaleshandy, make_saleshandy_client: MakeClient) -> None:
    client = make_saleshandy_client()

    assert client.find_prospect_by_email("nobody@nowhere.org") is None
    assert client.search_prospects("nobody").prospects == ()


# -- odd answers -----------------------------------------------------------------------------------

ITEM = {"id": "8PvBmrB7P7", "email": JANE,
        "attributes": [{"key": "First Name", "value": "Jane"}, {"key": "Company", "value": "Acme"}]}


@pytest.mark.parametrize(
    ("body", "expected_ids", "total"),
    [
        ({"payload": {"prospects": [ITEM]}}, ["8PvBmrB7P7"], None),
        ({"payload": {"items": [ITEM], "total": 41}}, ["8PvBmrB7P7"], 41),
        ({"payload": {"data": [ITEM], "pagination": {"totalCount": 3}}}, ["8PvBmrB7P7"], 3),
        ({"data": {"prospects": [ITEM], "total": 1}}, ["8PvBmrB7P7"], 1),
        ([ITEM], ["8PvBmrB7P7"], None),
        ({"payload": [{"id": 1234, "email": "a@b.co"}]}, ["1234"], None),  # no attributes
        ({"payload": [{"email": "x@y.z"}, {"id": ""}, {"id": True}, "junk", ITEM]},
         ["8PvBmrB7P7"], None),  # items without a usable id are skipped
        ({"payload": []}, [], None),
    ],
)
def test_odd_but_readable_answers(
    fake_saleshandy: FakeSaleshandy, make_saleshandy_client: MakeClient, body: Any,
    expected_ids: list[str], total: int | None,
) -> None:
    fake_saleshandy.answer_next_raw(json.dumps(body), content_type="application/json",
                                    endpoint="search")

    result = make_saleshandy_client().search_prospects("jane")

    assert [p.id for p in result.prospects] == expected_ids
    assert result.total == total


def test_attributes_in_other_spellings_and_as_an_object(
    fake_saleshandy: FakeSaleshandy, make_saleshandy_client: MakeClient
) -> None:
    body = {"payload": [
        {"id": "A1", "email": "  a@acme.com ",
         "attributes": [{"key": "first_name", "value": " Ann "}, {"key": "lastName", "value": "Lee"},
                        {"key": "Job Title", "value": "VP\nSales"}, {"key": "Phone", "value": "1"},
                        {"key": "Company", "value": ""}, {"value": "no key"}, "junk"]},
        {"id": "B2", "attributes": {"First Name": "Bo", "Email": "bo@acme.com", "Company": "Initech"}},
        {"id": "C3", "firstName": "Cy", "company": "Globex", "attributes": None},
    ]}
    fake_saleshandy.answer_next_raw(json.dumps(body), content_type="application/json",
                                    endpoint="search")

    result = make_saleshandy_client().search_prospects("acme")

    assert result.prospects == (
        FoundProspect("A1", "a@acme.com", "Ann", "Lee", None, "VP Sales"),
        FoundProspect("B2", "bo@acme.com", "Bo", None, "Initech", None),
        FoundProspect("C3", None, "Cy", None, "Globex", None),
    )
    assert [p.label for p in result.prospects] == [
        "Ann Lee · a@acme.com", "Bo · Initech · bo@acme.com", "Cy · Globex",
    ]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("<html>Bad gateway</html>", "text/html"),
        ("", "application/json"),
        ('{"message": "ok"}', "application/json"),
        ('{"payload": {"count": 3}}', "application/json"),
        ('"just a string"', "application/json"),
    ],
)
def test_an_unreadable_answer_is_an_error_never_nobody_found(
    fake_saleshandy: FakeSaleshandy, make_saleshandy_client: MakeClient, body: str,
    content_type: str,
) -> None:
    fake_saleshandy.answer_next_raw(body, content_type=content_type, endpoint="search")

    with pytest.raises(UnreadableResponseError) as caught:
        make_saleshandy_client().find_prospect_by_email(JANE)

    assert caught.value.operation is Operation.SEARCH_PROSPECTS
    assert say_error(caught.value) == "Saleshandy's answer to the prospect search could not be read."
    assert caught.value.may_have_landed is False
    assert len(fake_saleshandy.search_requests) == 1  # not sent again


# -- errors ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "error_class", "said"),
    [
        (401, AuthenticationError, "The Saleshandy API key was rejected — check SALESHANDY_API_KEY."),
        (403, PermissionDeniedError, "did not allow this API key's user to search prospects"),
        (404, NotFoundError, "'not found' to the prospect search — check SALESHANDY_API_URL"),
        (400, ValidationError, "Saleshandy refused the request: Bad Request"),
        (422, ValidationError, "Saleshandy refused the request"),
        (409, UnexpectedStatusError, "refused the request (HTTP 409)"),
    ],
)
def test_a_4xx_is_its_error_class_and_never_retried(
    people: FakeSaleshandy, make_saleshandy_client: MakeClient, fake_clock: FakeClock,
    status: int, error_class: type[SaleshandyError], said: str,
) -> None:
    people.fail_next(status, endpoint="search")

    with pytest.raises(SaleshandyError) as caught:
        make_saleshandy_client().find_prospect_by_email(JANE)

    error = caught.value
    assert type(error) is error_class
    assert said in say_error(error)
    assert "task" not in say_error(error)
    assert error.status_code == status
    assert error.request_id  # the fake sends x-request-id
    assert error.may_have_landed is False
    assert len(people.search_requests) == 1
    assert fake_clock.sleeps == []


def test_a_wrong_key_is_rejected_once(people: FakeSaleshandy, make_saleshandy_client: MakeClient) -> None:
    client = make_saleshandy_client(api_key=SecretStr("not-the-key"))

    with pytest.raises(AuthenticationError) as caught:
        client.search_prospects("jane")

    assert say_error(caught.value).endswith("Saleshandy said: Unauthorized")
    assert len(people.search_requests) == 1


def test_a_500_then_success_is_retried(
    people: FakeSaleshandy, make_saleshandy_client: MakeClient, fake_clock: FakeClock
) -> None:
    people.fail_next(500, endpoint="search")

    found = make_saleshandy_client().find_prospect_by_email(JANE)

    assert found is not None and found.id == "8PvBmrB7P7"
    assert len(people.search_requests) == 2
    assert fake_clock.sleeps == [0.5]


def test_5xx_retries_are_bounded_then_a_search_worded_server_error(
    people: FakeSaleshandy, make_saleshandy_client: MakeClient, fake_clock: FakeClock
) -> None:
    people.fail_next(503, "Service Unavailable", times=5, endpoint="search")

    with pytest.raises(ServerError) as caught:
        make_saleshandy_client().search_prospects("jane")

    assert say_error(caught.value) == (
        "Saleshandy had an internal error searching prospects; try again in a few minutes. "
        "Saleshandy said: Service Unavailable"
    )
    assert caught.value.may_have_landed is False
    assert len(people.search_requests) == 3  # 1 + max_search_retries (2)
    assert fake_clock.sleeps == [0.5, 1.0]


def test_max_search_retries_zero_sends_once(
    people: FakeSaleshandy, make_saleshandy_client: MakeClient
) -> None:
    people.fail_next(502, endpoint="search")

    with pytest.raises(ServerError):
        make_saleshandy_client(max_search_retries=0).search_prospects("jane")

    assert len(people.search_requests) == 1


def test_a_timeout_then_success_is_retried(
    people: FakeSaleshandy, make_saleshandy_client: MakeClient
) -> None:
    people.stall_next(5.0, endpoint="search")
    client = make_saleshandy_client(timeout=httpx.Timeout(2.0, read=0.2))

    found = client.find_prospect_by_email(JANE)

    assert found is not None
    assert len(people.search_requests) == 2


def test_timeouts_outlasting_the_retries_are_a_search_worded_timeout(
    people: FakeSaleshandy, make_saleshandy_client: MakeClient
) -> None:
    people.stall_next(5.0, times=3, endpoint="search")
    client = make_saleshandy_client(timeout=httpx.Timeout(2.0, read=0.01))  # no answer comes in time

    with pytest.raises(ApiTimeoutError) as caught:
        client.search_prospects("jane")

    assert say_error(caught.value) == (
        "Saleshandy did not answer the prospect search in time; try again in a few minutes."
    )
    assert isinstance(caught.value.__cause__, httpx.ReadTimeout)
    # The client gave up on the last one after 0.01 s; under load the fake may record it a moment later.
    wait_until(lambda: len(people.search_requests) >= 3, what="the third search to reach the fake")
    assert len(people.search_requests) == 3


def test_a_dropped_connection_then_success_is_retried(
    people: FakeSaleshandy, make_saleshandy_client: MakeClient
) -> None:
    people.drop_next_connection(endpoint="search")

    assert make_saleshandy_client().find_prospect_by_email(JANE) is not None
    assert len(people.search_requests) == 2


def test_dropped_connections_outlasting_the_retries(
    people: FakeSaleshandy, make_saleshandy_client: MakeClient
) -> None:
    people.drop_next_connection(times=3, endpoint="search")

    with pytest.raises(ConnectionLostError) as caught:
        make_saleshandy_client().search_prospects("jane")

    assert "broke during the prospect search" in say_error(caught.value)
    assert len(people.search_requests) == 3


def test_a_refused_connection_is_retried_then_fails(
    make_saleshandy_client: MakeClient, fake_clock: FakeClock, closed_port_url: str
) -> None:
    client = make_saleshandy_client(base_url=closed_port_url)

    with pytest.raises(ConnectionFailedError) as caught:
        client.find_prospect_by_email(JANE)

    assert "Could not reach Saleshandy to search prospects" in say_error(caught.value)
    assert fake_clock.sleeps == [0.5, 1.0]


# -- rate limits -----------------------------------------------------------------------------------


def test_waits_out_a_429_then_searches_again(
    people: FakeSaleshandy, make_saleshandy_client: MakeClient, fake_clock: FakeClock
) -> None:
    people.rate_limit_next("7", endpoint="search")

    found = make_saleshandy_client().find_prospect_by_email(JANE)

    assert found is not None
    assert fake_clock.sleeps == [7.0]
    assert len(people.search_requests) == 2


def test_a_429_asking_too_long_a_wait_fails_at_once(
    people: FakeSaleshandy, make_saleshandy_client: MakeClient, fake_clock: FakeClock
) -> None:
    people.rate_limit_next("600", endpoint="search")

    with pytest.raises(RateLimitError) as caught:
        make_saleshandy_client(max_rate_limit_wait=60.0).search_prospects("jane")

    assert say_error(caught.value) == (
        "Saleshandy's rate limit was reached, so the prospect search was not made; "
        "retry in 600 seconds (about 10 minutes)."
    )
    assert caught.value.retry_after == 600
    assert fake_clock.sleeps == []
    assert len(people.search_requests) == 1


def test_429s_outlasting_the_retries(
    people: FakeSaleshandy, make_saleshandy_client: MakeClient, fake_clock: FakeClock
) -> None:
    people.rate_limit_next("1", times=10, endpoint="search")

    with pytest.raises(RateLimitError) as caught:
        make_saleshandy_client(max_rate_limit_retries=3).search_prospects("jane")

    assert "retry in a minute" in say_error(caught.value)
    assert fake_clock.sleeps == [1.0, 1.0, 1.0]
    assert len(people.search_requests) == 4


def test_a_window_used_up_by_creating_tasks_is_waited_out_before_searching(
    people: FakeSaleshandy, make_saleshandy_client: MakeClient, fake_clock: FakeClock
) -> None:
    people.set_clock(fake_clock.time)
    people.set_rate_limit(1, window_seconds=20)
    client = make_saleshandy_client()

    client.create_tasks(CreateTaskRequest(
        prospect_ids=("8PvBmrB7P7",), task_type=TaskType.CALL_FOLLOW_UP,
        due_date=datetime.date(2026, 4, 22),
    ))
    found = client.find_prospect_by_email(JANE)

    assert found is not None
    assert fake_clock.sleeps == [20.0]
    assert [r.method for r in people.requests] == ["POST", "GET"]  # no 429 met


def test_a_search_429_makes_the_next_create_wait_too(
    people: FakeSaleshandy, make_saleshandy_client: MakeClient, fake_clock: FakeClock
) -> None:
    people.rate_limit_next("7", endpoint="search")
    client = make_saleshandy_client(max_rate_limit_retries=0)

    with pytest.raises(RateLimitError):
        client.search_prospects("jane")
    result = client.create_tasks(CreateTaskRequest(
        prospect_ids=("8PvBmrB7P7",), task_type=TaskType.CALL_FOLLOW_UP,
        due_date=datetime.date(2026, 4, 22),
    ))

    assert [o.status for o in result.outcomes] == [OutcomeStatus.CREATED]
    assert fake_clock.sleeps == [7.0]  # the create waited for the window, not for a 429
    assert len(people.create_requests) == 1


# -- the cache -------------------------------------------------------------------------------------


def test_the_same_lookup_twice_costs_one_call(
    people: FakeSaleshandy, make_saleshandy_client: MakeClient
) -> None:
    client = make_saleshandy_client()

    first = client.find_prospect_by_email(JANE)
    again = client.find_prospect_by_email(f"  {JANE.upper()} ")
    searched = client.search_prospects(JANE, page_size=50)

    assert first == again and first is not None
    assert searched.with_email(JANE) == first
    assert len(people.search_requests) == 1


def test_another_page_size_page_or_text_is_another_call(
    people: FakeSaleshandy, make_saleshandy_client: MakeClient
) -> None:
    client = make_saleshandy_client()

    client.search_prospects("jane")
    client.search_prospects("jane", page_size=10)
    client.search_prospects("jane", page=2)
    client.search_prospects("raj")
    client.search_prospects("JANE")

    assert len(people.search_requests) == 4


def test_kept_results_expire_after_the_ttl(
    people: FakeSaleshandy, make_saleshandy_client: MakeClient, fake_clock: FakeClock
) -> None:
    client = make_saleshandy_client(prospect_cache_ttl=60)

    client.find_prospect_by_email(JANE)
    fake_clock.now += 59
    client.find_prospect_by_email(JANE)
    fake_clock.now += 2
    client.find_prospect_by_email(JANE)

    assert len(people.search_requests) == 2


def test_a_ttl_of_zero_keeps_nothing(
    people: FakeSaleshandy, make_saleshandy_client: MakeClient
) -> None:
    client = make_saleshandy_client(prospect_cache_ttl=0)

    client.find_prospect_by_email(JANE)
    client.find_prospect_by_email(JANE)

    assert len(people.search_requests) == 2


def test_failures_are_not_kept(people: FakeSaleshandy, make_saleshandy_client: MakeClient) -> None:
    people.fail_next(404, endpoint="search")
    client = make_saleshandy_client()

    with pytest.raises(NotFoundError):
        client.find_prospect_by_email(JANE)
    found = client.find_prospect_by_email(JANE)

    assert found is not None
    assert len(people.search_requests) == 2


def run_together(count: int, work: Callable[[], object]) -> list[object]:
    """`work` in `count` threads released at once; what each returned or raised."""
    barrier = threading.Barrier(count)
    outcomes: list[object] = [None] * count

    def one(index: int) -> None:
        barrier.wait()
        try:
            outcomes[index] = work()
        except Exception as error:
            outcomes[index] = error

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    return outcomes


def test_concurrent_lookups_of_one_email_share_one_call(
    people: FakeSaleshandy, make_saleshandy_client: MakeClient
) -> None:
    people.set_latency(0.3)
    client = make_saleshandy_client()

    outcomes = run_together(8, lambda: client.find_prospect_by_email(JANE))

    assert len(people.search_requests) == 1
    assert {getattr(found, "id", None) for found in outcomes} == {"8PvBmrB7P7"}


def test_concurrent_lookups_of_one_email_share_its_failure(
    people: FakeSaleshandy, make_saleshandy_client: MakeClient
) -> None:
    people.set_latency(0.3)
    people.fail_next(403, endpoint="search")
    client = make_saleshandy_client()

    outcomes = run_together(5, lambda: client.find_prospect_by_email(JANE))

    assert len(people.search_requests) == 1
    assert all(isinstance(outcome, PermissionDeniedError) for outcome in outcomes)


def test_concurrent_lookups_of_different_emails_do_not_wait_for_each_other(
    people: FakeSaleshandy, make_saleshandy_client: MakeClient
) -> None:
    people.set_latency(30)  # every answer is held until all three searches have arrived
    client = make_saleshandy_client()
    emails = iter([JANE, "raj@globex.io", "mary.jane.doe@acme.com"])
    lock = threading.Lock()

    def next_lookup() -> FoundProspect | None:
        with lock:
            email = next(emails)
        return client.find_prospect_by_email(email)

    outcomes: list[object] = []
    lookups = threading.Thread(target=lambda: outcomes.extend(run_together(3, next_lookup)))
    lookups.start()
    # One after the other, the second search would wait for the first answer, held for 30 s.
    wait_until(lambda: len(people.search_requests) == 3, what="three searches in flight at once")
    people.answer_waiting()
    lookups.join(timeout=10)

    assert sorted(getattr(found, "id", "") for found in outcomes) == [
        "8PvBmrB7P7", "Pr9xQ2Lm", "Zx81Kq2w",
    ]
    assert len(people.search_requests) == 3


def test_the_cache_on_its_own() -> None:
    now = [1000.0]
    cache = ProspectLookupCache(10, clock=lambda: now[0], max_entries=2)
    loads: list[str] = []

    def loader(text: str) -> Callable[[], ProspectSearchResult]:
        def load() -> ProspectSearchResult:
            loads.append(text)
            return ProspectSearchResult((), 1, 20)
        return load

    for text in ("a", "a", "b", "c", "a"):
        cache.get_or_load((text, 20, 1), loader(text))
    assert loads == ["a", "b", "c", "a"]  # at most two kept: "a" was the oldest when "c" came
    assert len(cache) == 2
    now[0] += 11
    cache.get_or_load(("c", 20, 1), loader("c"))
    assert loads[-1] == "c"
    cache.clear()
    assert len(cache) == 0
    with pytest.raises(ValueError):
        ProspectLookupCache(0, clock=lambda: 0.0)


# -- the key stays secret, the search text stays out of our logs -----------------------------------


def test_the_key_never_shows_in_repr_messages_or_logs(
    people: FakeSaleshandy, make_saleshandy_client: MakeClient, closed_port_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    client = make_saleshandy_client(max_search_retries=0, prospect_cache_ttl=0)
    # Only the stalled search goes through a client that gives up at once; the others' answers need
    # no hurry.
    hasty = make_saleshandy_client(
        timeout=httpx.Timeout(2.0, read=0.01), max_search_retries=0, prospect_cache_ttl=0
    )
    people.fail_next(400, f"bad key {SALESHANDY_TEST_KEY}", endpoint="search")
    people.fail_next(500, f"oops {SALESHANDY_TEST_KEY}", endpoint="search")
    people.stall_next(5.0, endpoint="search")
    people.answer_next_raw(f"<p>{SALESHANDY_TEST_KEY}</p>", endpoint="search")
    errors: list[SaleshandyError] = []
    for searcher in (client, client, hasty, client):
        with pytest.raises(SaleshandyError) as caught:
            searcher.find_prospect_by_email(JANE)
        errors.append(caught.value)
    found = client.find_prospect_by_email(JANE)
    wrong_key = make_saleshandy_client(api_key=SecretStr("wrong"))
    refused = make_saleshandy_client(base_url=closed_port_url)
    for other in (wrong_key, refused):
        with pytest.raises(SaleshandyError) as caught:
            other.search_prospects("jane")
        errors.append(caught.value)

    assert [type(e) for e in errors] == [
        ValidationError, ServerError, ApiTimeoutError, UnreadableResponseError,
        AuthenticationError, ConnectionFailedError,
    ]
    assert "[redacted]" in say_error(errors[0]) and "[redacted]" in (errors[3].body or "")
    texts = [repr(client), str(client), repr(hasty), repr(refused), repr(found)]
    for error in errors:
        texts += [str(error), repr(error), say_error(error), error.api_message or "", error.body or ""]
    ours = [r for r in caplog.records if r.name.startswith("bot.saleshandy")]
    texts += [record.getMessage() for record in caplog.records]
    assert len(ours) >= 7
    assert not [text for text in texts if SALESHANDY_TEST_KEY in text]
    assert not [r.getMessage() for r in ours if JANE in r.getMessage() or "jane" in r.getMessage()]


# -- the pure parts --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prospect", "label"),
    [
        (FoundProspect("P1", "jane@acme.com", "Jane", "Doe", "Acme", "CTO"),
         "Jane Doe · Acme · jane@acme.com"),
        (FoundProspect("P1", "jane@acme.com", "Jane"), "Jane · jane@acme.com"),
        (FoundProspect("P1", None, None, "Doe", "Acme"), "Doe · Acme"),
        (FoundProspect("P1", "jane@acme.com"), "jane@acme.com"),
        (FoundProspect("P1", job_title="CTO"), "P1"),
    ],
)
def test_labels_leave_out_what_is_missing(prospect: FoundProspect, label: str) -> None:
    assert prospect.label == label


def test_page_sizes_are_the_contracts() -> None:
    assert SEARCH_PAGE_SIZES == (10, 20, 50, 100)


@pytest.mark.parametrize(
    ("error", "rate_limit_retries", "other_retries", "expected"),
    [
        (RateLimitError(retry_after=5), 0, 0, 5),
        (RateLimitError(retry_after=5), 3, 0, None),
        (RateLimitError(retry_after=61), 0, 0, None),
        (ServerError(status_code=503), 0, 0, 0.5),
        (ServerError(status_code=500), 0, 1, 1.0),
        (ServerError(status_code=500), 0, 2, None),
        (ApiTimeoutError(), 0, 0, 0.5),
        (ConnectionLostError(), 0, 1, 1.0),
        (ConnectionFailedError(), 0, 0, 0.5),
        (UnreadableResponseError(), 0, 0, None),
        (ValidationError(status_code=400), 0, 0, None),
        (AuthenticationError(status_code=401), 0, 0, None),
        (PermissionDeniedError(status_code=403), 0, 0, None),
        (NotFoundError(status_code=404), 0, 0, None),
        (UnexpectedStatusError(status_code=409), 0, 0, None),
    ],
)
def test_which_failed_searches_are_sent_again(
    error: SaleshandyError, rate_limit_retries: int, other_retries: int, expected: float | None
) -> None:
    policy = RetryPolicy(
        max_rate_limit_retries=3, max_rate_limit_wait=60, max_connect_retries=2, max_search_retries=2
    )

    wait = policy.decide_search(error, rate_limit_retries=rate_limit_retries, other_retries=other_retries)

    assert wait == expected


def test_an_error_met_searching_never_may_have_landed() -> None:
    created = ServerError(status_code=502, api_message="Bad Gateway", request_id="r1", body="<b>")
    searched = ServerError(operation=Operation.SEARCH_PROSPECTS, status_code=502, api_message="Bad Gateway")

    assert created.may_have_landed is True and searched.may_have_landed is False
    assert searched.outcome_status is OutcomeStatus.FAILED
    unsure = UnexpectedStatusError(operation=Operation.SEARCH_PROSPECTS, status_code=302)
    assert unsure.may_have_landed is False
    assert say_error(unsure) == "Saleshandy answered HTTP 302 to the prospect search."
