"""Prospect links unfurl with a button: `link_shared` is answered with `chat.unfurl` (a preview showing only
what was pasted, and *Create task*); the button opens the form with every prospect link of that message,
for whoever presses it, results in that message's thread.

Each acts once: a `link_shared` Slack retries (no 200 within 3 s) or a request replayed is recognised by
its event_id; a press replayed by its action_ts, a double click by who pressed on which message."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain import ProspectRef
from bot.parsing.prospects import ProspectLinkPatterns
from bot.slack import ids
from bot.slack.blocks.unfurl import UnfurlButton, build_prospect_unfurls
from bot.slack.delivery import ReplyTo
from bot.slack.deps import AppDeps
from bot.slack.listeners.modals import open_form_for_prospects
from bot.slack.message_refs import message_permalink, references_in_message
from bot.store import StoreUnavailableError

logger = logging.getLogger(__name__)

DOUBLE_CLICK_SECONDS = 5.0
"""Presses of *Create task* on one message by one rep this close together are one press (a double click,
a second press while the form is opening); a press later than that is meant, and opens the form again."""

LEFT_OUT_NOTICE = (
    "That message links to {count:,} more prospect{s} than this button could carry: run the *Create "
    "Saleshandy task* shortcut on the message to have them all."
)


def register(app: App) -> None:
    app.event("link_shared")(handle_link_shared)
    app.action(ids.UNFURL_CREATE_TASK_ACTION_ID)(handle_create_task_from_preview)


def handle_link_shared(
    event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext, deps: AppDeps
) -> None:
    """Unfurl the prospect links of a message (or of a message still in the composer); other links of
    the domain are left as Slack shows them."""
    links = prospect_links(event.get("links") or [], deps.links)
    if not links:
        return
    key = f"event:{body.get('event_id')}"
    if not _first_time(deps, key, team_id=context.team_id):
        logger.info("link_shared %s already handled (a retry or a replay)", body.get("event_id"))
        return
    button = UnfurlButton(tuple(p.id for _, p in links), thread_ts=event.get("thread_ts"))
    try:
        unfurl(client, event, build_prospect_unfurls(links, button))
    except SlackApiError as error:
        logger.warning("chat.unfurl failed: %s", error.response.get("error"))
        _forget(deps, key)  # a copy still to come may succeed


def prospect_links(
    links: Sequence[dict[str, Any]], patterns: ProspectLinkPatterns
) -> list[tuple[str, ProspectRef]]:
    """The links of a `link_shared` event that name a prospect, as (the URL as sent, the prospect)."""
    found: list[tuple[str, ProspectRef]] = []
    for link in links:
        url = link.get("url")
        if not isinstance(url, str):
            continue
        prospect_id = patterns.prospect_id_in(url)
        if prospect_id is not None:
            found.append((url, ProspectRef(id=prospect_id, link=url)))
    return found


def unfurl(client: WebClient, event: dict[str, Any], unfurls: dict[str, dict[str, Any]]) -> None:
    """Attach the previews where the event says: a link still in the composer has no message yet, only
    its unfurl_id."""
    if event.get("source") == "composer" and event.get("unfurl_id"):
        client.chat_unfurl(unfurl_id=str(event["unfurl_id"]), source="composer", unfurls=unfurls)
    else:
        client.chat_unfurl(channel=str(event["channel"]), ts=str(event["message_ts"]), unfurls=unfurls)


def handle_create_task_from_preview(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    respond: Respond,
    context: BoltContext,
    deps: AppDeps,
) -> None:
    ack()
    button = UnfurlButton.from_value(action.get("value"))
    container = body.get("container") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
    message_ts = container.get("message_ts")
    if button is None or not channel or not message_ts:
        logger.warning("a Create task press without its message or prospects; ignored")
        return
    user = body["user"]["id"]
    pressed = _first_press(
        deps,
        team_id=context.team_id,
        user=user,
        channel=channel,
        message_ts=message_ts,
        action_ts=str(action.get("action_ts")),
    )
    if not pressed:
        return
    message = body.get("message") or {}
    thread_ts = container.get("thread_ts") or message.get("thread_ts") or button.thread_ts
    reply_to = ReplyTo(
        channel=channel,
        user=user,
        thread_ts=thread_ts or message_ts,
        response_url=body.get("response_url"),
        team_id=context.team_id,
        enterprise_id=context.enterprise_id,
        is_enterprise_install=bool(context.is_enterprise_install),
    )
    domain = (body.get("team") or {}).get("domain")
    open_form_for_prospects(
        client,
        deps,
        trigger_id=body["trigger_id"],
        reply_to=reply_to,
        prospects=_with_labels(button.prospect_ids, message, deps.links),
        note=f"From Slack: {message_permalink(domain, channel, message_ts, thread_ts)}",
        notices=(_left_out_notice(button.left_out),) if button.left_out else (),
        respond=respond,
    )


def _with_labels(
    prospect_ids: Sequence[str], message: dict[str, Any], patterns: ProspectLinkPatterns
) -> tuple[ProspectRef, ...]:
    """The button's prospects, named by their links' labels where the press came with the message."""
    labels = {p.id: p.display_name for p in references_in_message(message, patterns)[0] if p.display_name}
    return tuple(ProspectRef(id=i, display_name=labels.get(i)) for i in prospect_ids)


def _left_out_notice(count: int) -> str:
    return LEFT_OUT_NOTICE.format(count=count, s="" if count == 1 else "s")


def _first_press(
    deps: AppDeps, *, team_id: str | None, user: str, channel: str, message_ts: str, action_ts: str
) -> bool:
    """A press to act on: not a replay of one (its action_ts), not a second click of the same rep on the
    same message within DOUBLE_CLICK_SECONDS."""
    if not _first_time(deps, f"press:{team_id}:{user}:{action_ts}", team_id=team_id):
        logger.info("a Create task press replayed; ignored")
        return False
    clicked = f"preview-form:{team_id}:{user}:{channel}:{message_ts}"
    if not _first_time(deps, clicked, team_id=team_id, within=DOUBLE_CLICK_SECONDS):
        logger.info("a second Create task press within %ss; ignored", DOUBLE_CLICK_SECONDS)
        return False
    return True


def _first_time(deps: AppDeps, key: str, *, team_id: str | None, within: float | None = None) -> bool:
    """With the database away, act anyway: a preview made twice replaces itself, and a form opened twice
    is a lesser harm than none."""
    try:
        return deps.handled.first_time(key, team_id=team_id, within=within)
    except StoreUnavailableError:
        logger.exception("could not record a delivery as handled; acting on it")
        return True


def _forget(deps: AppDeps, key: str) -> None:
    try:
        deps.handled.forget(key)
    except StoreUnavailableError:
        logger.exception("could not forget a delivery")
