"""The shortcuts: the message shortcut (a task for the prospects a message names, results in that
message's thread, wherever the message is) and the global one (the form from anywhere, results by DM)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.slack import ids
from bot.slack.delivery import ReplyTo
from bot.slack.deps import AppDeps
from bot.slack.listeners.modals import open_form_for_prospects, open_form_with_results_by_dm
from bot.slack.message_refs import message_permalink, references_in_message

NO_PROSPECTS_NOTICE = (
    "I found no prospect links or IDs in that message. Paste Saleshandy prospect links or IDs below."
)


def register(app: App) -> None:
    app.shortcut(ids.MESSAGE_SHORTCUT_CALLBACK_ID)(handle_message_shortcut)
    app.shortcut(ids.GLOBAL_SHORTCUT_CALLBACK_ID)(handle_global_shortcut)


def handle_message_shortcut(
    ack: Ack,
    shortcut: dict[str, Any],
    client: WebClient,
    respond: Respond,
    context: BoltContext,
    deps: AppDeps,
) -> None:
    """In a channel, a thread, a DM or group DM (the bot need not be a member: results then reach the
    rep by the response_url or DM) or a Slack Connect channel."""
    ack()
    message = shortcut.get("message") or {}
    channel = shortcut["channel"]["id"]
    ts = str(message.get("ts", ""))
    prospects, emails = references_in_message(message, deps.links)
    reply_to = ReplyTo(
        channel=channel,
        user=shortcut["user"]["id"],
        thread_ts=message.get("thread_ts") or ts,
        response_url=shortcut.get("response_url"),
        team_id=context.team_id,
        enterprise_id=context.enterprise_id,
        is_enterprise_install=bool(context.is_enterprise_install),
    )
    domain = (shortcut.get("team") or {}).get("domain")
    open_form_for_prospects(
        client,
        deps,
        trigger_id=shortcut["trigger_id"],
        reply_to=reply_to,
        prospects=prospects,
        emails=emails,
        note=f"From Slack: {message_permalink(domain, channel, ts, message.get('thread_ts'))}",
        notices=() if prospects or emails else (NO_PROSPECTS_NOTICE,),
        respond=respond,
    )


def handle_global_shortcut(
    ack: Ack, shortcut: dict[str, Any], client: WebClient, context: BoltContext, deps: AppDeps
) -> None:
    """*New Saleshandy task* from the ⚡ menu: no channel and no response_url, so results go by DM."""
    ack()
    open_form_with_results_by_dm(
        client,
        deps,
        trigger_id=shortcut["trigger_id"],
        user_id=shortcut["user"]["id"],
        team_id=context.team_id,
        enterprise_id=context.enterprise_id,
        is_enterprise_install=bool(context.is_enterprise_install),
    )
