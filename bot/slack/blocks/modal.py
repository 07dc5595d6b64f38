"""The task modal: built from what we already know, and read back when the rep submits it."""

from __future__ import annotations

import datetime
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.domain import NOTE_MAX_CHARS, ChannelGroup, Priority, TaskType
from bot.parsing.clean_text import shorten
from bot.service import SUGGESTION_MIN_CHARS
from bot.slack.blocks.elements import plain_text
from bot.slack.ids import (
    DUE_DATE_ACTION_ID,
    DUE_DATE_BLOCK_ID,
    MODAL_NOTICES_BLOCK_ID,
    NOTE_ACTION_ID,
    NOTE_BLOCK_ID,
    PRIORITY_ACTION_ID,
    PRIORITY_BLOCK_ID,
    PROSPECT_PICKER_ACTION_ID,
    PROSPECT_PICKER_BLOCK_ID,
    PROSPECTS_ACTION_ID,
    PROSPECTS_BLOCK_ID,
    TASK_MODAL_CALLBACK_ID,
    TASK_TYPE_ACTION_ID,
    TASK_TYPE_BLOCK_ID,
)
from bot.slack.limits import (
    OPTION_TEXT_MAX_CHARS,
    OPTION_VALUE_MAX_CHARS,
    PRIVATE_METADATA_MAX_CHARS,
    TEXT_MAX_CHARS,
)

MODAL_TITLE = "Saleshandy task"
PROSPECTS_MAX_CHARS = TEXT_MAX_CHARS
"""What the free-text prospects field holds: a plain-text input's most."""
ERROR_MAX_CHARS = 150
"""Longer field errors wrap badly under an input; Slack shows short ones best."""

PROSPECTS_HINT = "Saleshandy prospect IDs or links, one per line or separated by spaces or commas"
PICKER_LABEL = "Find prospects"
PICKER_PLACEHOLDER = "Search Saleshandy by name or email"
PICKER_HINT = (
    f"Type at least {SUGGESTION_MIN_CHARS} letters of a name or email; or paste IDs and links below"
)
DUE_DATE_HINT = "Leave empty for today (in your time zone)"
PROSPECTS_CUT_NOTICE = (
    "The prospect list was too long for this form, so its end was left out; "
    "create another task for the rest."
)
NOTE_CUT_NOTICE = f"The note was cut to {NOTE_MAX_CHARS:,} characters."

_SEPARATOR = re.compile(r"[\s,]")


@dataclass(frozen=True)
class ModalPrefill:
    """What the modal opens with: anything understood so far, and lines to show the rep first."""

    task_type: TaskType | None = None
    prospects_text: str = ""
    due_date: datetime.date | None = None
    priority: Priority | None = None
    note: str | None = None
    notices: tuple[str, ...] = ()
    private_metadata: str = ""


@dataclass(frozen=True)
class ModalValues:
    """What the rep submitted, as raw as Slack sent it (codes, text, an ISO date)."""

    task_type_code: str | None
    prospects_text: str
    due_date: str | None
    priority_code: str | None
    note: str | None
    picked: tuple[tuple[str, str], ...] = ()
    """The prospects chosen in the picker, as (value, text): the prospect ID and its label."""


def build_task_modal(prefill: ModalPrefill) -> dict[str, Any]:
    """The modal view for `views.open`: notices first, then the fields (the prospect picker just
    before the free-text prospects field, both optional: either may name the prospects), prefilled."""
    if len(prefill.private_metadata) > PRIVATE_METADATA_MAX_CHARS:
        raise ValueError(
            f"private_metadata is {len(prefill.private_metadata)} characters; "
            f"Slack keeps at most {PRIVATE_METADATA_MAX_CHARS}"
        )
    prospects_text, prospects_cut = _cut_at_separator(prefill.prospects_text, PROSPECTS_MAX_CHARS)
    note = prefill.note or ""
    notices = list(prefill.notices)
    if prospects_cut:
        notices.append(PROSPECTS_CUT_NOTICE)
    if len(note) > NOTE_MAX_CHARS:
        note = note[:NOTE_MAX_CHARS]
        notices.append(NOTE_CUT_NOTICE)

    blocks: list[dict[str, Any]] = []
    if notices:
        blocks.append(_notices_block(notices))
    blocks += [
        _task_type_block(prefill.task_type),
        _prospect_picker_block(),
        _prospects_block(prospects_text),
        _due_date_block(prefill.due_date),
        _priority_block(prefill.priority),
        _note_block(note),
    ]
    return {
        "type": "modal",
        "callback_id": TASK_MODAL_CALLBACK_ID,
        "title": plain_text(MODAL_TITLE),
        "submit": plain_text("Create task"),
        "close": plain_text("Cancel"),
        "private_metadata": prefill.private_metadata,
        "blocks": blocks,
    }


