"""Answers at the edge: contradictions, broken encodings, absurd JSON, the API's own words, exact resends."""

from __future__ import annotations

import json
from collections.abc import Callable

from bot.saleshandy import ProspectVerdict, SaleshandyClient, UnreadableResponseError
from bot.slack.wording import say_error
from bot_testing.saleshandy import FakeSaleshandy
from tests.helpers.saleshandy import CREATED, FAILED, UNKNOWN, statuses, task_request

MakeClient = Callable[..., SaleshandyClient]


def results_body(*results: dict[str, object]) -> str:
    return json.dumps({"message": "Task created successfully", "payload": {"results": list(results)}})


def test_contradicting_reports_on_one_prospect_leave_it_unknown(
    fake_saleshandy: FakeSaleshandy, make_saleshandy_client: MakeClient
) -> None:
    fake_saleshandy.answer_next_raw(
        results_body(
            {"prospectId": "P1", "taskId": "T1", "success": True},
            {"prospectId": "P1", "taskId": None, "success": False},
            {"prospectId": "P2", "taskId": "T2", "success": True},
            {"prospectId": "P2", "taskId": "T2", "success": True},
        ),
        content_type="application/json",
    )
    result = make_saleshandy_client().create_tasks(task_request("P1", "P2"))
    assert statuses(result) == [UNKNOWN, CREATED]
    assert result.verdicts == {"P1": ProspectVerdict.CONTRADICTED}


def test_a_failure_that_names_a_task_id_is_unknown_not_failed(
    fake_saleshandy: FakeSaleshandy, make_saleshandy_client: MakeClient
) -> None:
    fake_saleshandy.answer_next_raw(
        results_body({"prospectId": "P1", "taskId": "T1", "success": False}),
        content_type="application/json",
    )
    result = make_saleshandy_client().create_tasks(task_request("P1"))
    assert statuses(result) == [UNKNOWN]


def test_an_answer_in_a_broken_encoding_leaves_its_chunk_unknown_and_keeps_the_others(
    fake_saleshandy: FakeSaleshandy, make_saleshandy_client: MakeClient
) -> None:
    fake_saleshandy.answer_next_raw(
        b"this is not gzip", content_type="application/json", headers={"Content-Encoding": "gzip"}
    )
    result = make_saleshandy_client(chunk_size=1).create_tasks(task_request("P1", "P2"))
    assert statuses(result) == [UNKNOWN, CREATED]
    assert [type(e) for e in result.errors] == [UnreadableResponseError]
    assert len(fake_saleshandy.tasks) == 2  # the first did land: hence UNKNOWN, never FAILED


def test_absurdly_nested_json_is_unreadable_not_a_crash(
    fake_saleshandy: FakeSaleshandy, make_saleshandy_client: MakeClient
) -> None:
    fake_saleshandy.answer_next_raw("[" * 100_000 + "]" * 100_000, content_type="application/json")
    result = make_saleshandy_client().create_tasks(task_request("P1", "P2"))
    assert statuses(result) == [UNKNOWN, UNKNOWN]


def test_the_apis_own_words_reach_the_rep_for_a_bad_key_and_an_outage(
    fake_saleshandy: FakeSaleshandy, make_saleshandy_client: MakeClient
) -> None:
    fake_saleshandy.fail_next(401, "API key expired")
    [auth] = make_saleshandy_client().create_tasks(task_request("P1")).errors
    assert auth.api_message == "API key expired"
    assert say_error(auth).endswith("Saleshandy said: API key expired")
    fake_saleshandy.fail_next(500, "Database maintenance until 14:00 UTC")
    [outage] = make_saleshandy_client().create_tasks(task_request("P1")).errors
    assert "may have been created" in say_error(outage)
    assert say_error(outage).endswith("Saleshandy said: Database maintenance until 14:00 UTC")


def test_every_chunk_and_every_resend_carries_the_exact_same_fields(
    fake_saleshandy: FakeSaleshandy, make_saleshandy_client: MakeClient
) -> None:
    fake_saleshandy.rate_limit_next("1")
    request = task_request("P1", "P2", "P3")
    result = make_saleshandy_client(chunk_size=2).create_tasks(request)
    assert statuses(result) == [CREATED] * 3
    expected = request.to_api_body()
    assert [r.body for r in fake_saleshandy.create_requests] == [
        expected | {"prospectIds": ["P1", "P2"]},  # answered 429
        expected | {"prospectIds": ["P1", "P2"]},  # the same body again
        expected | {"prospectIds": ["P3"]},
    ]
    assert all(r.headers.get("x-api-key") for r in fake_saleshandy.create_requests)
    assert FAILED not in statuses(result)
