"""Between the task form (the modal) and a `TaskDraft`: prefill from a draft, errors onto fields."""

from __future__ import annotations

from bot.domain import DraftField, ProspectRef, TaskDraft
from bot.slack import ids
from bot.slack.blocks.modal import ModalPrefill

BLOCK_OF_FIELD: dict[DraftField, str] = {
    DraftField.TASK_TYPE: ids.TASK_TYPE_BLOCK_ID,
    DraftField.PROSPECTS: ids.PROSPECTS_BLOCK_ID,
    DraftField.DUE_DATE: ids.DUE_DATE_BLOCK_ID,
    DraftField.PRIORITY: ids.PRIORITY_BLOCK_ID,
    DraftField.NOTE: ids.NOTE_BLOCK_ID,
}


def prospect_line(prospect: ProspectRef) -> str:
    """How a prospect is written in the form's prospects field: its link if it came as one."""
    return prospect.link or prospect.id


def prefill_from_draft(
    draft: TaskDraft, *, private_metadata: str, leftover_words: tuple[str, ...] = ()
) -> ModalPrefill:
    """The modal as the rep's text left it: what was understood filled in, what is missing and the
    problems on top (so the rep sees why the form opened instead of the tasks being created)."""
    lines = [prospect_line(p) for p in draft.prospects] + list(leftover_words)
    return ModalPrefill(
        task_type=draft.task_type,
        prospects_text="\n".join(lines),
        due_date=draft.due_date if draft.due_date_given else None,
        priority=draft.priority,
        note=draft.note,
        notices=(*draft.missing_messages(), *(p.message for p in draft.problems)),
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
