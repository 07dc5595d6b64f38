import datetime

import pydantic
import pytest

from bot.domain import (
    NOTE_MAX_CHARS,
    ChannelGroup,
    CreateTaskRequest,
    DraftField,
    OutcomeStatus,
    Priority,
    ProspectOutcome,
    ProspectRef,
    TaskDraft,
    TaskType,
)

ACCEPTED_TYPE_CODES = {"2", "3", "4", "5", "6", "9", "11", "12", "13", "14", "15", "16", "17", "18"}


def test_task_types_carry_exactly_the_codes_the_api_accepts() -> None:
    assert {t.code for t in TaskType} == ACCEPTED_TYPE_CODES
    assert TaskType.CALL_FOLLOW_UP.code == "13"
    assert TaskType.CALL_FOLLOW_UP.group is ChannelGroup.CALL
    assert TaskType.LINKEDIN_INMAIL.full_label == "LinkedIn · InMail"
    assert {t.group for t in TaskType} == set(ChannelGroup)


def test_priorities_carry_codes_and_labels() -> None:
    assert [(p.code, p.label) for p in Priority] == [
        ("1", "Urgent"), ("2", "High"), ("3", "Medium"), ("4", "Low"),
    ]


def test_request_body_is_exactly_what_the_api_expects() -> None:
    request = CreateTaskRequest(
        prospect_ids=("8PvBmrB7P7", "Pr9xQ2Lm", "8PvBmrB7P7"),
        task_type=TaskType.CALL_FOLLOW_UP,
        due_date=datetime.date(2026, 4, 2),
        priority=Priority.MEDIUM,
        task_note="  Call about the proposal.  ",
    )
    assert request.to_api_body() == {
        "prospectIds": ["8PvBmrB7P7", "Pr9xQ2Lm"],
        "taskType": "13",
        "priority": "3",
        "dueDate": "2026-04-02",
        "taskNote": "Call about the proposal.",
    }


def test_optional_fields_are_left_out_of_the_body() -> None:
    request = CreateTaskRequest(
        prospect_ids=("8PvBmrB7P7",), task_type=TaskType.CUSTOM,
        due_date=datetime.date(2026, 1, 1), task_note="   ",
    )
    assert request.to_api_body() == {
        "prospectIds": ["8PvBmrB7P7"], "taskType": "9", "dueDate": "2026-01-01",
    }


@pytest.mark.parametrize(
    "bad",
    [
        {"prospect_ids": ()},
        {"prospect_ids": ("has space",)},
        {"task_note": "x" * (NOTE_MAX_CHARS + 1)},
        {"task_type": "1"},
        {"priority": "5"},
    ],
)
def test_invalid_requests_are_refused(bad: dict[str, object]) -> None:
    fields: dict[str, object] = {
        "prospect_ids": ("8PvBmrB7P7",), "task_type": TaskType.CALL_DEMO,
        "due_date": datetime.date(2026, 1, 1),
    }
    with pytest.raises(pydantic.ValidationError):
        CreateTaskRequest(**(fields | bad))  # type: ignore[arg-type]


def test_for_prospects_keeps_every_other_field() -> None:
    request = CreateTaskRequest(
        prospect_ids=("8PvBmrB7P7", "Pr9xQ2Lm"), task_type=TaskType.CALL_DEMO,
        due_date=datetime.date(2026, 1, 1), priority=Priority.LOW,
    )
    chunk = request.for_prospects(("Pr9xQ2Lm",))
    assert chunk.to_api_body() == request.to_api_body() | {"prospectIds": ["Pr9xQ2Lm"]}


def test_outcomes() -> None:
    assert ProspectOutcome.created("a1b2c3", "T1").status is OutcomeStatus.CREATED
    assert not ProspectOutcome.created("a1b2c3", "T1").needs_retry
    assert ProspectOutcome.failed("a1b2c3", "nope").needs_retry
    assert ProspectOutcome.unknown("a1b2c3", "timeout").reason == "timeout"


def test_draft_says_what_is_missing_and_refuses_to_become_a_request_until_complete() -> None:
    today = datetime.date(2026, 11, 28)
    empty = TaskDraft(due_date=today)
    assert empty.missing == (DraftField.TASK_TYPE, DraftField.PROSPECTS)
    assert len(empty.missing_messages()) == 2
    with pytest.raises(ValueError):
        empty.to_request()
    ready = TaskDraft(
        due_date=today, task_type=TaskType.CALL_DEMO, prospects=(ProspectRef(id="8PvBmrB7P7"),)
    )
    assert ready.is_ready
    assert ready.to_request().to_api_body()["dueDate"] == "2026-11-28"
