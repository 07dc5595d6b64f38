"""A Workflow Builder step's inputs (text a workflow fills in) into a `TaskDraft`, with problems per input.

The same readers as `/task` and the form: prospect references, the vocabulary of types and priorities,
due-date words. Prospects are read as a list when every line is one word that names a prospect or tries
to (an ID, even a mistyped one; a link; an email): each line must then name one, as in the form's field.
Any other text (a whole message passed in by the workflow: a greeting, a signature, an emoji) gives the
links, IDs and emails it holds, and its other words are skipped.
"""

from __future__ import annotations

import datetime
import re

from bot.domain import NOTE_MAX_CHARS, DraftField, Priority, Problem, ProblemKind, ProspectRef, TaskDraft
from bot.parsing.clean_text import show_invisible
from bot.parsing.command import describe_date
from bot.parsing.dates import parse_due_date
from bot.parsing.errors import ParseError
from bot.parsing.prospects import (
    DEFAULT_LINK_PATTERNS,
    WORD_WRAPPING,
    ProspectLinkPatterns,
    SlackLink,
    dedupe_emails,
    dedupe_prospects,
    email_from_word,
    parse_prospect_refs,
    prospect_from_word,
    split_references,
)
from bot.parsing.slack_text import slack_to_plain_text
from bot.parsing.vocabulary import parse_priority, parse_task_type, unsupported_type_hint

_ID_ATTEMPT = re.compile(r"[A-Za-z0-9]+")
SHOWN_CHARS = 40
"""How much of an unreadable input a problem quotes."""
TASK_TYPE_EXAMPLES = "call, demo, follow-up, li msg, connect, inmail, wa call"
PRIORITY_EXAMPLES = "urgent, high, medium, low (or P1–P4)"


def parse_step_inputs(
    *,
    prospects_text: str | None,
    task_type_text: str | None,
    due_text: str | None,
    priority_text: str | None,
    note: str | None,
    today: datetime.date,
    day_first: bool = False,
    links: ProspectLinkPatterns = DEFAULT_LINK_PATTERNS,
) -> TaskDraft:
    """A draft from the step's inputs; each problem names the input (its `field`) it is about. An input
    left empty is the form's default: due today, no priority, no note."""
    problems: list[Problem] = []
    prospects, emails, unreadable_lines = _prospects(prospects_text or "", links)
    if unreadable_lines:
        problems.append(_unreadable_prospects(unreadable_lines))
    task_type = None
    if (type_words := " ".join((task_type_text or "").split())):
        task_type = parse_task_type(type_words)
        if task_type is None:
            problems.append(_unknown_task_type(type_words))
    due_date, due_problem = _due_date(due_text or "", today=today, day_first=day_first)
    problems += [due_problem] if due_problem else []
    priority: Priority | None = None
    if (priority_words := " ".join((priority_text or "").split())):
        priority = parse_priority(priority_words)
        if priority is None:
            problems.append(
                Problem(
                    ProblemKind.UNKNOWN_WORD,
                    DraftField.PRIORITY,
                    f"“{_shown(priority_words)}” is not a priority. Use {PRIORITY_EXAMPLES}, or leave it "
                    "empty.",
                    priority_words,
                )
            )
    plain_note = slack_to_plain_text(note or "").strip() or None
    if plain_note is not None and len(plain_note) > NOTE_MAX_CHARS:
        problems.append(
            Problem(
                ProblemKind.NOTE_TOO_LONG,
                DraftField.NOTE,
                f"The note is {len(plain_note)} characters long; keep it to {NOTE_MAX_CHARS}.",
            )
        )
    return TaskDraft(
        due_date=due_date or today,
        due_date_given=due_date is not None,
        task_type=task_type,
        prospects=prospects,
        emails=emails,
        priority=priority,
        note=plain_note,
        problems=tuple(problems),
    )


def _prospects(
    text: str, links: ProspectLinkPatterns
) -> tuple[tuple[ProspectRef, ...], tuple[str, ...], tuple[str, ...]]:
    """The prospects and emails `text` names, and (read as a list) its lines that name none, as typed."""
    lines = [words for line in text.splitlines() if (words := split_references(line))]
    if lines and all(len(words) == 1 and _tries_to_name_a_prospect(words[0], links) for words in lines):
        scan = parse_prospect_refs(text, links=links, lenient_ids=True)
        return scan.prospects, scan.emails, scan.unrecognised_as_typed
    found: list[ProspectRef] = []
    emails: list[str] = []
    for word in (word for words in lines for word in words):  # a message: only what plainly names one
        if (prospect := prospect_from_word(word, links)) is not None:
            found.append(prospect)
        elif (email := email_from_word(word)) is not None:
            emails.append(email)
    return dedupe_prospects(found), dedupe_emails(emails), ()


def _tries_to_name_a_prospect(word: str, links: ProspectLinkPatterns) -> bool:
    """A list's line: a prospect (an ID, a link, an email), or a try at one that should be said to be
    wrong (any link, a word with an @, letters and digits with a digit), not a word of a message
    (`Hi`, `Thanks!`, `Ann`, an emoji)."""
    if prospect_from_word(word, links, lenient_ids=True) or email_from_word(word):
        return True
    slack_link = SlackLink.parse(word)
    if slack_link is not None:
        return slack_link.is_url or slack_link.target.lower().startswith("mailto:")
    bare = word.strip(WORD_WRAPPING)
    return bare.lower().startswith(("http://", "https://")) or "@" in bare or (
        _ID_ATTEMPT.fullmatch(bare) is not None and any(ch.isdigit() for ch in bare)
    )


def _unreadable_prospects(lines: tuple[str, ...]) -> Problem:
    shown = ", ".join(f"“{_shown(line)}”" for line in lines[:3]) + (" …" if len(lines) > 3 else "")
    return Problem(
        ProblemKind.UNKNOWN_WORD,
        DraftField.PROSPECTS,
        f"Not a prospect ID, Saleshandy link or email: {shown}. Put one prospect per line.",
        " ".join(lines),
    )


def _unknown_task_type(words: str) -> Problem:
    hint = unsupported_type_hint(words)
    return Problem(
        ProblemKind.UNKNOWN_WORD,
        DraftField.TASK_TYPE,
        f"“{_shown(words)}” is not a task type I know. "
        + (hint or f"Use one like {TASK_TYPE_EXAMPLES}."),
        words,
    )


def _due_date(
    text: str, *, today: datetime.date, day_first: bool
) -> tuple[datetime.date | None, Problem | None]:
    words = " ".join(text.split())
    if not words:
        return None, None
    try:
        due = parse_due_date(words, today=today, day_first=day_first)
    except ParseError as error:
        return None, Problem(ProblemKind.INVALID_DATE, DraftField.DUE_DATE, str(error), words)
    if due < today:
        message = f"{describe_date(due)} is in the past; use today ({describe_date(today)}) or later."
        return None, Problem(ProblemKind.PAST_DATE, DraftField.DUE_DATE, message, words)
    return due, None


def _shown(text: str) -> str:
    visible = show_invisible(text)
    return visible if len(visible) <= SHOWN_CHARS else visible[: SHOWN_CHARS - 1] + "…"
