"""What a task is, in the API's terms and in a rep's: pure values, no I/O.

The codes here are the only ones Saleshandy's create-task endpoint accepts
(see ../shared/saleshandy-create-task.md); nothing else may reach the API.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_serializer, field_validator

NOTE_MAX_CHARS = 2000
"""Longest note we send. The API documents no limit; 2,000 characters is far above any real note and
keeps one request (and the Slack modal field, limited to 3,000) comfortably bounded."""


def note_too_long(note: str) -> str | None:
    """Why `note` cannot be sent, in words for the rep; None when it fits."""
    if len(note) <= NOTE_MAX_CHARS:
        return None
    return f"The note is {len(note)} characters long; keep it to {NOTE_MAX_CHARS}."

PROSPECT_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
"""What the API's prospect IDs are made of (short alphanumeric hashes like `8PvBmrB7P7`)."""


class ChannelGroup(Enum):
    LINKEDIN = "LinkedIn"
    CALL = "Call"
    WHATSAPP = "WhatsApp"
    OTHER = "Other"

    @property
    def label(self) -> str:
        return self.value


class TaskType(Enum):
    """A task type; the value is the API's `taskType` code."""

    LINKEDIN_CONNECTION_REQUEST = "2"
    LINKEDIN_MESSAGE = "3"
    LINKEDIN_INMAIL = "4"
    LINKEDIN_VIEW_PROFILE = "5"
    LINKEDIN_POST_INTERACTION = "6"
    CUSTOM = "9"
    CALL_INTRODUCTION = "11"
    CALL_DEMO = "12"
    CALL_FOLLOW_UP = "13"
    CALL_REMINDER = "14"
    CALL_OTHER = "15"
    WHATSAPP_MESSAGE = "16"
    WHATSAPP_VOICE_MESSAGE = "17"
    WHATSAPP_VOICE_CALL = "18"

    @property
    def code(self) -> str:
        return self.value

    @property
    def label(self) -> str:
        return _TASK_TYPE_INFO[self][0]

    @property
    def group(self) -> ChannelGroup:
        return _TASK_TYPE_INFO[self][1]

    @property
    def full_label(self) -> str:
        """The label with its channel, as a rep reads it in a list: "Call · follow-up"."""
        return f"{self.group.label} · {self.label}"


_TASK_TYPE_INFO: dict[TaskType, tuple[str, ChannelGroup]] = {
    TaskType.LINKEDIN_CONNECTION_REQUEST: ("connection request", ChannelGroup.LINKEDIN),
    TaskType.LINKEDIN_MESSAGE: ("message", ChannelGroup.LINKEDIN),
    TaskType.LINKEDIN_INMAIL: ("InMail", ChannelGroup.LINKEDIN),
    TaskType.LINKEDIN_VIEW_PROFILE: ("view profile", ChannelGroup.LINKEDIN),
    TaskType.LINKEDIN_POST_INTERACTION: ("post interaction", ChannelGroup.LINKEDIN),
    TaskType.CUSTOM: ("custom", ChannelGroup.OTHER),
    TaskType.CALL_INTRODUCTION: ("introduction", ChannelGroup.CALL),
    TaskType.CALL_DEMO: ("demo", ChannelGroup.CALL),
    TaskType.CALL_FOLLOW_UP: ("follow-up", ChannelGroup.CALL),
    TaskType.CALL_REMINDER: ("reminder", ChannelGroup.CALL),
    TaskType.CALL_OTHER: ("other", ChannelGroup.CALL),
    TaskType.WHATSAPP_MESSAGE: ("message", ChannelGroup.WHATSAPP),
    TaskType.WHATSAPP_VOICE_MESSAGE: ("voice message", ChannelGroup.WHATSAPP),
    TaskType.WHATSAPP_VOICE_CALL: ("voice call", ChannelGroup.WHATSAPP),
}


class Priority(Enum):
    """A priority; the value is the API's `priority` code."""

    URGENT = "1"
    HIGH = "2"
    MEDIUM = "3"
    LOW = "4"

    @property
    def code(self) -> str:
        return self.value

    @property
    def label(self) -> str:
        return self.name.capitalize()


