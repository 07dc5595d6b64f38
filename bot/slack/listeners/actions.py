"""Buttons: "Retry failed" (exactly the failed prospects, same fields, once, reported in place, only for the
rep who asked), and App Home's (connect, disconnect, create the draft kept while not connected)."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain import TaskDraft
from bot.parsing.command import describe_date
from bot.service import RetryRefused, ServiceNotice
from bot.slack import ids
from bot.slack.blocks.home import build_connect_modal, build_defaults_modal
from bot.slack.blocks.modal import ModalPrefill, build_task_modal
from bot.slack.blocks.notices import build_notice
from bot.slack.blocks.results import build_retry_refused_notice, build_retry_started_notice
from bot.slack.delivery import ReplyTo
from bot.slack.deps import AppDeps
from bot.slack.home import is_workspace_admin, publish_home
from bot.slack.listeners.modals import keep_what_the_form_cannot_hold, open_form_with_results_by_dm
from bot.slack.metadata import ModalMetadata
from bot.slack.wording import say_notice
from bot.store import KeptDraft, StoreUnavailableError

logger = logging.getLogger(__name__)


def register(app: App) -> None:
    app.action(ids.RETRY_FAILED_ACTION_ID)(handle_retry_failed)
    app.action(ids.HOME_CONNECT_ACTION_ID)(handle_connect)
    app.action(ids.HOME_DISCONNECT_ACTION_ID)(handle_disconnect)
    app.action(ids.HOME_CREATE_DRAFT_ACTION_ID)(handle_create_kept_draft)
    app.action(ids.OPEN_HOME_ACTION_ID)(handle_open_home)
    app.action(ids.HOME_SET_WORKSPACE_KEY_ACTION_ID)(handle_set_workspace_key)
    app.action(ids.HOME_EDIT_DEFAULTS_ACTION_ID)(handle_edit_defaults)
    app.action(ids.HOME_REMOVE_WORKSPACE_KEY_ACTION_ID)(handle_remove_workspace_key)
    app.action(ids.HOME_CREATE_TASK_ACTION_ID)(handle_home_create_task)


def handle_retry_failed(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    respond: Respond,
    context: BoltContext,
    deps: AppDeps,
) -> None:
    ack()
    user = body["user"]["id"]

    def report_where_the_original_did(original: dict[str, Any]) -> dict[str, Any]:
        return replace(
            ReplyTo.from_dict(original),
            user=user,
            response_url=body.get("response_url"),
            response_url_posts=0,  # the button's own response_url, not yet used
        ).to_dict()

    try:
        started = deps.service.retry(
            str(action.get("value")),
            requested_by=user,
            reply_to=report_where_the_original_did,
            team_id=context.team_id,
        )
    except StoreUnavailableError:
        logger.exception("could not open a retry of %s", action.get("value"))
        unavailable = build_notice(say_notice(ServiceNotice.STORE_UNAVAILABLE))
        respond(**unavailable, response_type="ephemeral", replace_original=False)
        return
    if isinstance(started, RetryRefused):
        respond(**build_retry_refused_notice(started), response_type="ephemeral", replace_original=False)
        return
    respond(
        **build_retry_started_notice(started.prospects), response_type="ephemeral", replace_original=False
    )


# ---- App Home: connecting Saleshandy, the kept draft -------------------------------------------------


def handle_connect(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    """Open the modal where the rep pastes their key (the trigger_id is spent first)."""
    ack()
    _open_connect_modal(client, body["trigger_id"], for_workspace=False)


def handle_set_workspace_key(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    """An admin sets the workspace's key: the same modal, kept for the team (checked again at submit)."""
    ack()
    _open_connect_modal(client, body["trigger_id"], for_workspace=True)


def handle_remove_workspace_key(
    ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, deps: AppDeps
) -> None:
    ack()
    team_id, user_id = context.team_id or "", body["user"]["id"]
    if is_workspace_admin(client, user_id):
        deps.accounts.remove_workspace_key(team_id)
        logger.info("an admin of team %s removed the workspace's Saleshandy key", team_id)
    publish_home(client, deps, team_id=team_id, user_id=user_id)