def read_modal_values(state_values: Mapping[str, Any]) -> ModalValues:
    """The fields from a submitted `view["state"]["values"]`; a missing or empty field is None."""
    prospects = _field(state_values, PROSPECTS_BLOCK_ID, PROSPECTS_ACTION_ID).get("value")
    note = _field(state_values, NOTE_BLOCK_ID, NOTE_ACTION_ID).get("value")
    return ModalValues(
        task_type_code=_selected_value(state_values, TASK_TYPE_BLOCK_ID, TASK_TYPE_ACTION_ID),
        prospects_text=prospects if isinstance(prospects, str) else "",
        due_date=_str_or_none(
            _field(state_values, DUE_DATE_BLOCK_ID, DUE_DATE_ACTION_ID).get("selected_date")
        ),
        priority_code=_selected_value(state_values, PRIORITY_BLOCK_ID, PRIORITY_ACTION_ID),
        note=(note.strip() or None) if isinstance(note, str) else None,
        picked=_picked_options(state_values),
    )


def build_modal_errors(errors: Mapping[str, str]) -> dict[str, Any]:
    """The `view_submission` ack that shows each message under its field (keyed by block id)."""
    shown = {block: shorten(message, ERROR_MAX_CHARS, whole_words=True) for block, message in errors.items()}
    return {"response_action": "errors", "errors": shown}


def task_type_option(task_type: TaskType) -> dict[str, Any]:
    """The option for a type: its full label, so a prefilled "message" still says which channel."""
    return {"text": plain_text(task_type.full_label), "value": task_type.code}


def priority_option(priority: Priority) -> dict[str, Any]:
    return {"text": plain_text(priority.label), "value": priority.code}


def prospect_option(prospect_id: str, label: str) -> dict[str, Any]:
    """A suggestion of the prospect picker: the label ("Jane Doe · Acme · jane@acme.com") shortened
    to OPTION_TEXT_MAX_CHARS, the ID as the value. ValueError for an ID over OPTION_VALUE_MAX_CHARS
    (it could not come back intact; a real prospect ID is far shorter)."""
    if not prospect_id or len(prospect_id) > OPTION_VALUE_MAX_CHARS:
        raise ValueError(f"an option value is 1 to {OPTION_VALUE_MAX_CHARS} characters")
    text = " ".join(label.split()) or prospect_id
    # Labels have no spare words to drop: "Jane Doe · Acme · jane@…" still says who it is.
    return {"text": plain_text(shorten(text, OPTION_TEXT_MAX_CHARS)), "value": prospect_id}


def _task_type_block(task_type: TaskType | None) -> dict[str, Any]:
    groups = [
        {
            "label": plain_text(group.label),
            "options": [task_type_option(t) for t in TaskType if t.group is group],
        }
        for group in ChannelGroup
    ]
    select: dict[str, Any] = {
        "type": "static_select",
        "action_id": TASK_TYPE_ACTION_ID,
        "placeholder": plain_text("Choose a task type"),
        "option_groups": groups,
    }
    if task_type is not None:
        select["initial_option"] = task_type_option(task_type)
    return _input(TASK_TYPE_BLOCK_ID, "Task type", select, optional=False)


def _prospect_picker_block() -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "multi_external_select",
        "action_id": PROSPECT_PICKER_ACTION_ID,
        "placeholder": plain_text(PICKER_PLACEHOLDER),
        "min_query_length": SUGGESTION_MIN_CHARS,  # Slack asks for suggestions only from then on
    }
    return _input(PROSPECT_PICKER_BLOCK_ID, PICKER_LABEL, element, optional=True, hint=PICKER_HINT)


def _prospects_block(prospects_text: str) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": PROSPECTS_ACTION_ID,
        "multiline": True,
        "max_length": PROSPECTS_MAX_CHARS,
        "placeholder": plain_text("8PvBmrB7P7, https://my.saleshandy.com/prospects/…"),
    }
    if prospects_text:
        element["initial_value"] = prospects_text
    # Optional for Slack: the rep may name every prospect with the picker. Neither field naming
    # one is still an error, shown on this field by the submission's listener.
    return _input(PROSPECTS_BLOCK_ID, "Prospects", element, optional=True, hint=PROSPECTS_HINT)


