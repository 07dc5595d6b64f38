"""Reading Saleshandy's answers: statuses into typed errors, results into per-prospect outcomes.

Liberal in what it accepts (extra fields, odd shapes), strict in what it concludes: a prospect is
CREATED only when the API says so, FAILED only when nothing can have been created for it, and
UNKNOWN whenever the answer leaves room for doubt. Facts only: `bot/slack/wording.py` says them.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from enum import Enum
from typing import Any

import httpx

from bot.domain import OutcomeStatus, ProspectOutcome
from bot.saleshandy.errors import (
    AuthenticationError,
    NotFoundError,
    Operation,
    PermissionDeniedError,
    RateLimitError,
    SaleshandyError,
    ServerError,
    UnexpectedStatusError,
    UnreadableResponseError,
    ValidationError,
    clip,
    redact,
)
from bot.saleshandy.ratelimit import retry_after_seconds

logger = logging.getLogger(__name__)

TASK_ID_NOT_REPORTED = "(not reported)"
"""The task id of a prospect reported with `success: true` but no `taskId`: the API says the task
exists, so it is CREATED (a retry would make a duplicate); only its id is missing."""



class ProspectVerdict(Enum):
    """Why an answer leaves one prospect without a task it is sure of: a fact, worded at the edge."""

    NOT_CREATED = "not_created"
    """`success: false` and no task id: nothing was created for it (FAILED)."""
    NOT_REPORTED = "not_reported"
    """Missing from the results: the task may exist (UNKNOWN)."""
    CONTRADICTED = "contradicted"
    """Reported twice, differently, or failed with a task id: the task may exist (UNKNOWN)."""
    UNCLEAR = "unclear"
    """Neither a clear `success` nor a task id: the task may exist (UNKNOWN)."""

    @property
    def outcome_status(self) -> OutcomeStatus:
        return OutcomeStatus.FAILED if self is ProspectVerdict.NOT_CREATED else OutcomeStatus.UNKNOWN


_REQUEST_ID_HEADERS = (
    "x-request-id", "request-id", "x-correlation-id", "x-amzn-requestid", "cf-ray",
)
_BODY_KEPT = 500


def request_id_of(headers: Mapping[str, str]) -> str | None:
    for name in _REQUEST_ID_HEADERS:
        if value := headers.get(name):
            return value
    return None


def api_message_of(body: Any) -> str | None:
    """The API's `message` (a string, or a list of strings joined with "; "), if there is one."""
    if not isinstance(body, dict):
        return None
    message = body.get("message", body.get("error"))
    if isinstance(message, str):
        return message.strip() or None
    if isinstance(message, list):
        parts = [str(part).strip() for part in message if str(part).strip()]
        return "; ".join(parts) or None
    return None


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except (ValueError, RecursionError):  # bad JSON or text; absurdly deep nesting
        return None


def error_from_response(
    response: httpx.Response, *, operation: Operation, secret: str, now: float
) -> SaleshandyError:
    """The typed error for a non-2xx answer to `operation`, with every piece of API text redacted and
    clipped (docs/saleshandy-api.md, "Errors, as the client reads them")."""
    status = response.status_code
    message = api_message_of(_json_or_none(response))
    api_message = clip(redact(message, secret)) if message else None
    request_id = request_id_of(response.headers)
    body = clip(redact(response.text, secret), _BODY_KEPT) if response.content else None
    if status == 429:
        return RateLimitError(
            retry_after=retry_after_seconds(response.headers, now=now),
            operation=operation,
            request_id=request_id,
            body=body,
        )
    kinds: dict[int, type[SaleshandyError]] = {
        400: ValidationError,
        401: AuthenticationError,
        403: PermissionDeniedError,
        404: NotFoundError,
        422: ValidationError,
    }
    kind = kinds.get(status, ServerError if status >= 500 else UnexpectedStatusError)
    return kind(
        operation=operation, status_code=status, api_message=api_message, request_id=request_id, body=body
    )


def outcomes_from_answer(
    response: httpx.Response, prospect_ids: Sequence[str], *, secret: str
) -> tuple[tuple[ProspectOutcome, ...], dict[str, ProspectVerdict]]:
    """One outcome per sent prospect, in the order sent, from a 2xx answer; and the verdict on each
    prospect not CREATED (its outcome has no reason: the verdict is why).

    Raises UnreadableResponseError when the answer does not list results at all: tasks may have been
    created, so every prospect of the request is UNKNOWN.
    """
    body = _json_or_none(response)
    payload = body.get("payload") if isinstance(body, dict) else None
    results = payload.get("results") if isinstance(payload, dict) else None
    if not isinstance(results, list):
        raise UnreadableResponseError(
            status_code=response.status_code,
            request_id=request_id_of(response.headers),
            body=clip(redact(response.text, secret), _BODY_KEPT),
        )
    reported = _first_result_per_prospect(results, set(prospect_ids))
    judged = [(pid, _judge(reported.get(pid))) for pid in prospect_ids]
    outcomes = tuple(
        ProspectOutcome(pid, judgement.outcome_status)
        if isinstance(judgement, ProspectVerdict)
        else ProspectOutcome.created(pid, judgement)
        for pid, judgement in judged
    )
    return outcomes, {pid: j for pid, j in judged if isinstance(j, ProspectVerdict)}


def _first_result_per_prospect(results: list[Any], sent: set[str]) -> dict[str, dict[str, Any]]:
    reported: dict[str, dict[str, Any]] = {}
    for result in results:
        prospect_id = result.get("prospectId") if isinstance(result, dict) else None
        if not isinstance(prospect_id, str) or prospect_id not in sent:
            logger.warning("Saleshandy reported on a prospect it was not sent; ignored")
            continue
        earlier = reported.get(prospect_id)
        if earlier is not None and _verdict(earlier) != _verdict(result):
            logger.warning("Saleshandy reported on one prospect twice, differently")
            reported[prospect_id] = {"contradicted": True}
        elif earlier is None:
            reported[prospect_id] = result
    return reported


def _verdict(result: dict[str, Any]) -> tuple[object, object]:
    return result.get("success"), result.get("taskId")


def _judge(result: dict[str, Any] | None) -> str | ProspectVerdict:
    """The task id of a prospect whose task exists, else the verdict on it."""
    if result is None:
        return ProspectVerdict.NOT_REPORTED
    if result.get("contradicted"):
        return ProspectVerdict.CONTRADICTED
    success = result.get("success")
    raw_task_id = result.get("taskId")
    readable_id = isinstance(raw_task_id, str | int) and not isinstance(raw_task_id, bool)
    task_id = str(raw_task_id) if readable_id and raw_task_id != "" else None
    if success is False and task_id is not None:
        # "Failed" with a task id: the task may exist; a retry could make a second one.
        return ProspectVerdict.CONTRADICTED
    if success is False:
        return ProspectVerdict.NOT_CREATED
    if success is True:
        return task_id or TASK_ID_NOT_REPORTED
    # No clear `success`: a task id is evidence enough that the task exists; nothing else is.
    return task_id if task_id is not None else ProspectVerdict.UNCLEAR
