"""Between the task form (the modal) and a `TaskDraft`: prefill from a draft, errors onto fields."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain import DraftField, ProspectRef, TaskDraft
from bot.slack import ids
from bot.slack.blocks.modal import PROSPECTS_MAX_CHARS, ModalPrefill

BLOCK_OF_FIELD: dict[DraftField, str] = {
    DraftField.TASK_TYPE: ids.TASK_TYPE_BLOCK_ID,
    DraftField.PROSPECTS: ids.PROSPECTS_BLOCK_ID,
    DraftField.DUE_DATE: ids.DUE_DATE_BLOCK_ID,
    DraftField.PRIORITY: ids.PRIORITY_BLOCK_ID,
    DraftField.NOTE: ids.NOTE_BLOCK_ID,
}


@dataclass(frozen=True)
class ProspectsField:
    """The form's prospects field, and the prospects it could not hold (kept on our side)."""

    text: str
    kept: tuple[ProspectRef, ...] = ()


def prospects_field(
    prospects: Sequence[ProspectRef], emails: Sequence[str] = (), words: Sequence[str] = ()
) -> ProspectsField:
    """The prospects field, one per line: links as they came when they all fit in the field's
    PROSPECTS_MAX_CHARS, else bare IDs (names travel in the modal's metadata), so hundreds still fit; then
    emails (prospects to look up), then `words` to fix. When even that does not fit, the emails come
    first, then the IDs that fit; the other IDs are kept, never dropped, and the words are left to the
    notices, which list them."""
    for shown in ([p.link or p.id for p in prospects], [p.id for p in prospects]):
        text = "\n".join([*shown, *emails, *words])
        if len(text) <= PROSPECTS_MAX_CHARS:
            return ProspectsField(text)
    lines = list(emails)
    used = len("\n".join(lines))
    fitted = 0
    for prospect in prospects:
        cost = len(prospect.id) + (1 if lines else 0)
        if used + cost > PROSPECTS_MAX_CHARS:
            break
        lines.append(prospect.id)
        used += cost
        fitted += 1
    return ProspectsField("\n".join(lines), tuple(prospects[fitted:]))


def kept_notice(count: int) -> str:
    return (
        f"…and {count:,} more prospect{'' if count == 1 else 's'}, kept: the field cannot hold them all, "
        "and they will be created with the ones above when you submit."
    )


def prefill_from_draft(
    draft: TaskDraft,
    *,
    private_metadata: str,
    prospects_text: str,
    notices: Sequence[str] = (),
) -> ModalPrefill:
    """The modal as the rep's text left it: what was understood filled in, what is missing and the
    problems on top (so the rep sees why the form opened instead of the tasks being created)."""
    return ModalPrefill(
        task_type=draft.task_type,
        prospects_text=prospects_text,
        due_date=draft.due_date if draft.due_date_given else None,
        priority=draft.priority,
        note=draft.note,
        notices=(*notices, *draft.missing_messages(), *(p.message for p in draft.problems)),
        private_metadata=private_metadata,
    )


def errors_by_block(draft: TaskDraft) -> dict[str, str]:
    """Each problem (and missing required field) on the block it belongs to, one message per block."""
    errors: dict[str, list[str]] = {}
    for field in draft.missing:
        errors.setdefault(BLOCK_OF_FIELD[field], []).append(MISSING_IN_FORM[field])
    for problem in draft.problems:
        errors.setdefault(BLOCK_OF_FIELD[problem.field], []).append(problem.message)
    return {block: " ".join(messages) for block, messages in errors.items()}


MISSING_IN_FORM: dict[DraftField, str] = {
    DraftField.TASK_TYPE: "Pick a task type.",
    DraftField.PROSPECTS: "Add at least one prospect: a Saleshandy link or ID (like 8PvBmrB7P7).",
}