def handle_edit_defaults(
    ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, deps: AppDeps
) -> None:
    """Open the rep's form defaults (the trigger_id is spent before anything slow: one quick read first)."""
    ack()
    defaults = deps.defaults.get(context.team_id or "", body["user"]["id"])
    try:
        client.views_open(trigger_id=body["trigger_id"], view=build_defaults_modal(defaults))
    except SlackApiError as error:
        logger.warning("views.open (defaults) failed: %s", error.response.get("error"))


def _open_connect_modal(client: WebClient, trigger_id: str, *, for_workspace: bool) -> None:
    try:
        client.views_open(trigger_id=trigger_id, view=build_connect_modal(for_workspace=for_workspace))
    except SlackApiError as error:
        logger.warning("views.open (connect) failed: %s", error.response.get("error"))


def handle_disconnect(
    ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, deps: AppDeps
) -> None:
    """Delete the rep's key at once, then show the Home tab as it now is."""
    ack()
    team_id, user_id = context.team_id or "", body["user"]["id"]
    deps.accounts.disconnect(team_id, user_id)
    publish_home(client, deps, team_id=team_id, user_id=user_id)


def handle_create_kept_draft(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    deps: AppDeps,
) -> None:
    """The tasks a rep asked for before connecting, created now with their key (once: the draft is taken)."""
    ack()
    team_id, user_id = context.team_id or "", body["user"]["id"]
    acting = deps.accounts.acting_for(team_id, user_id)
    kept = deps.drafts.take(str(action.get("value")), team_id=team_id, user_id=user_id) if acting else None
    if kept is not None and kept.task.due_date < deps.zones.reading_for(user_id, team_id=team_id).today():
        _open_form_for_a_stale_draft(client, body["trigger_id"], deps, kept)  # its day has passed: ask
    elif acting is not None and kept is not None:
        draft = TaskDraft(
            due_date=kept.task.due_date,
            task_type=kept.task.task_type,
            prospects=kept.prospects,
            priority=kept.task.priority,
            note=kept.task.task_note,
            due_date_given=True,
            emails=kept.emails,
        )
        deps.service.submit(
            key=f"draft:{kept.token}",
            draft=draft,
            reply_to=kept.reply_to,
            announce=kept.announce,
            acting=acting,
        )
    publish_home(client, deps, team_id=team_id, user_id=user_id)


DRAFT_DATE_PASSED = (
    "The due date you gave ({day}) has passed while this waited, so nothing was created yet: pick a due "
    "date, then create the task."
)


def _open_form_for_a_stale_draft(client: WebClient, trigger_id: str, deps: AppDeps, kept: KeptDraft) -> None:
    """The kept task in the form (as the rep asked for it, but its past date), for the rep to date again."""
    field, kept_token = keep_what_the_form_cannot_hold(deps, kept.prospects, kept.emails)
    names = {p.id: p.display_name for p in kept.prospects if p.display_name}
    metadata = ModalMetadata(ReplyTo.from_dict(kept.reply_to), kept.announce, names=names, kept=kept_token)
    prefill = ModalPrefill(
        task_type=kept.task.task_type,
        prospects_text=field.text,
        priority=kept.task.priority,
        note=kept.task.task_note,
        notices=(DRAFT_DATE_PASSED.format(day=describe_date(kept.task.due_date)),),
        private_metadata=metadata.to_json(),
    )
    try:
        client.views_open(trigger_id=trigger_id, view=build_task_modal(prefill))
    except SlackApiError as error:
        logger.warning("views.open (a kept draft) failed: %s", error.response.get("error"))


def handle_home_create_task(
    ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, deps: AppDeps
) -> None:
    """App Home's *Create a task*: the form, as from the global shortcut (results by DM)."""
    ack()
    open_form_with_results_by_dm(
        client,
        deps,
        trigger_id=body["trigger_id"],
        user_id=body["user"]["id"],
        team_id=context.team_id,
        enterprise_id=context.enterprise_id,
        is_enterprise_install=bool(context.is_enterprise_install),
    )


def handle_open_home(ack: Ack) -> None:
    """A link button: Slack opens the link and tells us too; nothing to do."""
    ack()
