"""Modal submissions. The task form: errors back on the fields, or the modal closes and the work goes on
(or, for a rep with no Saleshandy key, it becomes how to connect, the draft kept). The connect form: the
key checked with Saleshandy and kept, or the reason on the field."""

from __future__ import annotations

import datetime
import logging
from concurrent.futures import TimeoutError as FutureTimeoutError
from dataclasses import replace
from typing import Any

from pydantic import SecretStr
from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.domain import Priority, ProspectRef, TaskType
from bot.parsing.dates import parse_due_date
from bot.parsing.errors import ParseError
from bot.parsing.form import parse_form
from bot.parsing.prospects import dedupe_prospects
from bot.service import Connected
from bot.slack import ids
from bot.slack.blocks.home import build_connect_errors, build_connect_prompt_view
from bot.slack.blocks.modal import build_modal_errors, read_modal_values
from bot.slack.deps import AppDeps
from bot.slack.forms import errors_by_block
from bot.slack.home import is_workspace_admin, keep_draft, publish_home
from bot.slack.metadata import ModalMetadata
from bot.store import RepDefaults, StoreUnavailableError

logger = logging.getLogger(__name__)


def register(app: App) -> None:
    app.view(ids.TASK_MODAL_CALLBACK_ID)(handle_task_modal_submission)
    app.view(ids.CONNECT_MODAL_CALLBACK_ID)(handle_connect_submission)
    app.view(ids.DEFAULTS_MODAL_CALLBACK_ID)(handle_defaults_submission)


def handle_task_modal_submission(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext, deps: AppDeps
) -> None:
    values = read_modal_values(view["state"]["values"])
    metadata = ModalMetadata.from_json(view["private_metadata"])
    user = body["user"]["id"]
    zone = deps.zones.reading_for(user, team_id=context.team_id)
    draft = parse_form(
        task_type_code=values.task_type_code,
        prospects_text=values.prospects_text,
        due_date=datetime.date.fromisoformat(values.due_date) if values.due_date else None,
        priority_code=values.priority_code,
        note=values.note,
        today=zone.today(),
        links=deps.links,
        known_names=metadata.names,
        picked=values.picked,
    )
    errors = errors_by_block(draft)
    if metadata.kept:
        kept, kept_error = _kept_prospects(deps, metadata.kept)
        draft = replace(draft, prospects=dedupe_prospects((*draft.prospects, *kept)))
        errors = errors_by_block(draft) | ({ids.PROSPECTS_BLOCK_ID: kept_error} if kept_error else {})
    if not zone.known and values.due_date is None:
        errors.setdefault(ids.DUE_DATE_BLOCK_ID, PICK_A_DATE_WITHOUT_A_ZONE.format(zone=zone.zone))
    if errors:
        ack(build_modal_errors(errors))
        return
    reply_to = metadata.reply_to if zone.known else replace(metadata.reply_to, assumed_zone=zone.zone)
    team_id = context.team_id or ""
    try:
        acting = deps.accounts.acting_for(team_id, user)
    except StoreUnavailableError:
        logger.exception("could not read whose Saleshandy key acts")
        ack(build_modal_errors({ids.TASK_TYPE_BLOCK_ID: DATABASE_AWAY}))
        return
    if acting is None:  # nobody's key to create it with: the form becomes how to connect; the draft waits
        draft_kept = keep_draft(
            deps,
            draft,
            team_id=team_id,
            user_id=user,
            reply_to=reply_to.to_dict(),
            announce=metadata.announce,
        )
        prompt = build_connect_prompt_view(
            team_id, str(body.get("api_app_id", "")), kept=draft_kept, can_connect=deps.accounts.can_keep_keys
        )
        ack(response_action="update", view=prompt)
        return
    ack()
    deps.service.submit(
        key=f"view:{view['id']}",
        draft=draft,
        reply_to=reply_to.to_dict(),
        announce=metadata.announce,
        acting=acting,
    )


