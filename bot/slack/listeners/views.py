"""The task modal's submission: errors back on the fields, or the modal closes and the work goes on."""

from __future__ import annotations

import datetime
from typing import Any

from slack_bolt import Ack, App

from bot.parsing.form import parse_form
from bot.slack import ids
from bot.slack.blocks.modal import build_modal_errors, read_modal_values
from bot.slack.deps import AppDeps
from bot.slack.forms import errors_by_block
from bot.slack.metadata import ModalMetadata


def register(app: App) -> None:
    app.view(ids.TASK_MODAL_CALLBACK_ID)(handle_task_modal_submission)


def handle_task_modal_submission(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], deps: AppDeps
) -> None:
    values = read_modal_values(view["state"]["values"])
    metadata = ModalMetadata.from_json(view["private_metadata"])
    user = body["user"]["id"]
    draft = parse_form(
        task_type_code=values.task_type_code,
        prospects_text=values.prospects_text,
        due_date=datetime.date.fromisoformat(values.due_date) if values.due_date else None,
        priority_code=values.priority_code,
        note=values.note,
        today=deps.zones.today_for(user),
        links=deps.links,
        known_names=metadata.names,
        picked=values.picked,
    )
    if not draft.is_ready:
        ack(build_modal_errors(errors_by_block(draft)))
        return
    ack()
    deps.service.submit(
        key=f"view:{view['id']}",
        draft=draft,
        reply_to=metadata.reply_to.to_dict(),
        announce=metadata.announce,
    )