class ProspectRef(BaseModel):
    """A prospect as the rep named it: the API ID, and how to show it (a link label, the link)."""

    model_config = ConfigDict(frozen=True)

    id: str
    display_name: str | None = None
    link: str | None = None

    @field_validator("id")
    @classmethod
    def _id_has_api_shape(cls, value: str) -> str:
        if not PROSPECT_ID_PATTERN.fullmatch(value):
            raise ValueError(f"not a Saleshandy prospect ID: {value!r}")
        return value

    @property
    def shown_as(self) -> str:
        """How a rep recognises this prospect: the name if known, else the ID."""
        return self.display_name or self.id


class CreateTaskRequest(BaseModel):
    """One validated create-task call, before chunking. `to_api_body()` is exactly what is POSTed."""

    model_config = ConfigDict(frozen=True)

    prospect_ids: tuple[str, ...] = Field(min_length=1)
    task_type: TaskType
    due_date: datetime.date
    priority: Priority | None = None
    task_note: str | None = None

    @field_validator("prospect_ids")
    @classmethod
    def _unique_ids_in_input_order(cls, ids: tuple[str, ...]) -> tuple[str, ...]:
        for prospect_id in ids:
            if not PROSPECT_ID_PATTERN.fullmatch(prospect_id):
                raise ValueError(f"not a Saleshandy prospect ID: {prospect_id!r}")
        return tuple(dict.fromkeys(ids))

    @field_validator("task_note")
    @classmethod
    def _note_trimmed_and_bounded(cls, note: str | None) -> str | None:
        if note is None:
            return None
        note = note.strip()
        problem = note_too_long(note)
        if problem is not None:
            raise ValueError(problem)
        return note or None

    @field_serializer("due_date")
    def _iso_date(self, value: datetime.date) -> str:
        return value.isoformat()

    def for_prospects(self, prospect_ids: tuple[str, ...]) -> CreateTaskRequest:
        """The same task for other prospects (a chunk, or the failures being retried)."""
        return self.model_copy(update={"prospect_ids": tuple(dict.fromkeys(prospect_ids))})

    def to_api_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "prospectIds": list(self.prospect_ids),
            "taskType": self.task_type.code,
            "dueDate": self.due_date.isoformat(),
        }
        if self.priority is not None:
            body["priority"] = self.priority.code
        if self.task_note:
            body["taskNote"] = self.task_note
        return body


class OutcomeStatus(Enum):
    CREATED = "created"
    FAILED = "failed"
    UNKNOWN = "unknown"
    """The request may or may not have landed (timeout after sending, 5xx, unreadable answer)."""


@dataclass(frozen=True, slots=True)
class ProspectOutcome:
    """What happened to one prospect: created (with the task id), failed or unknown (with a reason)."""

    prospect_id: str
    status: OutcomeStatus
    task_id: str | None = None
    reason: str | None = None

    @classmethod
    def created(cls, prospect_id: str, task_id: str) -> ProspectOutcome:
        return cls(prospect_id, OutcomeStatus.CREATED, task_id=task_id)

    @classmethod
    def failed(cls, prospect_id: str, reason: str) -> ProspectOutcome:
        return cls(prospect_id, OutcomeStatus.FAILED, reason=reason)

    @classmethod
    def unknown(cls, prospect_id: str, reason: str) -> ProspectOutcome:
        return cls(prospect_id, OutcomeStatus.UNKNOWN, reason=reason)

    @property
    def needs_retry(self) -> bool:
        return self.status is not OutcomeStatus.CREATED


class ProblemKind(Enum):
    UNKNOWN_WORD = "unknown_word"
    CONFLICTING_TYPE = "conflicting_type"
    CONFLICTING_DATE = "conflicting_date"
    CONFLICTING_PRIORITY = "conflicting_priority"
    PAST_DATE = "past_date"
    INVALID_DATE = "invalid_date"
    DATE_TO_CONFIRM = "date_to_confirm"
    """A month-day that passed days ago, read as next year's: the form asks, prefilled with that date."""
    NOTE_TOO_LONG = "note_too_long"


class DraftField(Enum):
    """The field of the form a problem belongs to, so the modal can show it in the right place."""

    TASK_TYPE = "task_type"
    PROSPECTS = "prospects"
    DUE_DATE = "due_date"
    PRIORITY = "priority"
    NOTE = "note"