def handle_connect_submission(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    deps: AppDeps,
) -> None:
    """Check the pasted key with Saleshandy (within Slack's 3 s), keep it only if it works; the reason on
    the field otherwise. The key is never logged or shown."""
    field = view["state"]["values"][ids.CONNECT_KEY_BLOCK_ID][ids.CONNECT_KEY_ACTION_ID]
    pasted = (field.get("value") or "").strip()
    if not deps.accounts.can_keep_keys:
        ack(build_connect_errors(KEYS_CANNOT_BE_KEPT))
        return
    if not pasted or any(c.isspace() for c in pasted):
        ack(build_connect_errors(NOT_A_KEY))
        return
    team_id, user_id = context.team_id or "", body["user"]["id"]
    for_workspace = view.get("private_metadata") == ids.CONNECT_FOR_WORKSPACE
    if for_workspace and not is_workspace_admin(client, user_id):
        ack(build_connect_errors(ADMINS_ONLY))
        return
    key = SecretStr(pasted)
    future = deps.runner.suggest(lambda: deps.accounts.check(key))
    try:
        checked = future.result(timeout=CHECK_BUDGET_SECONDS)
    except FutureTimeoutError:
        future.cancel()
        ack(build_connect_errors(CHECK_TOO_SLOW))
        return
    if checked is not Connected.CONNECTED:
        ack(build_connect_errors(CONNECT_REFUSED.get(checked, CHECK_FAILED)))
        return
    kept = (
        deps.accounts.keep_for_workspace(team_id, key)
        if for_workspace
        else deps.accounts.keep(team_id, user_id, key)
    )
    if kept is not Connected.CONNECTED:
        ack(build_connect_errors(KEYS_CANNOT_BE_KEPT))
        return
    ack()
    publish_home(client, deps, team_id=team_id, user_id=user_id)


def handle_defaults_submission(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    deps: AppDeps,
) -> None:
    """Save the rep's form defaults; a due date that does not read as one (or is past) on its field."""
    values = view["state"]["values"]
    user_id = body["user"]["id"]
    task_type = _selected(values, ids.TASK_TYPE_BLOCK_ID, ids.TASK_TYPE_ACTION_ID)
    priority = _selected(values, ids.PRIORITY_BLOCK_ID, ids.PRIORITY_ACTION_ID)
    due_field = values.get(ids.DEFAULTS_DUE_BLOCK_ID, {}).get(ids.DEFAULTS_DUE_ACTION_ID) or {}
    due_text = " ".join(str(due_field.get("value") or "").split())
    if due_text:
        today = deps.zones.reading_for(user_id, team_id=context.team_id).today()
        try:
            due = parse_due_date(due_text, today=today, day_first=deps.settings.day_first)
        except ParseError as error:
            ack(build_modal_errors({ids.DEFAULTS_DUE_BLOCK_ID: str(error)}))
            return
        if due < today:
            ack(build_modal_errors({ids.DEFAULTS_DUE_BLOCK_ID: PAST_DEFAULT}))
            return
    defaults = RepDefaults(
        task_type=TaskType(task_type) if task_type else None,
        priority=Priority(priority) if priority else None,
        due_text=due_text or None,
    )
    team_id = context.team_id or ""
    deps.defaults.put(team_id, user_id, defaults)
    ack()
    publish_home(client, deps, team_id=team_id, user_id=user_id)


def _selected(values: dict[str, Any], block_id: str, action_id: str) -> str | None:
    option = (values.get(block_id, {}).get(action_id) or {}).get("selected_option") or {}
    value = option.get("value")
    return value if isinstance(value, str) and value else None


DATABASE_AWAY = "Our database is unavailable right now, so nothing was created: submit again in a minute."
PAST_DEFAULT = "That day is already past: a default due date must be today or later (e.g. tomorrow)."
CHECK_BUDGET_SECONDS = 2.0
"""Slack waits 3 s for the modal's answer; the check gets 2 of them, the rest is for the way back."""
ADMINS_ONLY = "Only a workspace admin or owner can set the workspace's key."
NOT_A_KEY = "That does not look like an API key: paste the key itself (no spaces)."
KEYS_CANNOT_BE_KEPT = (
    "Connecting is not set up yet: the app's operator must set ENCRYPTION_KEYS (see the Home tab)."
)
CHECK_TOO_SLOW = "Saleshandy did not answer in time, so the key was not kept. Please try again."
CHECK_FAILED = (
    "I could not check this key with Saleshandy right now, so it was not kept. Try again in a minute."
)
CONNECT_REFUSED = {
    Connected.REJECTED: (
        "Saleshandy did not accept this key. Copy it again (Settings → API), or create a new one."
    ),
    Connected.NOT_CHECKED: CHECK_FAILED,
    Connected.NO_ENCRYPTION: KEYS_CANNOT_BE_KEPT,
}


PICK_A_DATE_WITHOUT_A_ZONE = (
    "Slack has not told me your time zone, so I cannot tell which day is today for you ({zone} may be a "
    "day off): pick the due date."
)
KEPT_GONE = (
    "The prospects kept for this form are gone (it was open for over a week): close it and paste them again."
)
KEPT_UNREADABLE = (
    "I could not read the prospects kept for this form (our database is unavailable): try again in a minute."
)


def _kept_prospects(deps: AppDeps, token: str) -> tuple[tuple[ProspectRef, ...], str | None]:
    try:
        kept = deps.kept.get(token)
    except StoreUnavailableError:
        logger.exception("could not read the prospects kept for a form")
        return (), KEPT_UNREADABLE
    return (kept, None) if kept is not None else ((), KEPT_GONE)
