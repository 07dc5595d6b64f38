"""The message shortcut: a task for the prospects a message names, results in that message's thread."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.slack import ids
from bot.slack.blocks.modal import ModalPrefill
from bot.slack.delivery import ReplyTo
from bot.slack.deps import AppDeps
from bot.slack.forms import kept_notice
from bot.slack.home import with_defaults
from bot.slack.listeners.modals import keep_what_the_form_cannot_hold, no_key_notices, open_task_modal
from bot.slack.message_refs import references_in_message
from bot.slack.metadata import ModalMetadata

NO_PROSPECTS_NOTICE = (
    "I found no prospect links or IDs in that message. Paste Saleshandy prospect links or IDs below."
)


def register(app: App) -> None:
    app.shortcut(ids.MESSAGE_SHORTCUT_CALLBACK_ID)(handle_message_shortcut)


def handle_message_shortcut(
    ack: Ack,
    shortcut: dict[str, Any],
    client: WebClient,
    respond: Respond,
    context: BoltContext,
    deps: AppDeps,
) -> None:
    ack()
    message = shortcut.get("message") or {}
    channel = shortcut["channel"]["id"]
    thread_ts = message.get("thread_ts") or message.get("ts")
    prospects, emails = references_in_message(message, deps.links)
    reply_to = ReplyTo(
        channel=channel,
        user=shortcut["user"]["id"],
        thread_ts=thread_ts,
        response_url=shortcut.get("response_url"),
        team_id=context.team_id,
        enterprise_id=context.enterprise_id,
        is_enterprise_install=bool(context.is_enterprise_install),
    )
    names = {p.id: p.display_name for p in prospects if p.display_name}
    field, kept_token = keep_what_the_form_cannot_hold(deps, prospects, emails)
    team_id = context.team_id
    notices = no_key_notices(deps, team_id, reply_to.user)
    if not prospects and not emails:
        notices = (*notices, NO_PROSPECTS_NOTICE)
    prefill = ModalPrefill(
        prospects_text=field.text,
        note=f"From Slack: {message_permalink(shortcut)}",
        notices=(*notices, kept_notice(len(field.kept))) if field.kept else notices,
        private_metadata=ModalMetadata(reply_to, announce=False, names=names, kept=kept_token).to_json(),
    )
    prefill = with_defaults(
        deps,
        prefill,
        team_id=team_id,
        user_id=reply_to.user,
        today=lambda: deps.zones.reading_for(reply_to.user, team_id=team_id).today(),
    )
    open_task_modal(client, trigger_id=shortcut["trigger_id"], prefill=prefill, respond=respond)


def message_permalink(shortcut: dict[str, Any]) -> str:
    """The message's permalink, built from the payload (Slack's documented form) to spare an API call
    before the trigger_id is spent."""
    domain = (shortcut.get("team") or {}).get("domain") or "app"
    channel = shortcut["channel"]["id"]
    message = shortcut.get("message") or {}
    link = f"https://{domain}.slack.com/archives/{channel}/p{str(message.get('ts', '')).replace('.', '')}"
    parent = message.get("thread_ts")
    if parent and parent != message.get("ts"):
        link += f"?thread_ts={parent}&cid={channel}"
    return link
