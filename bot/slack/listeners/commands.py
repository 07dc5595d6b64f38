"""`/task`: help, the form, or tasks created at once."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.domain import DraftField
from bot.parsing import parse_command
from bot.service import ServiceNotice
from bot.slack import ids
from bot.slack.blocks.help import build_help_message
from bot.slack.blocks.home import build_connect_prompt
from bot.slack.blocks.modal import ModalPrefill
from bot.slack.blocks.notices import build_notice
from bot.slack.delivery import ReplyTo
from bot.slack.deps import AppDeps
from bot.slack.forms import kept_notice, prefill_from_draft
from bot.slack.home import keep_draft, with_defaults
from bot.slack.listeners.modals import (
    keep_what_the_form_cannot_hold,
    no_key_notices,
    open_task_modal,
    unknown_zone_notice,
)
from bot.slack.metadata import ModalMetadata
from bot.slack.timezones import may_be_past_for_someone
from bot.slack.wording import say_notice
from bot.store import StoreUnavailableError

HELP_WORDS = frozenset({"help", "?", "-h", "--help"})


def register(app: App) -> None:
    app.command(ids.TASK_COMMAND)(handle_task_command)


def handle_task_command(
    ack: Ack,
    command: dict[str, Any],
    client: WebClient,
    respond: Respond,
    context: BoltContext,
    deps: AppDeps,
) -> None:
    text = (command.get("text") or "").strip()
    if text.lower() in HELP_WORDS:
        ack(build_help_message())
        return
    ack()
    reply_to = ReplyTo(
        channel=command["channel_id"],
        user=command["user_id"],
        response_url=command.get("response_url"),
        team_id=context.team_id,
        enterprise_id=context.enterprise_id,
        is_enterprise_install=bool(context.is_enterprise_install),
    )
    if not text:
        metadata = ModalMetadata(reply_to, announce=True).to_json()
        open_task_modal(
            client,
            trigger_id=command["trigger_id"],
            prefill=with_defaults(
                deps,
                ModalPrefill(
                    private_metadata=metadata,
                    notices=no_key_notices(deps, context.team_id, reply_to.user),
                ),
                team_id=context.team_id,
                user_id=reply_to.user,
                today=lambda: deps.zones.reading_for(reply_to.user, team_id=context.team_id).today(),
            ),
            respond=respond,
        )
        return
    zone = deps.zones.reading_for(reply_to.user, team_id=context.team_id)
    today = zone.today()
    if not zone.known:
        reply_to = replace(reply_to, assumed_zone=zone.zone)
    draft = parse_command(text, today=today, day_first=deps.settings.day_first, links=deps.links)
    notices: tuple[str, ...] = ()
    if draft.is_ready and not zone.known and may_be_past_for_someone(draft.due_date):
        # Today for us may be yesterday for the rep: a date that may be past is shown, not sent.
        notices = (unknown_zone_notice(zone.zone, draft.due_date),)
        draft = replace(draft, due_date_given=True)
    elif draft.is_ready:
        team_id = context.team_id or ""
        try:
            acting = deps.accounts.acting_for(team_id, reply_to.user)
        except StoreUnavailableError:
            respond(**build_notice(say_notice(ServiceNotice.STORE_UNAVAILABLE)), response_type="ephemeral")
            return
        if acting is None:  # nobody's key to create it with: how to connect, and the draft waits
            kept = keep_draft(
                deps,
                draft,
                team_id=team_id,
                user_id=reply_to.user,
                reply_to=reply_to.to_dict(),
                announce=True,
            )
            prompt = build_connect_prompt(
                team_id, command.get("api_app_id") or "", kept=kept, can_connect=deps.accounts.can_keep_keys
            )
            respond(**prompt, response_type="ephemeral")
            return
        deps.service.submit(
            key=f"command:{command['trigger_id']}",
            draft=draft,
            reply_to=reply_to.to_dict(),
            announce=True,
            acting=acting,
        )
        return
    leftovers = tuple(p.text for p in draft.problems if p.field is DraftField.PROSPECTS and p.text)
    field, kept_token = keep_what_the_form_cannot_hold(deps, draft.prospects, draft.emails, leftovers)
    names = {p.id: p.display_name for p in draft.prospects if p.display_name}
    metadata = ModalMetadata(reply_to, announce=True, names=names, kept=kept_token).to_json()
    if field.kept:
        notices = (*notices, kept_notice(len(field.kept)))
    notices = (*no_key_notices(deps, context.team_id, reply_to.user), *notices)
    open_task_modal(
        client,
        trigger_id=command["trigger_id"],
        prefill=with_defaults(
            deps,
            prefill_from_draft(draft, private_metadata=metadata, prospects_text=field.text, notices=notices),
            team_id=context.team_id,
            user_id=reply_to.user,
            today=lambda: today,
        ),
        respond=respond,
    )
