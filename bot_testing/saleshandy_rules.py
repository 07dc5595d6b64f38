"""What the fake Saleshandy checks and answers, as pure functions (its server: `saleshandy.py`).

Written from the contract (../shared/saleshandy-create-task.md), not from `bot.domain`, so a mistake
in the domain cannot hide behind a fake that makes the same mistake. Messages follow the style the
API's framework (class-validator) uses: a list of strings under `message`.
"""

from __future__ import annotations

import copy
import datetime
import email.utils
import math
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

TASK_TYPE_CODES = ("2", "3", "4", "5", "6", "9", "11", "12", "13", "14", "15", "16", "17", "18")
PRIORITY_CODES = ("1", "2", "3", "4")
BODY_FIELDS = frozenset({"prospectIds", "taskType", "priority", "dueDate", "taskNote"})
UNKNOWN_ID_PREFIXES = ("invalid", "missing")
"""With no explicit set of known prospects, an ID is unknown when it starts with one of these (in
any case), like the API docs' own example `INVALIDxx`; every other well-formed ID is known."""

ResetFormat = Literal["seconds", "epoch", "iso", "http-date"]
Shape = Literal[
    "missing_payload",
    "missing_results",
    "results_not_list",
    "partial_results",
    "extra_unknown_ids",
    "extra_fields",
    "duplicate_results",
    "success_without_task_id",
]
"""Odd but 2xx answers, all given after the tasks were really created:
missing_payload / missing_results / results_not_list: no readable results at all;
partial_results: the last prospect is not reported; extra_unknown_ids: a result for an ID not sent;
extra_fields: unknown fields everywhere; duplicate_results: each result repeated, the copy saying
the opposite; success_without_task_id: successes without their `taskId`."""

CREATE_PATH = "/v1/tasks/create"
SEARCH_PATH = "/v1/prospects"
PAGE_SIZES = (10, 20, 50, 100)
DEFAULT_PAGE_SIZE = 10
"""`pageSize` when the query has none (the contract names no default; 10 is the smallest allowed)."""

Endpoint = Literal["create", "search"]
"""Which requests a scripted fault is for: POST /v1/tasks/create or GET /v1/prospects."""

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
EXTRA_UNKNOWN_ID = "ZZnotSent01"


@dataclass(frozen=True)
class ReceivedRequest:
    method: str
    path: str
    query: str
    headers: Mapping[str, str]
    """Names in lower case."""
    body: Any
    """The parsed JSON body, or None when there was none or it was not JSON."""
    raw_body: bytes


@dataclass(frozen=True)
class CreatedTask:
    task_id: str
    prospect_id: str
    task_type: str
    due_date: str | None
    priority: str | None
    note: str | None
    api_key: str | None = None
    """The key that made it: whose task it is in Saleshandy."""


@dataclass(frozen=True)
class Fault:
    """A scripted misbehaviour for a coming create-task request (see `FakeSaleshandy`'s methods)."""

    kind: Literal["normal", "answer", "shape", "drop", "stall"]
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: Mapping[str, str] = field(default_factory=dict)
    shape: Shape | None = None
    creates_tasks: bool = True
    seconds: float = 0.0


def validation_problems(body: Any) -> list[str]:
    """Everything wrong with a create-task body, in the API's words; empty when it is valid."""
    if not isinstance(body, dict):
        return ["request body must be a JSON object"]
    problems = [f"property {name} should not exist" for name in body if name not in BODY_FIELDS]
    problems += _prospect_ids_problems(body.get("prospectIds"))
    task_type = body.get("taskType")
    if task_type is None:
        problems.append("taskType should not be empty")
    if task_type not in TASK_TYPE_CODES:
        problems.append(_one_of("taskType", TASK_TYPE_CODES))
    priority = body.get("priority")
    if priority is not None and priority not in PRIORITY_CODES:
        problems.append(_one_of("priority", PRIORITY_CODES))
    due_date = body.get("dueDate")
    if due_date is not None and not _is_real_date(due_date):
        problems.append("dueDate must be a valid date in YYYY-MM-DD format")
    note = body.get("taskNote")
    if note is not None and not isinstance(note, str):
        problems.append("taskNote must be a string")
    return problems


def _one_of(field: str, codes: tuple[str, ...]) -> str:
    return f"{field} must be one of the following values: {', '.join(codes)}"


def _prospect_ids_problems(ids: Any) -> list[str]:
    if ids is None:
        return ["prospectIds should not be empty", "prospectIds must be an array"]
    if not isinstance(ids, list):
        return ["prospectIds must be an array"]
    if not ids:
        return ["prospectIds should not be empty"]
    if not all(isinstance(prospect_id, str) and prospect_id for prospect_id in ids):
        return ["each value in prospectIds must be a non-empty string"]
    return []


