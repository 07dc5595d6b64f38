"""The whole text of a `/task` command, words in any order, into a `TaskDraft`."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from bot.domain import (
    DraftField,
    Priority,
    Problem,
    ProblemKind,
    ProspectRef,
    TaskDraft,
    TaskType,
    note_too_long,
)
from bot.parsing.clean_text import show_invisible
from bot.parsing.dates import match_due_date, match_vague_date, vague_date_message
from bot.parsing.dates_passed import just_passed
from bot.parsing.errors import ParseError
from bot.parsing.prospects import (
    DEFAULT_LINK_PATTERNS,
    ProspectLinkPatterns,
    SlackLink,
    dedupe_emails,
    dedupe_prospects,
    email_from_word,
    prospect_from_word,
    split_references,
    split_words_as_typed,
)
from bot.parsing.slack_text import slack_to_plain_text
from bot.parsing.vocabulary import (
    CHANNEL_WORDS,
    FILLER_WORDS,
    PRIORITY_MARKERS,
    match_priority,
    match_task_type,
    normalise_phrase,
    refine_task_type,
    unsupported_type_hint,
)

_NOTE_MARKER = re.compile(r"(?:^|\s)(?:note:|--(?=\s|$))", re.IGNORECASE)
_GUARDED = re.compile(
    r"<[^<>\s][^<>]*>"  # a Slack link or mention
    r"|\"[^\"]*\"|“[^”]*”|„[^“”]*[“”]|«[^»]*»|＂[^＂]*＂|```.*?```|`[^`]*`"
    r"|(?<!\w)'(?:[^']|'(?=\w))*'(?!\w)|(?<!\w)‘(?:[^’]|’(?=\w))*’(?!\w)",  # an apostrophe is no quote
    re.DOTALL,
)
_QUOTE_MARKS = "\"“”„«»＂`'‘’"
_PLACEHOLDER = re.compile(r"\x00(\d+)\x00")


def parse_command(
    text: str,
    *,
    today: datetime.date,
    day_first: bool = False,
    links: ProspectLinkPatterns = DEFAULT_LINK_PATTERNS,
) -> TaskDraft:
    """Everything a `/task` text says: type, prospects, due date, priority, note, and its problems.

    `today` is the rep's today in the rep's zone; with no date in the text the task is due then.
    """
    words_text, note = _split_off_note(text, links)
    words = split_words_as_typed(words_text)
    reader = _CommandReader(
        [word for word, _ in words], today=today, day_first=day_first, links=links,
        typed=[typed for _, typed in words],
    )
    reader.read()
    return reader.draft(note)


def _split_off_note(text: str, links: ProspectLinkPatterns) -> tuple[str, str | None]:
    """The command's words, and its note: quoted text, and all after `note:` or ` -- `.

    Slack's `<…>` spans and quoted text are set aside first, so a `--` or a quote inside a link's
    label, or a `note:` inside quotes, is not taken for a note marker. Quotes of any kind (straight,
    single, smart, backticks) around nothing but prospects (`"8PvBmrB7P7"`) leave them prospects.
    """
    guarded_pieces: list[str] = []

    def guard(found: re.Match[str]) -> str:
        guarded_pieces.append(found.group())
        return f"\x00{len(guarded_pieces) - 1}\x00"

    guarded = _GUARDED.sub(guard, text.replace("\x00", ""))
    marker = _NOTE_MARKER.search(guarded)
    head, tail = (guarded[: marker.start()], guarded[marker.end() :]) if marker else (guarded, "")
    notes: list[str] = []

    def words_keep_links(found: re.Match[str]) -> str:
        piece = guarded_pieces[int(found.group(1))]
        if piece.startswith("<"):
            return piece
        quoted = _unquoted(piece)
        if _names_only_prospects(quoted, links):
            return f" {quoted} "
        notes.append(quoted)
        return " "

    words = _PLACEHOLDER.sub(words_keep_links, head)
    notes.append(_PLACEHOLDER.sub(lambda found: guarded_pieces[int(found.group(1))], tail))
    note = " ".join(slack_to_plain_text(n).strip() for n in notes if n.strip())
    return words, note or None


def _unquoted(piece: str) -> str:
    marks = 3 if piece.startswith("```") and len(piece) >= 6 else 1
    return piece[marks:-marks]


def _names_only_prospects(text: str, links: ProspectLinkPatterns) -> bool:
    words = split_references(text)
    return bool(words) and all(
        prospect_from_word(word, links) is not None or email_from_word(word) is not None for word in words
    )


@dataclass
class _CommandReader:
    """Walks the words once; at each position the longest reading wins, in a fixed order of kinds."""

    words: list[str]
    today: datetime.date
    day_first: bool
    links: ProspectLinkPatterns
    typed: list[str] = field(default_factory=list)
    """The words as typed (invisible characters and all), for messages."""
    task_type: TaskType | None = None
    type_words: str = ""
    due_date: datetime.date | None = None
    priority: Priority | None = None
    prospects: list[ProspectRef] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    half_named_types: list[str] = field(default_factory=list)
    """Words like "linkedin" or "email": fine beside a type of that channel, a problem otherwise."""

    def read(self) -> None:
        position = 0
        while position < len(self.words):
            position = self._read_at(position)

    def _read_at(self, start: int) -> int:
        word = self.words[start]
        lowered = word.lower()
        if lowered in PRIORITY_MARKERS and start + 1 < len(self.words):
            found_priority = match_priority(self.words, start + 1, allow_digits=True)
            if found_priority is not None:
                self._take_priority(found_priority[0], start)
                return found_priority[1]
        vague_end = match_vague_date(self.words, start)
        if vague_end is not None:
            phrase = " ".join(self.words[start:vague_end])
            self._problem(ProblemKind.INVALID_DATE, DraftField.DUE_DATE, vague_date_message(phrase), phrase)
            return vague_end
        found_type = match_task_type(self.words, start)
        if found_type is not None:
            self._take_type(found_type[0], " ".join(self.words[start : found_type[1]]))
            return found_type[1]
        found_priority = match_priority(self.words, start)
        if found_priority is not None:
            self._take_priority(found_priority[0], start)
            return found_priority[1]
        date_end = self._read_date(start)
        if date_end is not None:
            return date_end
        prospect = prospect_from_word(word, self.links)
        email = None if prospect else email_from_word(word)
        if prospect is not None:
            self.prospects.append(prospect)
        elif email is not None:
            self.emails.append(email)
        elif unsupported_type_hint(word) is not None:
            self.half_named_types.append(word)
        elif lowered not in FILLER_WORDS and lowered not in PRIORITY_MARKERS:
            self.problems.append(_unrecognised(word, self.typed[start] if start < len(self.typed) else word))
        return start + 1

    def _read_date(self, start: int) -> int | None:
        try:
            found = match_due_date(self.words, start, today=self.today, day_first=self.day_first)
        except ParseError as error:
            self._problem(ProblemKind.INVALID_DATE, DraftField.DUE_DATE, str(error), self.words[start])
            return start + 1
        if found is None:
            return None
        due, end = found
        said = " ".join(self.words[start:end])
        if self.due_date is not None and due != self.due_date:
            self._problem(
                ProblemKind.CONFLICTING_DATE,
                DraftField.DUE_DATE,
                f"Two due dates given ({describe_date(self.due_date)} and {describe_date(due)}); "
                "keep one.",
                said,
            )
        elif (passed := just_passed(self.words[start:end], due, self.today)) is not None:
            self._problem(
                ProblemKind.DATE_TO_CONFIRM,
                DraftField.DUE_DATE,
                f"{passed:%b} {passed.day} has passed — did you mean {due.day} {due:%b %Y}?",
                said,
            )
        elif due < self.today:
            self._problem(
                ProblemKind.PAST_DATE,
                DraftField.DUE_DATE,
                f"“{said}” is {describe_date(due)}, which is in the past; pick today or a later day.",
                said,
            )
        self.due_date = self.due_date or due
        return end

    def _take_type(self, task_type: TaskType, said: str) -> None:
        if self.task_type is None:
            self.task_type, self.type_words = task_type, said
            return
        combined = refine_task_type(self.task_type, task_type)
        if combined is None:
            self._problem(
                ProblemKind.CONFLICTING_TYPE,
                DraftField.TASK_TYPE,
                f"Two task types given (“{self.type_words}” is {self.task_type.full_label}, "
                f"“{said}” is {task_type.full_label}); keep one.",
                said,
            )
        else:
            self.task_type, self.type_words = combined, f"{self.type_words} {said}"

    def _take_priority(self, priority: Priority, start: int) -> None:
        if self.priority is not None and priority is not self.priority:
            self._problem(
                ProblemKind.CONFLICTING_PRIORITY,
                DraftField.PRIORITY,
                f"Two priorities given ({self.priority.label} and {priority.label}); keep one.",
                self.words[start],
            )
        self.priority = self.priority or priority

    def _problem(self, kind: ProblemKind, where: DraftField, message: str, said: str) -> None:
        self.problems.append(Problem(kind, where, message, said))

    def draft(self, note: str | None) -> TaskDraft:
        for word in self.half_named_types:
            if not (self.task_type and normalise_phrase(word) in CHANNEL_WORDS.get(self.task_type.group, ())):
                hint = unsupported_type_hint(word) or ""
                self._problem(ProblemKind.UNKNOWN_WORD, DraftField.TASK_TYPE, hint, word)
        note_problem = note_too_long(note) if note is not None else None
        if note_problem is not None:
            self._problem(ProblemKind.NOTE_TOO_LONG, DraftField.NOTE, note_problem, "")
        return TaskDraft(
            due_date=self.due_date or self.today,
            due_date_given=self.due_date is not None,
            task_type=self.task_type,
            prospects=dedupe_prospects(self.prospects),
            emails=dedupe_emails(self.emails),
            priority=self.priority,
            note=note,
            problems=tuple(self.problems),
        )


def _unrecognised(word: str, typed: str) -> Problem:
    slack_link = SlackLink.parse(word)
    if slack_link is not None and slack_link.is_url:
        message = (
            f"The link {slack_link.target} does not point at a Saleshandy prospect. "
            "Paste the prospect's Saleshandy link or its ID."
        )
    elif slack_link is not None:
        message = (
            f"“{slack_link.label or slack_link.target}” is a Slack mention, not a prospect. "
            "Name prospects by their Saleshandy link or ID."
        )
    else:
        message = (
            f"Didn't understand “{show_invisible(typed)}”: it is not a task type, due date, priority or "
            "prospect ID/link. To add it as a note, write note: before it."
        )
    return Problem(ProblemKind.UNKNOWN_WORD, DraftField.PROSPECTS, message, word)


def describe_date(day: datetime.date) -> str:
    """A date as a rep reads it at a glance: "Fri 4 Dec 2026"."""
    return f"{day:%a} {day.day} {day:%b %Y}"
