"""The fake Saleshandy keeps the contract (../shared/saleshandy-create-task.md), spoken to with
plain httpx, so the client's tests stand on something faithful."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.saleshandy import seconds_until_reset
from bot_testing.http_adapter import Request
from bot_testing.saleshandy import FakeSaleshandy
from tests.conftest import SALESHANDY_TEST_KEY, FakeClock
from tests.helpers.fakes import tls_context
from tests.helpers.slack_app import wait_until

VALID: dict[str, Any] = {
    "prospectIds": ["8PvBmrB7P7"],
    "taskType": "13",
    "priority": "3",
    "dueDate": "2026-04-22",
    "taskNote": "Call to follow up on the proposal sent yesterday.",
}


@pytest.fixture
def http(fake_saleshandy: FakeSaleshandy) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=fake_saleshandy.base_url + "/",
        headers={"x-api-key": SALESHANDY_TEST_KEY},
        timeout=2.0,
        verify=tls_context(),
    ) as client:
        yield client


def test_answers_without_being_served_over_http() -> None:
    fake = FakeSaleshandy("key-1")
    request = Request(
        "POST", "/v1/tasks/create", "", {"x-api-key": "key-1", "content-type": "application/json"},
        json.dumps(VALID).encode(),
    )

    answer = fake.handle(request)

    assert answer.status == 201 and answer.headers["x-ratelimit-remaining"] == "999"
    assert [task.prospect_id for task in fake.tasks] == VALID["prospectIds"]


def test_creates_one_task_per_known_prospect(
    fake_saleshandy: FakeSaleshandy, http: httpx.Client
) -> None:
    body = {**VALID, "prospectIds": ["Pr9xQ2Lm", "Pr4Kb8Qw", "INVALIDxx", "missing01"]}

    answer = http.post("tasks/create", json=body)

    assert answer.status_code == 201
    assert answer.json()["message"] == "Task created successfully"
    results = answer.json()["payload"]["results"]
    assert [(r["prospectId"], r["success"]) for r in results] == [
        ("Pr9xQ2Lm", True), ("Pr4Kb8Qw", True), ("INVALIDxx", False), ("missing01", False),
    ]
    assert results[2]["taskId"] is None
    task_ids = [r["taskId"] for r in results[:2]]
    assert all(re.fullmatch(r"[A-Za-z0-9]{10}", task_id) for task_id in task_ids)
    assert task_ids[0] != task_ids[1]
    [first, second] = fake_saleshandy.tasks
    assert (first.task_id, first.prospect_id, first.task_type, first.due_date) == (
        task_ids[0], "Pr9xQ2Lm", "13", "2026-04-22"
    )
    assert (first.priority, first.note) == ("3", VALID["taskNote"])
    assert second.prospect_id == "Pr4Kb8Qw"
    [received] = fake_saleshandy.create_requests
    assert received.body == body
    assert received.headers["x-api-key"] == SALESHANDY_TEST_KEY


def test_only_the_given_prospects_are_known_when_a_set_is_given(
    fake_saleshandy: FakeSaleshandy, http: httpx.Client
) -> None:
    fake_saleshandy.known_prospect_ids = frozenset({"Known1"})

    answer = http.post("tasks/create", json={**VALID, "prospectIds": ["Known1", "Other2"]})

    assert [r["success"] for r in answer.json()["payload"]["results"]] == [True, False]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"prospectIds": None}, "prospectIds must be an array"),
        ({"prospectIds": "8PvBmrB7P7"}, "prospectIds must be an array"),
        ({"prospectIds": []}, "prospectIds should not be empty"),
        ({"prospectIds": ["ok", 7]}, "each value in prospectIds must be a non-empty string"),
        ({"taskType": None}, "taskType should not be empty"),
        ({"taskType": "1"}, "taskType must be one of the following values: 2, 3, 4"),
        ({"taskType": 13}, "taskType must be one of the following values"),
        ({"priority": "5"}, "priority must be one of the following values: 1, 2, 3, 4"),
        ({"priority": 3}, "priority must be one of the following values"),
        ({"dueDate": "2026-02-30"}, "dueDate must be a valid date in YYYY-MM-DD format"),
        ({"dueDate": "22/04/2026"}, "dueDate must be a valid date in YYYY-MM-DD format"),
        ({"taskNote": 5}, "taskNote must be a string"),
        ({"prospectId": "8PvBmrB7P7"}, "property prospectId should not exist"),
    ],
)
def test_refuses_each_bad_field_with_400(
    fake_saleshandy: FakeSaleshandy, http: httpx.Client, change: dict[str, Any], problem: str
) -> None:
    body = {key: value for key, value in {**VALID, **change}.items() if value is not None}

    answer = http.post("tasks/create", json=body)

    assert answer.status_code == 400
    messages = answer.json()["message"]
    assert isinstance(messages, list)
    assert any(problem in message for message in messages), messages
    assert fake_saleshandy.tasks == []


def test_optional_fields_may_be_left_out(http: httpx.Client) -> None:
    answer = http.post("tasks/create", json={"prospectIds": ["A1"], "taskType": "2"})

    assert answer.status_code == 201


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (json.dumps(VALID), "text/plain"),
        ("{not json", "application/json"),
        ("[1]", "application/json"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_refused(
    http: httpx.Client, content: str, content_type: str
) -> None:
    answer = http.post("tasks/create", content=content, headers={"Content-Type": content_type})

    assert answer.status_code == 400
    assert answer.json()["message"]


@pytest.mark.parametrize("key", [None, "wrong-key"])
def test_a_missing_or_wrong_key_gets_401(
    fake_saleshandy: FakeSaleshandy, key: str | None
) -> None:
    headers = {"x-api-key": key} if key else {}

    answer = httpx.post(f"{fake_saleshandy.base_url}/tasks/create", json=VALID, headers=headers)

    assert answer.status_code == 401
    assert answer.json()["message"] == "Unauthorized"
    assert fake_saleshandy.tasks == []


def test_a_get_with_content_type_gets_406_and_unknown_paths_404(http: httpx.Client) -> None:
    assert http.get("tasks/create", headers={"Content-Type": "application/json"}).status_code == 406
    assert http.get("tasks/create").status_code == 404
    missing = http.post("tasks/delete", json=VALID)
    assert missing.status_code == 404
    assert missing.json()["message"] == "Cannot POST /v1/tasks/delete"


def test_every_answer_carries_rate_limit_headers(http: httpx.Client) -> None:
    answers = [
        http.post("tasks/create", json=VALID),
        http.post("tasks/create", json={}),
        http.post("nowhere", json=VALID),
    ]

    assert [a.headers["x-ratelimit-remaining"] for a in answers] == ["999", "998", "997"]
    assert all(a.headers["x-ratelimit-limit"] == "1000" for a in answers)
    assert all(a.headers["x-ratelimit-reset"] == "60" for a in answers)


@pytest.mark.parametrize("reset_format", ["seconds", "epoch", "iso", "http-date"])
def test_past_the_limit_answers_429_with_retry_after(
    fake_saleshandy: FakeSaleshandy, http: httpx.Client, fake_clock: FakeClock, reset_format: Any
) -> None:
    fake_saleshandy.set_clock(fake_clock.time)
    fake_saleshandy.set_rate_limit(2, window_seconds=30, reset_format=reset_format)

    answers = [http.post("tasks/create", json=VALID) for _ in range(3)]

    assert [a.status_code for a in answers] == [201, 201, 429]
    assert [a.headers["x-ratelimit-remaining"] for a in answers] == ["1", "0", "0"]
    assert answers[2].headers["retry-after"] == "30"
    wait = seconds_until_reset(answers[2].headers["x-ratelimit-reset"], now=fake_clock.now)
    assert wait is not None and 29 <= wait <= 31
    assert len(fake_saleshandy.tasks) == 2
    fake_clock.sleep(30)
    assert http.post("tasks/create", json=VALID).status_code == 201  # a new window


def test_scripted_faults_come_in_order_then_it_behaves(
    fake_saleshandy: FakeSaleshandy, http: httpx.Client
) -> None:
    fake_saleshandy.fail_next(503, after=1)
    fake_saleshandy.fail_next(400, ["one", "two"])
    fake_saleshandy.rate_limit_next("9")
    fake_saleshandy.answer_next_raw("<html>oops</html>")

    answers = [http.post("tasks/create", json=VALID) for _ in range(6)]

    assert [a.status_code for a in answers] == [201, 503, 400, 429, 200, 201]
    assert answers[2].json()["message"] == ["one", "two"]
    assert answers[3].headers["retry-after"] == "9"
    assert answers[4].text == "<html>oops</html>"
    assert len(fake_saleshandy.tasks) == 3  # the raw answer came after creating the task


@pytest.mark.parametrize(
    ("shape", "check"),
    [
        ("missing_payload", lambda body: "payload" not in body),
        ("missing_results", lambda body: body["payload"] == {}),
        ("results_not_list", lambda body: isinstance(body["payload"]["results"], dict)),
        ("partial_results", lambda body: len(body["payload"]["results"]) == 1),
        ("extra_unknown_ids", lambda body: len(body["payload"]["results"]) == 3),
        ("extra_fields", lambda body: "status" in body["payload"]["results"][0]),
        ("duplicate_results", lambda body: len(body["payload"]["results"]) == 4),
        ("success_without_task_id", lambda body: "taskId" not in body["payload"]["results"][0]),
    ],
)
def test_odd_shapes_are_served_after_creating_the_tasks(
    fake_saleshandy: FakeSaleshandy, http: httpx.Client, shape: Any, check: Any
) -> None:
    fake_saleshandy.answer_next_with_shape(shape)

    answer = http.post("tasks/create", json={**VALID, "prospectIds": ["A1", "A2"]})

    assert answer.status_code == 201
    assert check(answer.json())
    assert len(fake_saleshandy.tasks) == 2


@pytest.mark.parametrize("creates_tasks", [True, False])
def test_a_dropped_connection_may_or_may_not_have_created_the_tasks(
    fake_saleshandy: FakeSaleshandy, http: httpx.Client, creates_tasks: bool
) -> None:
    fake_saleshandy.drop_next_connection(creates_tasks=creates_tasks)

    with pytest.raises(httpx.RemoteProtocolError):
        http.post("tasks/create", json=VALID)

    assert len(fake_saleshandy.tasks) == (1 if creates_tasks else 0)
    assert http.post("tasks/create", json=VALID).status_code == 201


def test_a_stall_outlasts_the_client_and_reset_ends_it(
    fake_saleshandy: FakeSaleshandy, http: httpx.Client
) -> None:
    fake_saleshandy.stall_next(30.0)

    with pytest.raises(httpx.ReadTimeout):
        http.post("tasks/create", json=VALID, timeout=httpx.Timeout(2.0, read=0.02))

    # The client gave up after 0.02 s; under load the fake may create the task a moment later.
    wait_until(lambda: fake_saleshandy.tasks, what="the stalled request's task")
    assert len(fake_saleshandy.tasks) == 1
    fake_saleshandy.reset()
    assert fake_saleshandy.requests == [] and fake_saleshandy.tasks == []


def test_latency_delays_each_answer(fake_saleshandy: FakeSaleshandy, http: httpx.Client) -> None:
    fake_saleshandy.set_latency(0.1)

    answer = http.post("tasks/create", json=VALID)

    assert answer.status_code == 201
    assert answer.elapsed.total_seconds() >= 0.1


def test_a_fake_of_its_own_as_a_context_manager() -> None:
    with FakeSaleshandy(api_key="own-key", known_prospect_ids={"Only1"}) as fake:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/v1", fake.base_url)
        answer = httpx.post(
            f"{fake.base_url}/tasks/create",
            json={**VALID, "prospectIds": ["Only1", "Else2"]},
            headers={"x-api-key": "own-key"},
        )
        assert [r["success"] for r in answer.json()["payload"]["results"]] == [True, False]


def test_runs_by_hand_and_prints_its_url() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "bot_testing.saleshandy", "--port", "0", "--key", "hand-key"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:\d+/v1", line)
        assert match, line
        answer = httpx.post(
            f"{match.group()}/tasks/create", json=VALID, headers={"x-api-key": "hand-key"}
        )
        assert answer.status_code == 201
    finally:
        process.terminate()
        process.wait(timeout=5)