MISSING_FIELD_HINTS: dict[DraftField, str] = {
    DraftField.TASK_TYPE: "No task type given. Say what to do, e.g. call, demo, follow-up, li msg, "
    "connect, inmail, wa call.",
    DraftField.PROSPECTS: "No prospect given. Add a prospect's Saleshandy link or ID (like 8PvBmrB7P7).",
}


@dataclass(frozen=True, slots=True)
class Problem:
    """Something in the rep's text we could not use, said so the rep can fix it."""

    kind: ProblemKind
    field: DraftField
    message: str
    text: str = ""


@dataclass(frozen=True)
class TaskDraft:
    """Everything understood from a rep's text, with what is missing and what was wrong.

    A draft is never sent as is: `to_request()` works only when it is complete and has no problems.
    """

    due_date: datetime.date
    task_type: TaskType | None = None
    prospects: tuple[ProspectRef, ...] = ()
    priority: Priority | None = None
    note: str | None = None
    due_date_given: bool = False
    problems: tuple[Problem, ...] = ()
    emails: tuple[str, ...] = ()
    """Prospects named by email: looked up in Saleshandy (off the ack path) before the tasks are made."""

    @property
    def missing(self) -> tuple[DraftField, ...]:
        """Required fields the text did not give."""
        absent: list[DraftField] = []
        if self.task_type is None:
            absent.append(DraftField.TASK_TYPE)
        if not self.prospects and not self.emails:
            absent.append(DraftField.PROSPECTS)
        return tuple(absent)

    def missing_messages(self) -> tuple[str, ...]:
        """What to say about each missing field, with words that would fill it."""
        return tuple(MISSING_FIELD_HINTS[f] for f in self.missing)

    @property
    def is_ready(self) -> bool:
        return not self.missing and not self.problems

    def to_request(self, *, also: tuple[ProspectRef, ...] = ()) -> CreateTaskRequest:
        """The request for the draft's prospects and `also` (those its emails were found to be)."""
        return self.task_fields().for_prospects(tuple(p.id for p in (*self.prospects, *also)))

    def task_fields(self) -> TaskFields:
        """What the task is, whoever it is for; ValueError when the draft is not ready."""
        if not self.is_ready or self.task_type is None:
            raise ValueError("the draft is incomplete or has problems")
        return TaskFields(
            task_type=self.task_type, due_date=self.due_date, priority=self.priority, task_note=self.note
        )


class TaskFields(BaseModel):
    """A task's fields without its prospects: kept while a submission's emails are looked up."""

    model_config = ConfigDict(frozen=True)

    task_type: TaskType
    due_date: datetime.date
    priority: Priority | None = None
    task_note: str | None = None

    def for_prospects(self, prospect_ids: tuple[str, ...]) -> CreateTaskRequest:
        return CreateTaskRequest(prospect_ids=prospect_ids, **self.model_dump())


@dataclass(frozen=True, slots=True)
class EmailNotFound:
    """An email a rep named that no task could be made for: no prospect has it, or the lookup failed."""

    email: str
    reason: str


@dataclass(frozen=True)
class Submission:
    """One rep's request to create a task for some prospects, and what became of each of them.

    `outcomes` is empty until the API was called; then it holds one outcome per prospect, in order.
    """

    id: str
    request: CreateTaskRequest
    prospects: tuple[ProspectRef, ...]
    requested_by: str
    outcomes: tuple[ProspectOutcome, ...] = ()
    retry_of: str | None = None
    not_found: tuple[EmailNotFound, ...] = ()
    """Emails the rep named that were not found in Saleshandy: no task, and a line each in the results."""
    interrupted: bool = False
    """The app stopped while working on it, and another run (maybe another process) finished it."""

    def prospect(self, prospect_id: str) -> ProspectRef:
        for prospect in self.prospects:
            if prospect.id == prospect_id:
                return prospect
        return ProspectRef(id=prospect_id)

    def count(self, status: OutcomeStatus) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status is status)

    @property
    def to_retry(self) -> tuple[ProspectRef, ...]:
        """The prospects whose task was not (or not surely) created."""
        return tuple(self.prospect(o.prospect_id) for o in self.outcomes if o.needs_retry)