def _due_date_block(due_date: datetime.date | None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "datepicker",
        "action_id": DUE_DATE_ACTION_ID,
        "placeholder": plain_text("Today"),
    }
    if due_date is not None:
        element["initial_date"] = due_date.isoformat()
    return _input(DUE_DATE_BLOCK_ID, "Due date", element, optional=True, hint=DUE_DATE_HINT)


def _priority_block(priority: Priority | None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "static_select",
        "action_id": PRIORITY_ACTION_ID,
        "placeholder": plain_text("No priority"),
        "options": [priority_option(p) for p in Priority],
    }
    if priority is not None:
        element["initial_option"] = priority_option(priority)
    return _input(PRIORITY_BLOCK_ID, "Priority", element, optional=True)


def _note_block(note: str) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": NOTE_ACTION_ID,
        "multiline": True,
        "max_length": NOTE_MAX_CHARS,
    }
    if note:
        element["initial_value"] = note
    return _input(NOTE_BLOCK_ID, "Note", element, optional=True)


def _notices_block(notices: list[str]) -> dict[str, Any]:
    # Plain text: notices quote the rep's own words, which must not become mentions or links.
    return {
        "type": "section",
        "block_id": MODAL_NOTICES_BLOCK_ID,
        "text": plain_text(notices_text(notices, TEXT_MAX_CHARS)),
    }


def notices_text(notices: Sequence[str], limit: int) -> str:
    """The notices as lines, each said once with how often it came up ("(× 8)"); when they cannot all
    be shown in `limit` characters, the first line says how many are shown of how many."""
    counts = Counter(notices)
    lines = [f"{notice} (× {counts[notice]})" if counts[notice] > 1 else notice for notice in counts]
    if len(lines) == 1:
        return shorten(lines[0], limit, whole_words=True)
    bullets = [f"• {line}" for line in lines]
    if len("\n".join(bullets)) <= limit:
        return "\n".join(bullets)
    shown: list[str] = []
    for bullet in bullets:
        header = _cut_header(len(shown) + 1, len(bullets), len(notices))
        if len("\n".join([header, *shown, bullet])) > limit:
            break
        shown.append(bullet)
    return "\n".join([_cut_header(len(shown), len(bullets), len(notices)), *shown])


def _cut_header(shown: int, distinct: int, total: int) -> str:
    return (
        f"{distinct:,} different notices ({total:,} in all); the first {shown:,} are listed here:"
    )


def _input(
    block_id: str, label: str, element: dict[str, Any], *, optional: bool, hint: str | None = None
) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "input",
        "block_id": block_id,
        "label": plain_text(label),
        "element": element,
        "optional": optional,
    }
    if hint is not None:
        block["hint"] = plain_text(hint)
    return block



def _cut_at_separator(text: str, limit: int) -> tuple[str, bool]:
    """`text` if it fits, else its longest head ending at a separator (never half a reference)."""
    if len(text) <= limit:
        return text, False
    head = text[:limit]
    last = max((m.start() for m in _SEPARATOR.finditer(head)), default=0)
    return head[:last].rstrip(" ,\n\t"), True



def _field(state_values: Mapping[str, Any], block_id: str, action_id: str) -> Mapping[str, Any]:
    block = state_values.get(block_id)
    if not isinstance(block, Mapping):
        return {}
    field = block.get(action_id)
    return field if isinstance(field, Mapping) else {}


def _picked_options(state_values: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """(value, text) of each option chosen in the picker; malformed entries are skipped."""
    chosen = _field(state_values, PROSPECT_PICKER_BLOCK_ID, PROSPECT_PICKER_ACTION_ID).get(
        "selected_options"
    )
    if not isinstance(chosen, Sequence) or isinstance(chosen, str):
        return ()
    picked: list[tuple[str, str]] = []
    for option in chosen:
        if not isinstance(option, Mapping):
            continue
        value = _str_or_none(option.get("value"))
        text = option.get("text")
        label = text.get("text") if isinstance(text, Mapping) else text
        if value is not None:
            picked.append((value, label if isinstance(label, str) and label.strip() else value))
    return tuple(picked)


def _selected_value(state_values: Mapping[str, Any], block_id: str, action_id: str) -> str | None:
    option = _field(state_values, block_id, action_id).get("selected_option")
    if not isinstance(option, Mapping):
        return None
    return _str_or_none(option.get("value"))


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def build_defaults_inputs(task_type: TaskType | None, priority: Priority | None) -> list[dict[str, Any]]:
    """The task form's type and priority fields, both optional (for a rep's defaults)."""
    type_block = _task_type_block(task_type)
    return [{**type_block, "optional": True}, _priority_block(priority)]
