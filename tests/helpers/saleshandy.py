"""Requests and readings shared by the Saleshandy client's tests."""

from __future__ import annotations

import datetime
from typing import Any

from bot.domain import CreateTaskRequest, OutcomeStatus, Priority, TaskType
from bot.saleshandy import CreateTasksResult

CREATED, FAILED, UNKNOWN = OutcomeStatus.CREATED, OutcomeStatus.FAILED, OutcomeStatus.UNKNOWN


def task_request(*ids: str, **fields: Any) -> CreateTaskRequest:
    values: dict[str, Any] = {
        "prospect_ids": ids,
        "task_type": TaskType.CALL_FOLLOW_UP,
        "due_date": datetime.date(2026, 4, 22),
        "priority": Priority.MEDIUM,
        "task_note": "Call about the proposal sent yesterday.",
    }
    values.update(fields)
    return CreateTaskRequest(**values)


def statuses(result: CreateTasksResult) -> list[OutcomeStatus]:
    return [outcome.status for outcome in result.outcomes]
