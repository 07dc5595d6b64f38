"""The task form's fields (the modal's values) into a `TaskDraft`, with problems per field."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import TypeVar

from bot.domain import (
    PROSPECT_ID_PATTERN,
    DraftField,
    Priority,
    Problem,
    ProblemKind,
    ProspectRef,
    TaskDraft,
    TaskType,
    note_too_long,
)
from bot.parsing.command import describe_date
from bot.parsing.prospects import (
    DEFAULT_LINK_PATTERNS,
    ProspectLinkPatterns,
    dedupe_prospects,
    parse_prospect_refs,
)

E = TypeVar("E", TaskType, Priority)


def parse_form(
    *,
    task_type_code: str | None,
    prospects_text: str,
    due_date: datetime.date | None,
    priority_code: str | None,
    note: str | None,
    today: datetime.date,
    links: ProspectLinkPatterns = DEFAULT_LINK_PATTERNS,
    known_names: Mapping[str, str] | None = None,
    picked: Sequence[tuple[str, str]] = (),
) -> TaskDraft:
    """A draft from the form; `known_names` names prospects the form's text shows only as IDs.

    `picked` holds the prospects chosen in the picker as (ID, label): they come first, named by
    their label, then those of the text; each ID once (its first mention kept). A picked value that
    is not an ID's shape is left out (the picker only offers IDs; nothing else can come from it).
    """
    problems: list[Problem] = []
    scan = parse_prospect_refs(prospects_text, links=links, lenient_ids=True)
    if scan.unrecognised:
        problems.append(_unrecognised_prospects(scan.unrecognised, scan.unrecognised_as_typed))
    if due_date is not None and due_date < today:
        problems.append(
            Problem(
                ProblemKind.PAST_DATE,
                DraftField.DUE_DATE,
                f"{describe_date(due_date)} is in the past; pick today ({describe_date(today)}) "
                "or later.",
                due_date.isoformat(),
            )
        )
    note = (note or "").strip() or None
    note_problem = note_too_long(note) if note is not None else None
    if note_problem is not None:
        problems.append(Problem(ProblemKind.NOTE_TOO_LONG, DraftField.NOTE, note_problem))
    return TaskDraft(
        due_date=due_date or today,
        due_date_given=due_date is not None,
        task_type=_known(TaskType, task_type_code),
        prospects=dedupe_prospects([
            *_picked_refs(picked),
            *(_named(p, known_names or {}) for p in scan.prospects),
        ]),
        emails=scan.emails,
        priority=_known(Priority, priority_code),
        note=note,
        problems=tuple(problems),
    )


def _unrecognised_prospects(words: tuple[str, ...], as_typed: tuple[str, ...]) -> Problem:
    shown = ", ".join(f"“{word}”" for word in as_typed[:5]) + (" …" if len(words) > 5 else "")
    return Problem(
        ProblemKind.UNKNOWN_WORD,
        DraftField.PROSPECTS,
        f"Not a prospect ID or Saleshandy link: {shown}. Remove it or paste the prospect's link.",
        " ".join(words),
    )


def _picked_refs(picked: Sequence[tuple[str, str]]) -> list[ProspectRef]:
    refs: list[ProspectRef] = []
    for entry in picked:
        try:
            prospect_id, label = entry
        except (TypeError, ValueError):
            continue
        if not isinstance(prospect_id, str) or not PROSPECT_ID_PATTERN.fullmatch(prospect_id):
            continue
        name = " ".join(label.split()) if isinstance(label, str) else ""
        refs.append(ProspectRef(id=prospect_id, display_name=name or None))
    return refs


def _named(prospect: ProspectRef, names: Mapping[str, str]) -> ProspectRef:
    if prospect.display_name or prospect.id not in names:
        return prospect
    return prospect.model_copy(update={"display_name": names[prospect.id]})


def _known(kind: type[E], code: str | None) -> E | None:
    try:
        return kind(code) if code else None
    except ValueError:
        return None
