"""Opening the task modal, shared by every door (the trigger_id is spent first): the command, the
shortcuts, a link preview's button, App Home."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Sequence

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain import ProspectRef
from bot.parsing.command import describe_date
from bot.slack.blocks.modal import ModalPrefill, build_task_modal
from bot.slack.blocks.notices import build_notice
from bot.slack.delivery import ReplyTo
from bot.slack.deps import AppDeps
from bot.slack.forms import ProspectsField, kept_notice, prospects_field
from bot.slack.home import with_defaults
from bot.slack.metadata import ModalMetadata
from bot.store import StoreUnavailableError

logger = logging.getLogger(__name__)


def open_task_modal(
    client: WebClient, *, trigger_id: str, prefill: ModalPrefill, respond: Respond | None
) -> None:
    """Open the form; when Slack will not, say so through `respond` (None where Slack gives no
    response_url: a global shortcut, App Home — there it is only logged)."""
    try:
        client.views_open(trigger_id=trigger_id, view=build_task_modal(prefill))
    except SlackApiError as error:
        reason = error.response.get("error")
        logger.warning("views.open failed: %s", reason)
        if respond is None:
            return
        respond(
            **build_notice(
                "Slack did not let me open the task form in time. Please run it again."
                if reason == "expired_trigger_id"
                else f"Slack did not let me open the task form ({reason}). Please try again."
            ),
            response_type="ephemeral",
        )


def keep_what_the_form_cannot_hold(
    deps: AppDeps, prospects: Sequence[ProspectRef], emails: Sequence[str], words: Sequence[str] = ()
) -> tuple[ProspectsField, str | None]:
    """The prospects field, and the token under which the prospects it cannot hold are kept (None when
    it holds them all). With the database away everything stays in the field's text, which the form
    then cuts and says so (the rep sees what was left out)."""
    field = prospects_field(prospects, emails, words)
    if not field.kept:
        return field, None
    try:
        return field, deps.kept.keep(field.kept)
    except StoreUnavailableError:
        logger.exception("could not keep %d prospects for a form", len(field.kept))
        return ProspectsField("\n".join([*emails, *(p.id for p in prospects), *words])), None


def unknown_zone_notice(zone: str, due: datetime.date) -> str:
    return (
        f"Slack has not told me your time zone, so I read the date in {zone}: {describe_date(due)}, "
        "which may already be past where you are. Check the due date, then create the task."
    )


NO_KEY_NOTICE = (
    "You have no Saleshandy account connected (and this workspace has no key), so I cannot create the task "
    "yet. Fill it in anyway: it is kept, and once you connect Saleshandy in my Home tab one click creates it."
)


def no_key_notices(deps: AppDeps, team_id: str | None, user_id: str) -> tuple[str, ...]:
    """A line for the form when the rep has no key to create tasks with."""
    try:
        acting = deps.accounts.acting_for(team_id or "", user_id)
    except StoreUnavailableError:
        return ()  # said at submission, if it is still so
    return (NO_KEY_NOTICE,) if acting is None else ()


def open_form_for_prospects(
    client: WebClient,
    deps: AppDeps,
    *,
    trigger_id: str,
    reply_to: ReplyTo,
    prospects: Sequence[ProspectRef],
    emails: Sequence[str] = (),
    note: str | None = None,
    notices: Sequence[str] = (),
    respond: Respond | None = None,
) -> None:
    """The form for prospects a message names (the message shortcut, a link preview's button), for
    `reply_to.user`, results replying where `reply_to` says (no parent message: the reply says what was
    asked)."""
    field, kept_token = keep_what_the_form_cannot_hold(deps, prospects, emails)
    names = {p.id: p.display_name for p in prospects if p.display_name}
    said = (*no_key_notices(deps, reply_to.team_id, reply_to.user), *notices)
    prefill = ModalPrefill(
        prospects_text=field.text,
        note=note,
        notices=(*said, kept_notice(len(field.kept))) if field.kept else said,
        private_metadata=ModalMetadata(reply_to, announce=False, names=names, kept=kept_token).to_json(),
    )
    _open_with_defaults(
        client, deps, trigger_id=trigger_id, prefill=prefill, reply_to=reply_to, respond=respond
    )


def open_form_with_results_by_dm(
    client: WebClient,
    deps: AppDeps,
    *,
    trigger_id: str,
    user_id: str,
    team_id: str | None,
    enterprise_id: str | None = None,
    is_enterprise_install: bool = False,
) -> None:
    """The empty form from a door with no channel (the global shortcut, App Home): the parent message
    and the results go to the rep's DM with the app (Slack posts to a member's ID there)."""
    reply_to = ReplyTo(
        channel=user_id,
        user=user_id,
        team_id=team_id,
        enterprise_id=enterprise_id,
        is_enterprise_install=is_enterprise_install,
    )
    prefill = ModalPrefill(
        notices=no_key_notices(deps, team_id, user_id),
        private_metadata=ModalMetadata(reply_to, announce=True).to_json(),
    )
    _open_with_defaults(client, deps, trigger_id=trigger_id, prefill=prefill, reply_to=reply_to, respond=None)


def _open_with_defaults(
    client: WebClient,
    deps: AppDeps,
    *,
    trigger_id: str,
    prefill: ModalPrefill,
    reply_to: ReplyTo,
    respond: Respond | None,
) -> None:
    team_id, user_id = reply_to.team_id, reply_to.user
    prefill = with_defaults(
        deps,
        prefill,
        team_id=team_id,
        user_id=user_id,
        today=lambda: deps.zones.reading_for(user_id, team_id=team_id).today(),
    )
    open_task_modal(client, trigger_id=trigger_id, prefill=prefill, respond=respond)
