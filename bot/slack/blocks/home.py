"""App Home and connecting Saleshandy: the Home tab, the connect modal, the "connect first" prompts.

Pure functions of values: no key ever reaches them (the Home tab says *that* a rep is connected, never
with what).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.slack.blocks.elements import mrkdwn_section, plain_section
from bot.slack.blocks.modal import build_defaults_inputs, build_modal_errors
from bot.slack.blocks.text import escape_within
from bot.slack.ids import (
    CONNECT_FOR_WORKSPACE,
    CONNECT_KEY_ACTION_ID,
    CONNECT_KEY_BLOCK_ID,
    CONNECT_MODAL_CALLBACK_ID,
    CONNECT_PROMPT_CALLBACK_ID,
    DEFAULTS_DUE_ACTION_ID,
    DEFAULTS_DUE_BLOCK_ID,
    DEFAULTS_MODAL_CALLBACK_ID,
    HOME_ACCOUNT_BLOCK_ID,
    HOME_CONNECT_ACTION_ID,
    HOME_CREATE_DRAFT_ACTION_ID,
    HOME_CREATE_TASK_ACTION_ID,
    HOME_CREATE_TASK_BLOCK_ID,
    HOME_DEFAULTS_BLOCK_ID,
    HOME_DISCONNECT_ACTION_ID,
    HOME_DRAFT_BLOCK_ID,
    HOME_EDIT_DEFAULTS_ACTION_ID,
    HOME_RECENT_BLOCK_ID,
    HOME_REMOVE_WORKSPACE_KEY_ACTION_ID,
    HOME_SET_WORKSPACE_KEY_ACTION_ID,
    HOME_WORKSPACE_BLOCK_ID,
    OPEN_HOME_ACTION_ID,
)
from bot.store import DUE_TEXT_MAX_CHARS, RepDefaults

WHAT_MAX_CHARS = 300
DEFAULTS_SAY = "The form opens with them where your own words did not say; a complete /task is never changed."
KEY_MAX_CHARS = 200
"""Longer than any Saleshandy key; a paste of something else is refused by the check anyway."""
WHERE_TO_FIND_A_KEY = (
    "In Saleshandy open Settings → API and create an API key (Saleshandy shows it only once, when it is "
    "created: copy it then). It is checked with Saleshandy, then kept encrypted; nobody else can use it."
)
ABOUT_THE_APP = (
    "Create Saleshandy tasks without leaving Slack: `/task call tomorrow <prospect link>`, the form "
    "(`/task` alone, *New Saleshandy task* in the shortcuts menu, or the button below), the *Create "
    "Saleshandy task* shortcut on any message, or *Create task* under a prospect link. Every prospect gets "
    "a line in a thread: created, failed or unknown, with a button to retry."
)
CREATE_A_TASK = "Create a task"
"""App Home's button: the form, results by DM (the Messages tab)."""
WHY_CONNECT = (
    "Connect your own Saleshandy account so the tasks you create are *yours* in Saleshandy (its API "
    "key names the user who owns each task)."
)
NOT_CONNECTED_WORKSPACE = (
    "Until you do, your tasks are made with the workspace's Saleshandy key, as that key's owner."
)
NOT_CONNECTED_NO_KEY = "Until you do, I cannot create tasks for you: this workspace has no Saleshandy key."
CONNECTED = ":white_check_mark: Your Saleshandy account is connected: your tasks are made as you."
DISCONNECT_CONFIRM = "Your Saleshandy key will be deleted at once. You can connect again at any time."
ENCRYPTION_MISSING = (
    "Connecting is not set up on this app yet: whoever runs it must set ENCRYPTION_KEYS (one or more "
    "keys, comma-separated), made with: "
    'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
)
CONNECT_FIRST = (
    "To create Saleshandy tasks, connect your Saleshandy account first: open my Home tab and press "
    "*Connect Saleshandy* (you will need your API key, from Saleshandy's Settings → API)."
)
DRAFT_KEPT = "What you asked for is kept: once connected, create it from the Home tab with one click."