def _is_real_date(value: Any) -> bool:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        return False
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def is_known(prospect_id: str, known: frozenset[str] | None) -> bool:
    if known is not None:
        return prospect_id in known
    return not prospect_id.lower().startswith(UNKNOWN_ID_PREFIXES)


def success_body(results: list[dict[str, Any]]) -> dict[str, Any]:
    return {"message": "Task created successfully", "payload": {"results": results}}


def reshape(body: dict[str, Any], shape: Shape) -> dict[str, Any]:
    """`body` (a success answer) bent into one of the odd shapes."""
    body = copy.deepcopy(body)
    results: list[dict[str, Any]] = body["payload"]["results"]
    if shape == "missing_payload":
        del body["payload"]
    elif shape == "missing_results":
        body["payload"] = {}
    elif shape == "results_not_list":
        body["payload"]["results"] = {"count": len(results)}
    elif shape == "partial_results":
        results.pop()
    elif shape == "extra_unknown_ids":
        results.insert(0, {"prospectId": EXTRA_UNKNOWN_ID, "taskId": "XXXXXXXXXX", "success": True})
    elif shape == "extra_fields":
        body["requestedAt"] = "2026-01-01T00:00:00Z"
        body["payload"]["meta"] = {"version": 2}
        for result in results:
            result["status"] = "done"
            result["links"] = {"self": f"/v1/tasks/{result['taskId']}"}
    elif shape == "duplicate_results":
        opposite = [
            {"prospectId": r["prospectId"], "taskId": None if r["success"] else "ZZZZZZZZZZ",
             "success": not r["success"]}
            for r in results
        ]
        results.extend(opposite)
    elif shape == "success_without_task_id":
        for result in results:
            if result["success"]:
                del result["taskId"]
    return body


def reset_header(reset_at: float, now: float, style: ResetFormat) -> str:
    """`x-ratelimit-reset` in one of the forms seen in the wild."""
    if style == "seconds":
        return str(max(0, math.ceil(reset_at - now)))
    if style == "epoch":
        return str(math.ceil(reset_at))
    if style == "iso":
        moment = datetime.datetime.fromtimestamp(math.ceil(reset_at), datetime.UTC)
        return moment.isoformat().replace("+00:00", "Z")
    return email.utils.formatdate(math.ceil(reset_at), usegmt=True)


# -- prospect search (GET /v1/prospects) ----------------------------------------------------------


@dataclass(frozen=True)
class FakeProspect:
    """A prospect the fake's search can find (see `FakeSaleshandy.add_prospect`)."""

    id: str
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None
    job_title: str | None = None

    def matches(self, text: str) -> bool:
        """`text` is in the first name, last name or email, ignoring case; blank text matches all."""
        needle = text.strip().casefold()
        return any(
            needle in (value or "").casefold()
            for value in (self.first_name, self.last_name, self.email)
        ) if needle else True

    def as_item(self) -> dict[str, Any]:
        """The prospect as the API lists it: `id`, `email` and `attributes` ({key, value} pairs,
        only those the prospect has)."""
        attributes = [
            {"key": key, "value": value}
            for key, value in (
                ("First Name", self.first_name), ("Last Name", self.last_name),
                ("Company", self.company), ("Job Title", self.job_title),
            )
            if value is not None
        ]
        return {"id": self.id, "email": self.email, "attributes": attributes}


@dataclass(frozen=True)
class SearchQuery:
    search: str
    page_size: int
    page: int


def search_query(query: str) -> tuple[SearchQuery | None, list[str]]:
    """The search's parameters from a query string, or the problems with them (the API's words).

    `search` may be missing (everything matches); `pageSize` one of 10, 20, 50, 100 (10 when
    missing); `page` a whole number from 1 (1 when missing). A repeated parameter: the first counts.
    """
    params = urllib.parse.parse_qs(query, keep_blank_values=True)
    search = params.get("search", [""])[0]
    problems: list[str] = []
    raw_size = params.get("pageSize", [str(DEFAULT_PAGE_SIZE)])[0]
    if raw_size not in {str(size) for size in PAGE_SIZES}:
        problems.append(_one_of("pageSize", tuple(str(size) for size in PAGE_SIZES)))
    raw_page = params.get("page", ["1"])[0]
    if not (raw_page.isascii() and raw_page.isdigit()) or int(raw_page) < 1:
        problems.append("page must not be less than 1")
    if problems:
        return None, problems
    return SearchQuery(search, int(raw_size), int(raw_page)), []


def search_body(prospects: list[FakeProspect], query: SearchQuery) -> dict[str, Any]:
    """The page of matching prospects, as `{"message": ..., "payload": [item, ...]}`."""
    found = [prospect for prospect in prospects if prospect.matches(query.search)]
    start = (query.page - 1) * query.page_size
    page = found[start : start + query.page_size]
    return {"message": "Prospects fetched successfully", "payload": [p.as_item() for p in page]}
