"""The client's side of the wire, byte by byte: what it sends and how it reads each kind of answer, through
an `httpx.Client` on `httpx.MockTransport` (the behaviour against a whole fake API is in
test_saleshandy_client.py and test_saleshandy_search.py)."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterator

import httpx
import pytest
from pydantic import SecretStr

from bot.domain import CreateTaskRequest, OutcomeStatus, Priority, TaskType
from bot.saleshandy import (
    ApiTimeoutError,
    ConnectionFailedError,
    ConnectionLostError,
    Operation,
    RateLimitError,
    SaleshandyClient,
    SaleshandyError,
    ServerError,
)
from tests.conftest import FakeClock

KEY = "sh-key-7f3a9c0e-protocol"
BASE = "https://open-api.example.test/v1"
CREATED, FAILED, UNKNOWN = OutcomeStatus.CREATED, OutcomeStatus.FAILED, OutcomeStatus.UNKNOWN
Answer = Callable[[httpx.Request], httpx.Response]


class Wire:
    """A MockTransport that answers each request with the next scripted answer and keeps the requests."""

    def __init__(self, *answers: Answer) -> None:
        self._answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        request.read()
        return self._answers.pop(0)(request)


def created(request: httpx.Request) -> httpx.Response:
    ids = json.loads(request.content)["prospectIds"]
    results = [{"prospectId": pid, "taskId": f"T-{pid}", "success": True} for pid in ids]
    return httpx.Response(201, json={"message": "ok", "payload": {"results": results}})


def status(code: int, message: str = "", **headers: str) -> Answer:
    return lambda request: httpx.Response(code, json={"message": message}, headers=headers)


def raises(error: type[httpx.HTTPError]) -> Answer:
    def answer(request: httpx.Request) -> httpx.Response:
        raise error("scripted", request=request)

    return answer


@pytest.fixture
def connect(fake_clock: FakeClock) -> Iterator[Callable[[Wire], SaleshandyClient]]:
    made: list[httpx.Client] = []

    def make(wire: Wire) -> SaleshandyClient:
        http = httpx.Client(transport=httpx.MockTransport(wire))
        made.append(http)
        return SaleshandyClient(
            base_url=BASE, api_key=SecretStr(KEY), http=http, sleep=fake_clock.sleep, clock=fake_clock.time
        )

    yield make
    for http in made:
        http.close()


def a_request(*ids: str) -> CreateTaskRequest:
    return CreateTaskRequest(
        prospect_ids=ids, task_type=TaskType.CALL_DEMO, due_date=datetime.date(2026, 5, 4),
        priority=Priority.HIGH, task_note="Demo of the new plan",
    )


# -- what goes out ---------------------------------------------------------------------------------


def test_a_create_is_a_json_post_with_the_key_in_x_api_key(
    connect: Callable[[Wire], SaleshandyClient],
) -> None:
    wire = Wire(created)

    result = connect(wire).create_tasks(a_request("8PvBmrB7P7", "Pr9xQ2Lm"))

    [sent] = wire.requests
    assert (sent.method, str(sent.url)) == ("POST", f"{BASE}/tasks/create")
    assert sent.headers["x-api-key"] == KEY
    assert sent.headers["content-type"] == "application/json"
    assert sent.headers["accept"] == "application/json"
    assert json.loads(sent.content) == {
        "prospectIds": ["8PvBmrB7P7", "Pr9xQ2Lm"], "taskType": "12", "dueDate": "2026-05-04",
        "priority": "2", "taskNote": "Demo of the new plan",
    }
    assert [(o.status, o.task_id) for o in result.outcomes] == [
        (CREATED, "T-8PvBmrB7P7"), (CREATED, "T-Pr9xQ2Lm"),
    ]


def test_a_search_is_a_get_with_no_body_and_no_content_type(
    connect: Callable[[Wire], SaleshandyClient],
) -> None:
    wire = Wire(lambda request: httpx.Response(200, json={"payload": [{"id": "8PvBmrB7P7"}]}))

    connect(wire).search_prospects("  Jane   Doe ", page_size=50, page=2)

    [sent] = wire.requests
    assert (sent.method, sent.url.path) == ("GET", "/v1/prospects")
    assert dict(sent.url.params) == {"search": "Jane Doe", "pageSize": "50", "page": "2"}
    assert sent.headers["x-api-key"] == KEY
    assert "content-type" not in sent.headers  # the API answers 406 to one on a GET
    assert sent.content == b""


# -- rate limits -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "waited"),
    [({"retry-after": "3"}, 3.0), ({"x-ratelimit-reset": "4.5"}, 4.5), ({}, 2.0)],
)
def test_a_429_is_waited_out_as_it_asks_then_the_same_body_sent_again(
    connect: Callable[[Wire], SaleshandyClient], fake_clock: FakeClock, headers: dict[str, str],
    waited: float,
) -> None:
    wire = Wire(status(429, "Too Many Requests", **headers), created)

    result = connect(wire).create_tasks(a_request("P1"))

    assert [o.status for o in result.outcomes] == [CREATED]
    assert fake_clock.sleeps == [waited]
    assert [r.content for r in wire.requests] == [wire.requests[0].content] * 2


def test_a_429_asking_more_than_the_longest_wait_fails_unsent_again(
    connect: Callable[[Wire], SaleshandyClient], fake_clock: FakeClock
) -> None:
    wire = Wire(status(429, **{"retry-after": "3600"}))

    result = connect(wire).create_tasks(a_request("P1"))

    [error] = result.errors
    assert isinstance(error, RateLimitError) and error.retry_after == 3600
    assert (result.outcomes[0].status, error.may_have_landed) == (FAILED, False)
    assert fake_clock.sleeps == [] and len(wire.requests) == 1


# -- failures, and whether a task may exist ----------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "error_class", "outcome", "requests"),
    [
        (status(500, "Internal"), ServerError, UNKNOWN, 1),
        (status(503, "Maintenance"), ServerError, UNKNOWN, 1),
        (raises(httpx.ReadTimeout), ApiTimeoutError, UNKNOWN, 1),
        (raises(httpx.WriteTimeout), ApiTimeoutError, UNKNOWN, 1),
        (raises(httpx.RemoteProtocolError), ConnectionLostError, UNKNOWN, 1),
        (raises(httpx.ConnectTimeout), ConnectionFailedError, FAILED, 3),
        (raises(httpx.ConnectError), ConnectionFailedError, FAILED, 3),
    ],
)
def test_only_what_cannot_have_landed_is_sent_again_and_the_rest_may_exist(
    connect: Callable[[Wire], SaleshandyClient],
    answer: Answer,
    error_class: type[SaleshandyError],
    outcome: OutcomeStatus,
    requests: int,
) -> None:
    wire = Wire(*[answer] * 3)

    result = connect(wire).create_tasks(a_request("P1", "P2"))

    [error] = result.errors
    assert type(error) is error_class and error.operation is Operation.CREATE_TASKS
    assert error.may_have_landed is (outcome is UNKNOWN)
    assert [o.status for o in result.outcomes] == [outcome, outcome]
    assert len(wire.requests) == requests  # a connection that never opened: tried 1 + 2 times


def test_the_same_failures_met_searching_never_may_have_landed(
    connect: Callable[[Wire], SaleshandyClient],
) -> None:
    wire = Wire(*[raises(httpx.ReadTimeout)] * 3)

    with pytest.raises(ApiTimeoutError) as caught:
        connect(wire).search_prospects("jane")

    assert caught.value.operation is Operation.SEARCH_PROSPECTS
    assert caught.value.may_have_landed is False
    assert len(wire.requests) == 3  # a search creates nothing: sent again after a timeout


def test_an_error_keeps_the_apis_words_and_never_the_key(connect: Callable[[Wire], SaleshandyClient]) -> None:
    wire = Wire(status(400, f"key {KEY} may not use taskType 12", **{"x-request-id": "req-9"}))

    [error] = connect(wire).create_tasks(a_request("P1")).errors

    assert (error.status_code, error.request_id) == (400, "req-9")
    assert error.api_message == "key [redacted] may not use taskType 12"
    for text in (str(error), repr(error), error.body or ""):
        assert KEY not in text


# -- whose connection pool ---------------------------------------------------------------------------


def test_a_handed_in_http_client_is_left_open_and_an_own_one_closed() -> None:
    handed_in = httpx.Client(transport=httpx.MockTransport(Wire(created)))
    with SaleshandyClient(base_url=BASE, api_key=SecretStr(KEY), http=handed_in):
        pass
    assert not handed_in.is_closed
    handed_in.close()

    own = SaleshandyClient(base_url=BASE, api_key=SecretStr(KEY), prospect_cache_ttl=0)
    own.close()
    with pytest.raises(RuntimeError, match="closed"):  # httpx refuses to send on a closed client
        own.search_prospects("jane")
