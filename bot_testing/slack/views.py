"""`views.*`: modals opened with a trigger_id, and Home tabs published."""

from __future__ import annotations

import copy
import secrets

from bot_testing.slack.protocol import ApiError, JsonDict, required
from bot_testing.slack.registry import ApiCall, web_api_method
from bot_testing.slack.workspace import Workspace

MAX_BLOCKS = 100
"""Blocks Slack takes in one modal or Home tab."""


@web_api_method("views.open")
def open_view(workspace: Workspace, call: ApiCall) -> JsonDict:
    view = _valid_view(call.params)
    _spend_trigger(workspace, call.params)
    return {"view": copy.deepcopy(_store_view(workspace, call.team, view))}


@web_api_method("views.publish")
def publish_view(workspace: Workspace, call: ApiCall) -> JsonDict:
    user_id = required(call.params, "user_id", "invalid_arguments")
    if user_id not in workspace.users:
        raise ApiError("user_not_found")
    view = _valid_view(call.params, kind="home")
    current = workspace.views_by_id.get(workspace.homes.get(user_id, ""))
    if current is not None and call.params.get("hash") and call.params["hash"] != current["hash"]:
        raise ApiError("hash_conflict")
    stored = _store_view(workspace, call.team, view, replacing=current)
    workspace.homes[user_id] = stored["id"]
    return {"view": copy.deepcopy(stored)}


def _valid_view(params: JsonDict, *, kind: str = "modal") -> JsonDict:
    view = params.get("view")
    if not isinstance(view, dict):
        raise ApiError("invalid_arguments", messages=["[ERROR] missing required field: view"])
    problems = []
    if view.get("type") != kind:
        problems.append(f"[ERROR] must be '{kind}' [json-pointer:/view/type]")
    if kind == "modal" and not view.get("title"):
        problems.append("[ERROR] missing required field: title [json-pointer:/view]")
    blocks = view.get("blocks")
    if not isinstance(blocks, list):
        problems.append("[ERROR] missing required field: blocks [json-pointer:/view]")
    elif len(blocks) > MAX_BLOCKS:
        problems.append(f"[ERROR] no more than {MAX_BLOCKS} items allowed [json-pointer:/view/blocks]")
    if problems:
        raise ApiError("invalid_arguments", messages=problems)
    return view


def _spend_trigger(workspace: Workspace, params: JsonDict) -> None:
    trigger_id = required(params, "trigger_id", "invalid_trigger_id")
    trigger = workspace.triggers.get(trigger_id)
    if trigger_id in workspace.expired_triggers or (
        trigger is not None and workspace.clock() - trigger.issued_at > workspace.trigger_ttl
    ):
        raise ApiError("expired_trigger_id")
    if trigger is None:
        raise ApiError("invalid_trigger_id")
    if trigger.used:
        raise ApiError("exchanged_trigger_id")
    trigger.used = True


def _store_view(
    workspace: Workspace, team: str, view: JsonDict, *, replacing: JsonDict | None = None
) -> JsonDict:
    workspace.counter += 1
    view_id = replacing["id"] if replacing else f"V{workspace.counter:09d}"
    stored: JsonDict = {
        "id": view_id,
        "team_id": team,
        "type": view["type"],
        "blocks": view.get("blocks", []),
        "private_metadata": view.get("private_metadata", ""),
        "callback_id": view.get("callback_id", ""),
        "state": replacing["state"] if replacing else {"values": {}},
        "hash": f"{int(workspace.clock())}.{secrets.token_hex(4)}",
        "title": view.get("title"),
        "clear_on_close": bool(view.get("clear_on_close", False)),
        "notify_on_close": bool(view.get("notify_on_close", False)),
        "close": view.get("close"),
        "submit": view.get("submit"),
        "previous_view_id": replacing["previous_view_id"] if replacing else None,
        "root_view_id": replacing["root_view_id"] if replacing else view_id,
        "app_id": workspace.app_id,
        "external_id": view.get("external_id", ""),
        "app_installed_team_id": team,
        "bot_id": workspace.bot_id,
    }
    workspace.views_by_id[view_id] = stored
    return stored
