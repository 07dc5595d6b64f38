"""The fake Saleshandy's prospect search keeps the contract's last section
(GET /v1/prospects?search=…&pageSize=…&page=…), spoken to with plain httpx."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from bot_testing.saleshandy import FakeSaleshandy, Fault
from tests.conftest import SALESHANDY_TEST_KEY, FakeClock
from tests.helpers.fakes import tls_context

TASK: dict[str, Any] = {"prospectIds": ["8PvBmrB7P7"], "taskType": "13"}


@pytest.fixture
def http(fake_saleshandy: FakeSaleshandy) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=fake_saleshandy.base_url + "/",
        headers={"x-api-key": SALESHANDY_TEST_KEY},
        timeout=2.0,
        verify=tls_context(),
    ) as client:
        yield client


@pytest.fixture
def people(fake_saleshandy: FakeSaleshandy) -> FakeSaleshandy:
    fake_saleshandy.add_prospect(
        "8PvBmrB7P7", email="jane.doe@acme.com", first_name="Jane", last_name="Doe",
        company="Acme", job_title="CTO",
    )
    fake_saleshandy.add_prospect("Pr9xQ2Lm", email="raj@globex.io", first_name="Raj", last_name="Patel")
    fake_saleshandy.add_prospect("Zx81Kq2w", email="mjanes@initech.com", company="Doeville Ltd")
    return fake_saleshandy


def search(http: httpx.Client, **params: Any) -> httpx.Response:
    return http.get("prospects", params={"pageSize": 10, "page": 1, **params})


def ids(answer: httpx.Response) -> list[str]:
    return [item["id"] for item in answer.json()["payload"]]


def test_answers_the_documented_shape(people: FakeSaleshandy, http: httpx.Client) -> None:
    answer = search(http, search="raj")

    assert answer.status_code == 200
    assert answer.json() == {
        "message": "Prospects fetched successfully",
        "payload": [{
            "id": "Pr9xQ2Lm",
            "email": "raj@globex.io",
            "attributes": [
                {"key": "First Name", "value": "Raj"}, {"key": "Last Name", "value": "Patel"},
            ],
        }],
    }
    [received] = people.search_requests
    assert received.query == "pageSize=10&page=1&search=raj"
    assert received.body is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("jane", ["8PvBmrB7P7", "Zx81Kq2w"]),  # first name; and inside an email
        ("JANE", ["8PvBmrB7P7", "Zx81Kq2w"]),
        ("patel", ["Pr9xQ2Lm"]),  # last name
        ("@GLOBEX.io", ["Pr9xQ2Lm"]),  # part of an email
        ("jane.doe@acme.com", ["8PvBmrB7P7"]),
        ("acme", ["8PvBmrB7P7"]),  # in the email; the company does not count
        ("Doeville", []),  # company only
        ("CTO", []),  # job title only
        ("nobody", []),
    ],
)
def test_searches_first_name_last_name_and_email_ignoring_case(
    people: FakeSaleshandy, http: httpx.Client, text: str, expected: list[str]
) -> None:
    assert ids(search(http, search=text)) == expected


def test_pages_through_the_matches_in_the_order_added(
    fake_saleshandy: FakeSaleshandy, http: httpx.Client
) -> None:
    for n in range(25):
        fake_saleshandy.add_prospect(f"P{n:04d}", email=f"lead{n}@acme.com")

    pages = [ids(search(http, search="acme", pageSize=10, page=page)) for page in (1, 2, 3, 4)]

    assert pages[0] == [f"P{n:04d}" for n in range(10)]
    assert pages[1] == [f"P{n:04d}" for n in range(10, 20)]
    assert pages[2] == [f"P{n:04d}" for n in range(20, 25)]
    assert pages[3] == []
    assert len(ids(search(http, search="acme", pageSize=50))) == 25
    assert len(ids(http.get("prospects", params={"search": "acme"}))) == 10  # default size
    assert len(ids(http.get("prospects", params={"pageSize": 100}))) == 25  # no text: all


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({"pageSize": 5}, "pageSize must be one of the following values: 10, 20, 50, 100"),
        ({"pageSize": 1000}, "pageSize must be one of the following values"),
        ({"pageSize": "ten"}, "pageSize must be one of the following values"),
        ({"page": 0}, "page must not be less than 1"),
        ({"page": -1}, "page must not be less than 1"),
        ({"page": "first"}, "page must not be less than 1"),
    ],
)
def test_a_bad_page_size_or_page_gets_400(
    people: FakeSaleshandy, http: httpx.Client, params: dict[str, Any], problem: str
) -> None:
    answer = search(http, search="jane", **params)

    assert answer.status_code == 400
    assert any(problem in message for message in answer.json()["message"])


def test_a_content_type_on_the_get_gets_406(people: FakeSaleshandy, http: httpx.Client) -> None:
    answer = http.get(
        "prospects", params={"search": "jane", "pageSize": 10},
        headers={"Content-Type": "application/json"},
    )

    assert answer.status_code == 406


@pytest.mark.parametrize("key", [None, "wrong-key"])
def test_a_missing_or_wrong_key_gets_401(people: FakeSaleshandy, key: str | None) -> None:
    headers = {"x-api-key": key} if key else {}

    answer = httpx.get(
        f"{people.base_url}/prospects", params={"search": "jane", "pageSize": 10}, headers=headers
    )

    assert answer.status_code == 401
    assert answer.json()["message"] == "Unauthorized"


def test_other_methods_on_prospects_are_404(http: httpx.Client) -> None:
    assert http.post("prospects", json={}).status_code == 404


def test_search_and_create_share_one_rate_limit_window_per_key(
    fake_saleshandy: FakeSaleshandy, http: httpx.Client, fake_clock: FakeClock
) -> None:
    fake_saleshandy.set_clock(fake_clock.time)
    fake_saleshandy.set_rate_limit(2, window_seconds=30)

    answers = [
        http.post("tasks/create", json=TASK),
        search(http, search="x"),
        search(http, search="x"),
        http.post("tasks/create", json=TASK),
    ]

    assert [a.status_code for a in answers] == [201, 200, 429, 429]
    assert [a.headers["x-ratelimit-remaining"] for a in answers] == ["1", "0", "0", "0"]
    assert answers[2].headers["retry-after"] == "30"
    assert answers[1].headers["x-ratelimit-limit"] == "2"
    fake_clock.sleep(30)
    assert search(http, search="x").status_code == 200  # a new window


def test_faults_are_scripted_per_endpoint(
    people: FakeSaleshandy, http: httpx.Client
) -> None:
    people.fail_next(500, endpoint="search")
    people.rate_limit_next("9", endpoint="search", after=1)
    people.fail_next(503)  # for the next create, never for a search

    answers = [search(http, search="raj") for _ in range(4)]
    created = http.post("tasks/create", json=TASK)

    assert [a.status_code for a in answers] == [500, 200, 429, 200]
    assert answers[0].json() == {"message": "Internal server error", "statusCode": 500}
    assert answers[2].headers["retry-after"] == "9"
    assert created.status_code == 503


def test_a_raw_answer_for_a_search(people: FakeSaleshandy, http: httpx.Client) -> None:
    people.answer_next_raw("<html>oops</html>", endpoint="search")

    assert search(http, search="raj").text == "<html>oops</html>"
    assert search(http, search="raj").status_code == 200


def test_a_dropped_search_then_a_normal_one(people: FakeSaleshandy, http: httpx.Client) -> None:
    people.drop_next_connection(endpoint="search")

    with pytest.raises(httpx.RemoteProtocolError):
        search(http, search="raj")

    assert ids(search(http, search="raj")) == ["Pr9xQ2Lm"]


@pytest.mark.parametrize(("did_the_work", "status"), [(True, 200), (False, 504)])
def test_a_stalled_search_answers_late(
    people: FakeSaleshandy, http: httpx.Client, did_the_work: bool, status: int
) -> None:
    people.stall_next(0.1, creates_tasks=did_the_work, endpoint="search")

    answer = search(http, search="raj")

    assert answer.status_code == status
    assert answer.elapsed.total_seconds() >= 0.1


def test_a_stall_outlasting_the_client_times_it_out(
    people: FakeSaleshandy, http: httpx.Client
) -> None:
    people.stall_next(30.0, endpoint="search")

    with pytest.raises(httpx.ReadTimeout):
        http.get("prospects", params={"search": "raj"}, timeout=httpx.Timeout(2.0, read=0.02))


def test_odd_shapes_are_for_create_answers_only(fake_saleshandy: FakeSaleshandy) -> None:
    with pytest.raises(ValueError, match="create-task"):
        fake_saleshandy.inject(Fault("shape", shape="missing_payload"), endpoint="search")


def test_latency_applies_to_searches(people: FakeSaleshandy, http: httpx.Client) -> None:
    people.set_latency(0.1)

    answer = search(http, search="raj")

    assert answer.status_code == 200
    assert answer.elapsed.total_seconds() >= 0.1


def test_concurrent_searches_are_each_answered(people: FakeSaleshandy) -> None:
    people.set_latency(0.1)
    answers: list[int] = []

    def one() -> None:
        got = httpx.get(
            f"{people.base_url}/prospects", params={"search": "jane"},
            headers={"x-api-key": SALESHANDY_TEST_KEY}, timeout=2.0,
        )
        answers.append(len(got.json()["payload"]))

    threads = [threading.Thread(target=one) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert answers == [2] * 5
    assert len(people.search_requests) == 5


def test_add_prospect_replaces_joins_the_known_set_and_reset_forgets(
    fake_saleshandy: FakeSaleshandy, http: httpx.Client
) -> None:
    fake_saleshandy.known_prospect_ids = frozenset({"Other1"})
    fake_saleshandy.add_prospect("Found1", email="old@acme.com")
    fake_saleshandy.add_prospect("Found1", email="new@acme.com", first_name="Ann")

    assert [item["email"] for item in search(http, search="acme").json()["payload"]] == [
        "new@acme.com"
    ]
    created = http.post("tasks/create", json={**TASK, "prospectIds": ["Found1", "Nope2"]})
    assert [r["success"] for r in created.json()["payload"]["results"]] == [True, False]

    fake_saleshandy.reset()
    assert fake_saleshandy.prospects == []
    assert search(http, search="acme").json()["payload"] == []


def test_a_prospect_without_optional_fields_lists_no_attributes(
    fake_saleshandy: FakeSaleshandy, http: httpx.Client
) -> None:
    fake_saleshandy.add_prospect("Bare1", email="bare@acme.com")

    assert search(http, search="bare").json()["payload"] == [
        {"id": "Bare1", "email": "bare@acme.com", "attributes": []}
    ]
