"""Task types and priorities from the words reps type ("li msg", "follow-up", "urgent", "p2")."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Generic, TypeVar

from bot.domain import ChannelGroup, Priority, TaskType

T = TaskType
V = TypeVar("V")

TASK_TYPE_SYNONYMS: dict[TaskType, tuple[str, ...]] = {
    T.LINKEDIN_CONNECTION_REQUEST: (
        "connect", "connection", "connection request", "connect request", "invite",
        "connection req", "linkedin connect", "linkedin connection", "linkedin connection request",
        "linkedin invite",
        "li connect", "li connection", "li invite", "li request", "connect on linkedin",
        "add on linkedin", "send connection request",
    ),
    T.LINKEDIN_MESSAGE: (
        "li msg", "li message", "li dm", "linkedin msg", "linkedin message", "linkedin dm",
        "dm on linkedin", "message on linkedin", "msg on linkedin", "linkedin text",
    ),
    T.LINKEDIN_INMAIL: ("inmail", "in mail", "linkedin inmail", "li inmail", "send inmail"),
    T.LINKEDIN_VIEW_PROFILE: (
        "view profile", "profile view", "visit profile", "check profile", "view linkedin profile",
        "linkedin view profile", "linkedin profile", "li profile", "li view", "profile visit",
    ),
    T.LINKEDIN_POST_INTERACTION: (
        "post interaction", "like post", "like a post", "like their post", "engage post",
        "engage with post", "comment on post", "interact with post", "react to post",
        "linkedin post", "li post", "linkedin like", "li like", "like", "engage",
    ),
    T.CUSTOM: ("custom", "custom task", "general", "general task", "todo", "to do", "other task"),
    T.CALL_INTRODUCTION: (
        "intro", "intro call", "introduction", "introduction call", "introductory call",
        "call intro", "call introduction", "cold call", "discovery call",
    ),
    T.CALL_DEMO: ("demo", "demo call", "call demo", "product demo"),
    T.CALL_FOLLOW_UP: (
        "follow up", "followup", "fu", "f/u", "fup", "fu call", "follow up call", "followup call",
        "call follow up", "call followup", "call back", "callback",
    ),
    T.CALL_REMINDER: ("reminder", "remind", "call reminder", "reminder call"),
    T.CALL_OTHER: ("call", "phone", "phone call", "ring", "other call", "call other"),
    T.WHATSAPP_MESSAGE: (
        "whatsapp", "whats app", "wa", "whatsapp message", "whatsapp msg", "whatsapp text", "wa msg",
        "wa message", "wa text", "message on whatsapp", "text on whatsapp",
    ),
    T.WHATSAPP_VOICE_MESSAGE: (
        "voice note", "voice message", "voice msg", "wa voice note", "wa voice", "wa voice message",
        "wa vn", "whatsapp voice note", "whatsapp voice message", "whatsapp voice",
    ),
    T.WHATSAPP_VOICE_CALL: (
        "wa call", "whatsapp call", "whats app call", "wa voice call", "whatsapp voice call",
        "call on whatsapp",
        "call via whatsapp",
    ),
}

GENERIC_TYPES: frozenset[TaskType] = frozenset({T.CALL_OTHER, T.WHATSAPP_MESSAGE})
"""Types a bare channel word ("call", "whatsapp") stands for until a more specific word of the same
channel refines it: "call 8PvBmrB7P7 follow-up" is one follow-up call, not two conflicting types."""

PRIORITY_SYNONYMS: dict[Priority, tuple[str, ...]] = {
    Priority.URGENT: (
        "urgent", "asap", "critical", "crit", "p1", "p0", "!!!", "!!!!", "1", "top priority",
        "top prio", "highest", "highest priority", "urgent priority", "very urgent", "emergency",
    ),
    Priority.HIGH: (
        "high", "p2", "!!", "2", "important", "high priority", "high prio", "high pri", "hi pri",
    ),
    Priority.MEDIUM: ("medium", "med", "normal", "p3", "!", "3", "medium priority", "normal priority"),
    Priority.LOW: ("low", "p4", "4", "low priority", "low prio", "lowest"),
}

UNSUPPORTED_TYPE_WORDS: dict[str, str] = {
    "email": "Saleshandy's API creates no email tasks; for an email, use custom (or a sequence).",
    "e mail": "Saleshandy's API creates no email tasks; for an email, use custom (or a sequence).",
    "mail": "Saleshandy's API creates no email tasks; for an email, use custom (or a sequence).",
    "linkedin": "LinkedIn what? Say connect, li msg, inmail, view profile or like post.",
    "li": "LinkedIn what? Say connect, li msg, inmail, view profile or like post.",
    "sms": "Saleshandy's API has no SMS tasks; for a text, use wa (WhatsApp) or custom.",
}
"""Words that name a kind of task the API cannot create (or only half name one), and what to say."""

CHANNEL_WORDS: dict[ChannelGroup, frozenset[str]] = {ChannelGroup.LINKEDIN: frozenset({"linkedin", "li"})}
"""Half-named types that are no problem beside a type of their channel ("connect … on LinkedIn")."""

FILLER_WORDS = frozenset(
    {
        "for", "with", "on", "by", "due", "to", "at", "and", "&", "&amp;", "-", "—", "the", "a", "an",
        "please", "pls", "plz", "thx", "thanks", "ty", "tia", "create", "add", "new", "task", "tasks",
        "prospect", "prospects",
    }
)
"""Words a /task text may hold around its parts that mean nothing by themselves."""
PRIORITY_MARKERS = frozenset({"priority", "priority:", "prio", "prio:"})
"""Words that say the next words are a priority: "priority high", "prio: p2"."""

BARE_PRIORITY_DIGITS = frozenset({"1", "2", "3", "4"})
"""Digits mean a priority only when said to be one ("priority 2"); on their own they are too vague."""

_EDGE_PUNCTUATION = "\"'“”‘’.,;:?()[]{}"
_SEPARATORS = re.compile(r"[\s\-_/:]+")


def normalise_phrase(text: str) -> str:
    """Lower case, hyphens and underscores as spaces, one space between words, edge punctuation off.

    Bangs stay when they are all there is: "!!" is a priority, "urgent!" is "urgent".
    """
    lowered = text.lower().strip()
    trimmed = lowered.strip(_EDGE_PUNCTUATION + "!") or lowered.strip(_EDGE_PUNCTUATION)
    return " ".join(_SEPARATORS.split(trimmed)).strip()


class _PhraseTable(Generic[V]):
    """Phrases of up to four words to values, matched longest first in a stream of words."""

    def __init__(self, values_by_phrase: dict[str, V]) -> None:
        self._values = values_by_phrase
        self._first_words = {phrase.split(" ", 1)[0] for phrase in values_by_phrase}

    def get(self, text: str) -> V | None:
        return self._values.get(normalise_phrase(text))

    def longest_match(self, words: Sequence[str], start: int) -> tuple[V, int] | None:
        # Most words start no phrase: one normalisation and a set lookup settle them.
        if normalise_phrase(words[start]).split(" ", 1)[0] not in self._first_words:
            return None
        for end in range(min(len(words), start + _LONGEST_PHRASE_WORDS), start, -1):
            value = self.get(" ".join(words[start:end]))
            if value is not None:
                return value, end
        return None


def _by_phrase(synonyms: dict[V, tuple[str, ...]]) -> dict[str, V]:
    return {normalise_phrase(word): value for value, words in synonyms.items() for word in words}


_LONGEST_PHRASE_WORDS = 4
_TYPES = _PhraseTable(
    _by_phrase(TASK_TYPE_SYNONYMS) | {normalise_phrase(t.full_label): t for t in TaskType}
)
_PRIORITIES = _PhraseTable(_by_phrase(PRIORITY_SYNONYMS))


def parse_task_type(text: str) -> TaskType | None:
    """The task type `text` names as a whole ("li msg", "Follow-up", "wa call"), or None."""
    return _TYPES.get(text)


def parse_priority(text: str) -> Priority | None:
    """The priority `text` names as a whole ("urgent", "P2", "!!", "low priority"), or None."""
    phrase = normalise_phrase(text)
    if phrase.startswith(("priority ", "prio ")):
        phrase = phrase.split(" ", 1)[1]
    return _PRIORITIES.get(phrase)


def match_task_type(words: Sequence[str], start: int) -> tuple[TaskType, int] | None:
    """The task type named by the longest run of words from `start`, with the run's end."""
    return _TYPES.longest_match(words, start)


def match_priority(
    words: Sequence[str], start: int, *, allow_digits: bool = False
) -> tuple[Priority, int] | None:
    """The priority named by the longest run of words from `start`, with the run's end."""
    found = _PRIORITIES.longest_match(words, start)
    if found and not allow_digits and found[1] == start + 1 and words[start] in BARE_PRIORITY_DIGITS:
        return None
    return found


def unsupported_type_hint(word: str) -> str | None:
    """What to tell a rep who asked for a task type by a word the API has no type for."""
    return UNSUPPORTED_TYPE_WORDS.get(normalise_phrase(word))


def refine_task_type(current: TaskType, new: TaskType) -> TaskType | None:
    """The type two type words name together, or None when they conflict.

    A generic channel word yields to a specific type of the same channel ("call" + "demo" = demo call).
    """
    if current is new:
        return current
    if current in GENERIC_TYPES and new.group is current.group:
        return new
    if new in GENERIC_TYPES and new.group is current.group:
        return current
    return None