@dataclass(frozen=True)
class RecentSubmission:
    """One line of a rep's recent work in the Home tab."""

    when: float
    what: str
    created: int
    failed: int
    unknown: int
    link: str | None
    finished: bool = True


@dataclass(frozen=True)
class KeptDraftLine:
    token: str
    what: str


@dataclass(frozen=True)
class HomeState:
    connected: bool
    workspace_key: bool
    """Someone not connected still has a key to act with (the workspace's)."""
    can_connect: bool
    """ENCRYPTION_KEYS is set: keys can be kept."""
    draft: KeptDraftLine | None = None
    recent: tuple[RecentSubmission, ...] = ()
    defaults: RepDefaults = field(default_factory=RepDefaults)
    admin: bool = False
    """A workspace admin or owner: may set the workspace's own key."""
    workspace_key_kept: bool = False
    """An admin set the workspace's key here."""
    workspace_key_configured: bool = False
    """SALESHANDY_API_KEY is set by whoever runs the app."""


def build_home_view(state: HomeState) -> dict[str, Any]:
    """The Home tab for one rep."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Saleshandy Tasks"}},
        _mrkdwn(ABOUT_THE_APP),
        _create_task_actions(),
        {"type": "divider"},
    ]
    blocks += _account_blocks(state)
    if state.draft is not None and (state.connected or state.workspace_key):
        blocks += _draft_blocks(state.draft)
    blocks += _defaults_blocks(state.defaults)
    if state.connected or state.recent:
        blocks += _recent_blocks(state.recent)
    if state.admin and state.can_connect:
        blocks += _workspace_blocks(state)
    return {"type": "home", "blocks": blocks}


def _create_task_actions() -> dict[str, Any]:
    return {
        "type": "actions",
        "block_id": HOME_CREATE_TASK_BLOCK_ID,
        "elements": [
            {
                "type": "button",
                "action_id": HOME_CREATE_TASK_ACTION_ID,
                "text": {"type": "plain_text", "text": CREATE_A_TASK},
                "style": "primary",
                "value": "create_task",
            }
        ],
    }


def _workspace_blocks(state: HomeState) -> list[dict[str, Any]]:
    if state.workspace_key_kept:
        text = (
            "*Workspace key (admins):* set. Reps who have not connected their own account make tasks "
            "with it, as its owner."
        )
        button = ("Remove the workspace key", HOME_REMOVE_WORKSPACE_KEY_ACTION_ID, "danger")
    else:
        fallback = (
            "the key the app was started with (SALESHANDY_API_KEY) is used"
            if state.workspace_key_configured
            else "reps who have not connected cannot create tasks"
        )
        text = f"*Workspace key (admins):* none set here, so {fallback}."
        button = ("Set a workspace key", HOME_SET_WORKSPACE_KEY_ACTION_ID, "primary")
    label, action_id, style = button
    return [
        {"type": "divider"},
        {
            "type": "section",
            "block_id": HOME_WORKSPACE_BLOCK_ID,
            "text": {"type": "mrkdwn", "text": text},
            "accessory": {
                "type": "button",
                "action_id": action_id,
                "text": {"type": "plain_text", "text": label},
                "style": style,
                "value": "workspace",
            },
        },
    ]


def _account_blocks(state: HomeState) -> list[dict[str, Any]]:
    if state.connected:
        return [
            {
                "type": "section",
                "block_id": HOME_ACCOUNT_BLOCK_ID,
                "text": {"type": "mrkdwn", "text": CONNECTED},
                "accessory": {
                    "type": "button",
                    "action_id": HOME_DISCONNECT_ACTION_ID,
                    "text": {"type": "plain_text", "text": "Disconnect"},
                    "style": "danger",
                    "value": "disconnect",
                    "confirm": {
                        "title": {"type": "plain_text", "text": "Disconnect Saleshandy?"},
                        "text": {"type": "plain_text", "text": DISCONNECT_CONFIRM},
                        "confirm": {"type": "plain_text", "text": "Disconnect"},
                        "deny": {"type": "plain_text", "text": "Keep it"},
                    },
                },
            }
        ]
    fallback = NOT_CONNECTED_WORKSPACE if state.workspace_key else NOT_CONNECTED_NO_KEY
    if not state.can_connect:
        account = _mrkdwn(f"{WHY_CONNECT} {fallback}", block_id=HOME_ACCOUNT_BLOCK_ID)
        return [account, plain_section(ENCRYPTION_MISSING)]
    return [
        {
            "type": "section",
            "block_id": HOME_ACCOUNT_BLOCK_ID,
            "text": {"type": "mrkdwn", "text": f"{WHY_CONNECT} {fallback}"},
            "accessory": {
                "type": "button",
                "action_id": HOME_CONNECT_ACTION_ID,
                "text": {"type": "plain_text", "text": "Connect Saleshandy"},
                "style": "primary",
                "value": "connect",
            },
        }
    ]


def _draft_blocks(draft: KeptDraftLine) -> list[dict[str, Any]]:
    return [
        {"type": "divider"},
        {
            "type": "section",
            "block_id": HOME_DRAFT_BLOCK_ID,
            "text": {
                "type": "mrkdwn",
                "text": f"*Waiting for you:* {escape_within(draft.what, WHAT_MAX_CHARS)}",
            },
            "accessory": {
                "type": "button",
                "action_id": HOME_CREATE_DRAFT_ACTION_ID,
                "text": {"type": "plain_text", "text": "Create the tasks"},
                "style": "primary",
                "value": draft.token,
            },
        },
    ]


def _defaults_blocks(defaults: RepDefaults) -> list[dict[str, Any]]:
    if defaults.empty:
        said = "none: the form opens empty"
    else:
        parts = [
            defaults.task_type.full_label if defaults.task_type else None,
            f"priority {defaults.priority.label}" if defaults.priority else None,
            f"due {defaults.due_text}" if defaults.due_text else None,
        ]
        said = " · ".join(p for p in parts if p)
    return [
        {"type": "divider"},
        {
            "type": "section",
            "block_id": HOME_DEFAULTS_BLOCK_ID,
            "text": {
                "type": "mrkdwn",
                "text": f"*Your form's defaults:* {escape_within(said, WHAT_MAX_CHARS)}\n{DEFAULTS_SAY}",
            },
            "accessory": {
                "type": "button",
                "action_id": HOME_EDIT_DEFAULTS_ACTION_ID,
                "text": {"type": "plain_text", "text": "Edit defaults"},
                "value": "defaults",
            },
        },
    ]


def build_defaults_modal(defaults: RepDefaults) -> dict[str, Any]:
    """The form where a rep sets what their task forms open with."""
    due: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": DEFAULTS_DUE_ACTION_ID,
        "max_length": DUE_TEXT_MAX_CHARS,
        "placeholder": {"type": "plain_text", "text": "e.g. tomorrow, in 2 business days, next mon"},
    }
    if defaults.due_text:
        due["initial_value"] = defaults.due_text
    return {
        "type": "modal",
        "callback_id": DEFAULTS_MODAL_CALLBACK_ID,
        "title": {"type": "plain_text", "text": "Form defaults"},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            *build_defaults_inputs(defaults.task_type, defaults.priority),
            {
                "type": "input",
                "block_id": DEFAULTS_DUE_BLOCK_ID,
                "optional": True,
                "label": {"type": "plain_text", "text": "Due date"},
                "hint": {"type": "plain_text", "text": "In words, read on the day the form opens"},
                "element": due,
            },
        ],
    }


def _recent_blocks(recent: Sequence[RecentSubmission]) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [
        {"type": "divider"},
        {
            "type": "section",
            "block_id": HOME_RECENT_BLOCK_ID,
            "text": {"type": "mrkdwn", "text": "*Your last submissions*"},
        },
    ]
    if not recent:
        return [*blocks, plain_section("None yet: try /task.")]
    for item in recent[:10]:
        counts = (
            f"{item.created} created · {item.failed} failed · {item.unknown} unknown"
            if item.finished
            else "in progress"
        )
        link = f" · <{item.link}|results>" if item.link else ""
        line = f"{_when(item.when)} · {escape_within(item.what, WHAT_MAX_CHARS)} · {counts}{link}"
        blocks.append(
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": line}],
            }
        )
    return blocks


def build_connect_modal(*, for_workspace: bool = False) -> dict[str, Any]:
    """The modal where a rep pastes their Saleshandy API key (or an admin the workspace's)."""
    whose = "The workspace's" if for_workspace else "Your"
    return {
        "type": "modal",
        "callback_id": CONNECT_MODAL_CALLBACK_ID,
        "title": {"type": "plain_text", "text": "Workspace key" if for_workspace else "Connect Saleshandy"},
        "submit": {"type": "plain_text", "text": "Connect"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": CONNECT_FOR_WORKSPACE if for_workspace else "",
        "blocks": [
            {
                "type": "input",
                "block_id": CONNECT_KEY_BLOCK_ID,
                "label": {"type": "plain_text", "text": f"{whose} Saleshandy API key"},
                "hint": {"type": "plain_text", "text": WHERE_TO_FIND_A_KEY},
                "element": {
                    "type": "plain_text_input",
                    "action_id": CONNECT_KEY_ACTION_ID,
                    "max_length": KEY_MAX_CHARS,
                    "placeholder": {"type": "plain_text", "text": "Paste the key here"},
                },
            }
        ],
    }


def build_connect_errors(message: str) -> dict[str, Any]:
    """The connect modal's answer when the key cannot be kept: the reason, on the key field."""
    return build_modal_errors({CONNECT_KEY_BLOCK_ID: message})


def home_link(team_id: str, app_id: str) -> str:
    """A link that opens this app's Home tab in the Slack client."""
    return f"slack://app?team={team_id}&id={app_id}&tab=home"


def build_connect_prompt(
    team_id: str, app_id: str, *, kept: bool, can_connect: bool = True
) -> dict[str, Any]:
    """The (ephemeral) answer to a rep with no Saleshandy key: how to connect, and that the draft waits."""
    text = CONNECT_FIRST if can_connect else ENCRYPTION_MISSING
    if kept and can_connect:
        text = f"{text} {DRAFT_KEPT}"
    blocks: list[dict[str, Any]] = [_mrkdwn(text)]
    if can_connect:
        blocks.append(_open_home_actions(team_id, app_id))
    return {"text": text, "blocks": blocks}


def build_connect_prompt_view(
    team_id: str, app_id: str, *, kept: bool, can_connect: bool = True
) -> dict[str, Any]:
    """The form, once submitted by a rep with no Saleshandy key, becomes this: how to connect."""
    return {
        "type": "modal",
        "callback_id": CONNECT_PROMPT_CALLBACK_ID,
        "title": {"type": "plain_text", "text": "Connect Saleshandy"},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": build_connect_prompt(team_id, app_id, kept=kept, can_connect=can_connect)["blocks"],
    }


def describe_what(task_label: str, due: datetime.date, prospects: int, emails: int = 0) -> str:
    """"Call · follow-up · due Mon 30 Nov 2026 · 3 prospects"."""
    named = prospects + emails
    return f"{task_label} · due {due:%a} {due.day} {due:%b %Y} · {named} prospect{'' if named == 1 else 's'}"


def _open_home_actions(team_id: str, app_id: str) -> dict[str, Any]:
    return {
        "type": "actions",
        "elements": [
            {
                "type": "button",
                "action_id": OPEN_HOME_ACTION_ID,
                "text": {"type": "plain_text", "text": "Open the Home tab"},
                "url": home_link(team_id, app_id),
                "style": "primary",
            }
        ],
    }


def _when(timestamp: float) -> str:
    fallback = datetime.datetime.fromtimestamp(timestamp, datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(timestamp)}^{{date_short_pretty}} {{time}}|{fallback}>"


def _mrkdwn(text: str, *, block_id: str | None = None) -> dict[str, Any]:
    block = mrkdwn_section(text)
    if block_id:
        block["block_id"] = block_id
    return block

