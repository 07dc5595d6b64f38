"""The task modal's submission: errors back on the fields, or the modal closes and the work goes on."""

from __future__ import annotations

import datetime
import logging
from dataclasses import replace
from typing import Any

from slack_bolt import Ack, App

from bot.domain import ProspectRef
from bot.parsing.form import parse_form
from bot.parsing.prospects import dedupe_prospects
from bot.slack import ids
from bot.slack.blocks.modal import build_modal_errors, read_modal_values
from bot.slack.deps import AppDeps
from bot.slack.forms import errors_by_block
from bot.slack.metadata import ModalMetadata
from bot.store import StoreUnavailableError

logger = logging.getLogger(__name__)


def register(app: App) -> None:
    app.view(ids.TASK_MODAL_CALLBACK_ID)(handle_task_modal_submission)


def handle_task_modal_submission(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], deps: AppDeps
) -> None:
    values = read_modal_values(view["state"]["values"])
    metadata = ModalMetadata.from_json(view["private_metadata"])
    user = body["user"]["id"]
    zone = deps.zones.reading_for(user)
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
    ack()
    reply_to = metadata.reply_to if zone.known else replace(metadata.reply_to, assumed_zone=zone.zone)
    deps.service.submit(
        key=f"view:{view['id']}",
        draft=draft,
        reply_to=reply_to.to_dict(),
        announce=metadata.announce,
    )


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
