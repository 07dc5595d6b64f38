"""Block Kit elements as Slack reports them in payloads: `state.values` entries, actions, options.

Pure functions over the blocks the app sent, used to build what a person's clicks and typing become,
whatever carries it to the app (HTTP or Socket Mode).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

JsonDict = dict[str, Any]

_STATEFUL_INPUT_KEYS = {
    "plain_text_input": ("value", "initial_value"),
    "number_input": ("value", "initial_value"),
    "email_text_input": ("value", "initial_value"),
    "url_text_input": ("value", "initial_value"),
    "datepicker": ("selected_date", "initial_date"),
    "timepicker": ("selected_time", "initial_time"),
    "users_select": ("selected_user", "initial_user"),
    "multi_users_select": ("selected_users", "initial_users"),
    "conversations_select": ("selected_conversation", "initial_conversation"),
    "channels_select": ("selected_channel", "initial_channel"),
}
_SINGLE_OPTION = ("static_select", "external_select", "radio_buttons")
_MULTI_OPTION = ("multi_static_select", "multi_external_select", "checkboxes")

def option(value: str, text: str | None = None) -> JsonDict:
    return {"text": {"type": "plain_text", "text": text or value, "emoji": True}, "value": value}


def plain_text_input(value: str | None) -> JsonDict:
    """A `state.values` entry for a plain_text_input (None: left empty)."""
    return {"type": "plain_text_input", "value": value}


def static_select(value: str | None, text: str | None = None) -> JsonDict:
    chosen = option(value, text) if value is not None else None
    return {"type": "static_select", "selected_option": chosen}


def external_select(value: str | None, text: str | None = None) -> JsonDict:
    chosen = option(value, text) if value is not None else None
    return {"type": "external_select", "selected_option": chosen}


def multi_static_select(values: Sequence[str | JsonDict]) -> JsonDict:
    chosen = [v if isinstance(v, dict) else option(v) for v in values]
    return {"type": "multi_static_select", "selected_options": chosen}


def multi_external_select(values: Sequence[str | JsonDict]) -> JsonDict:
    chosen = [v if isinstance(v, dict) else option(v) for v in values]
    return {"type": "multi_external_select", "selected_options": chosen}


def datepicker(value: datetime.date | str | None) -> JsonDict:
    chosen = value.isoformat() if isinstance(value, datetime.date) else value
    return {"type": "datepicker", "selected_date": chosen}


def users_select(user_id: str | None) -> JsonDict:
    return {"type": "users_select", "selected_user": user_id}


def button_action(
    action_id: str, value: str | None = None, *, block_id: str | None = None
) -> JsonDict:
    """A `block_actions` action for a button that was not taken from a posted message."""
    action: JsonDict = {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": action_id, "emoji": True},
    }
    if value is not None:
        action["value"] = value
    if block_id is not None:
        action["block_id"] = block_id
    return action


def element_action(
    blocks: Sequence[JsonDict], action_id: str, *, selected: str | None = None
) -> JsonDict:
    """The action Slack reports when the element `action_id` in `blocks` is used.

    Buttons report their `text`, `value`, `style`; selects report `selected_option` (the option
    whose value is `selected`).
    """
    block_id, element = find_element(blocks, action_id)
    kind = str(element.get("type"))
    action: JsonDict = {"type": kind, "action_id": action_id, "block_id": block_id}
    if kind == "button":
        action.update({k: element[k] for k in ("text", "value", "style", "url") if k in element})
    elif kind in _SINGLE_OPTION:
        if selected is None:
            raise ValueError(f"{action_id} is a {kind}: say which option is `selected`")
        action["selected_option"] = _pick_option(element, selected)
    elif kind in _STATEFUL_INPUT_KEYS:
        action[_STATEFUL_INPUT_KEYS[kind][0]] = selected
    return action


def find_element(blocks: Sequence[JsonDict], action_id: str) -> tuple[str, JsonDict]:
    """(block_id, element) of the interactive element `action_id` in `blocks`."""
    for block in blocks:
        candidates = list(block.get("elements", [])) if block.get("type") == "actions" else []
        candidates += [block[k] for k in ("accessory", "element") if isinstance(block.get(k), dict)]
        for element in candidates:
            if element.get("action_id") == action_id:
                return str(block.get("block_id", "")), element
    raise LookupError(f"no element with action_id {action_id!r} in these blocks")


def fill_view(view: JsonDict, answers: Mapping[str, Any]) -> JsonDict:
    """`state.values` for submitting `view` with `answers` (keyed by action_id), as Slack builds
    it: every input block appears, unanswered ones with their initial value or empty."""
    values: JsonDict = {}
    for block in view.get("blocks", []):
        element = block.get("element")
        if block.get("type") != "input" or not isinstance(element, dict):
            continue
        action_id = str(element.get("action_id"))
        answered = action_id in answers
        entry = _answered(element, answers[action_id]) if answered else _initial(element)
        values.setdefault(str(block.get("block_id")), {})[action_id] = entry
    unknown = set(answers) - {a for entries in values.values() for a in entries}
    if unknown:
        raise LookupError(f"no input element in the view for: {sorted(unknown)}")
    return values


def _answered(element: JsonDict, answer: Any) -> JsonDict:
    kind = str(element.get("type"))
    if kind in _SINGLE_OPTION:
        chosen = None if answer is None else _pick_option(element, answer)
        return {"type": kind, "selected_option": chosen}
    if kind in _MULTI_OPTION:
        return {"type": kind, "selected_options": [_pick_option(element, a) for a in answer]}
    if isinstance(answer, datetime.date):
        answer = answer.isoformat()
    key = _STATEFUL_INPUT_KEYS.get(kind, ("value", ""))[0]
    return {"type": kind, key: answer}


def _initial(element: JsonDict) -> JsonDict:
    kind = str(element.get("type"))
    if kind in _SINGLE_OPTION:
        return {"type": kind, "selected_option": element.get("initial_option")}
    if kind in _MULTI_OPTION:
        return {"type": kind, "selected_options": element.get("initial_options", [])}
    key, initial_key = _STATEFUL_INPUT_KEYS.get(kind, ("value", "initial_value"))
    return {"type": kind, key: element.get(initial_key)}


def _pick_option(element: JsonDict, answer: str | JsonDict) -> JsonDict:
    if isinstance(answer, dict):
        return answer
    options = list(element.get("options", []))
    for group in element.get("option_groups", []):
        options += group.get("options", [])
    for candidate in options:
        if candidate.get("value") == answer:
            return dict(candidate)
    if str(element.get("type")).endswith("external_select"):
        return option(answer)  # external options come from the app, not the view
    raise LookupError(f"{element.get('action_id')!r} has no option with value {answer!r}")
