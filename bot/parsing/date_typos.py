"""Date words as reps type them, slips and all: `normalise` gives each word its table form.

A word the date reader does not know is read as one of `TYPO_TARGETS` (weekday and month names,
today/tonight/tomorrow/yesterday and their texting forms, week/month/quarter/year and their plurals,
business/working, next/last/this, one-word holidays) by the rule in `bot.parsing.fuzzy_words`:
- an abbreviation: three letters or more that begin a name of `ABBREVIABLE` and no known word of
  another meaning (`thurs`, `sept`, `tomo`, `quar`; not `wee`: week, weekend or weekday);
- a typo: within 1 edit of a target of 4–5 letters, 2 edits of one of 6 or more (at most one of them
  a letter changed to a key far from the one meant), none of one of 3, and nearer than any known word
  of another meaning (`wendesday`, `tommorow`, `fridy`, `wensday`; not `tursday`, as near Tuesday as
  Thursday, nor `blursday`).
Known words are the date reader's (`date_words.all_date_words`) and the app's other vocabulary (task
types, priorities, fillers): those are only ever themselves, and a slip as near one of them as to a
date word is not read. Neither are the common English words the rule would otherwise reach
(`english_near_dates`: `match` is not March, `tom` not tomorrow), nor words typed in mixed case
(`tUesDay`), which is how prospect IDs look. bench/bench_date_typos.py measures the rule; the README
has its figures.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable
from functools import lru_cache

from bot.domain import TaskType
from bot.parsing.date_words import (
    ABBREVIATIONS,
    BUSINESS_WORDS,
    EDGE_PUNCTUATION,
    MONTH_NAMES,
    MONTHS,
    NUMBER_WORDS,
    ORDINAL_WORDS,
    PERIODS,
    RELATIVE_DAYS,
    UNITS,
    WEEKDAY_NAMES,
    WEEKDAYS,
    all_date_words,
)
from bot.parsing.dates_times import drop_iso_time
from bot.parsing.english_near_dates import COMMON_WORDS_NEAR_DATES
from bot.parsing.fuzzy_words import FuzzyWords
from bot.parsing.vocabulary import (
    FILLER_WORDS,
    PRIORITY_MARKERS,
    PRIORITY_SYNONYMS,
    TASK_TYPE_SYNONYMS,
    UNSUPPORTED_TYPE_WORDS,
)

_NAMES = tuple(name.lower() for name in (*WEEKDAY_NAMES, *MONTH_NAMES))
TYPO_TARGETS = frozenset(
    {*_NAMES, *(w for w in RELATIVE_DAYS if len(w) > 3 and w.isalpha()), "next", "last", "this",
     "beginning", *PERIODS, *BUSINESS_WORDS, *(w for w in UNITS if len(w) > 3 and w not in ABBREVIATIONS),
     "christmas", "halloween", "thanksgiving", "juneteenth"}
)  # fmt: skip
"""The date words a slip is read as: those that name a day or a stretch of days or place one, as
spelled in the date reader's tables. Its other words are read only as typed: spelled-out numbers,
times of day and little words sit among common words (`four`/`your`, `nine`/`nice`,
`morning`/`meaning`); as targets, `coming` (`coating`, `copying`…) and `labour` (`flavour`,
`valour`…) made a fifth of the mistakes on uncommon English words, and `this coming fri` is `fri`."""
ABBREVIABLE = frozenset(
    {*_NAMES, "today", "tonight", "tomorrow", "yesterday", "week", "weekend", "weekday", "workday",
     "month", "quarter", "year", "fortnight", "business", "working", "next", "last", "this", "beginning"}
)  # fmt: skip
"""Names whose first three letters or more are read as the name (`thurs`, `sept`, `tomo`, `quar`)."""
_NOT_A_DATE = "not a date"


def word_sense(word: str) -> Hashable:
    """What a date word means, for telling whether a slip near two of them is ambiguous: `tues` and
    `tuesday` mean one thing, `week`, `weeks` and `wk` too, `tonight` and `today` too."""
    word = word.replace("'", "")
    word = ABBREVIATIONS.get(word, word)
    for kind, table in (
        ("weekday", WEEKDAYS), ("month", MONTHS), ("relative day", RELATIVE_DAYS), ("unit", UNITS),
        ("number", NUMBER_WORDS), ("ordinal", ORDINAL_WORDS),
    ):  # fmt: skip
        if word in table:
            return kind, table[word]
    return "business" if word in BUSINESS_WORDS else word


def app_words() -> frozenset[str]:
    """The words of the /task reader's other vocabulary: task types, priorities, fillers."""
    phrases = [
        *(p for words in TASK_TYPE_SYNONYMS.values() for p in words), *(t.full_label for t in TaskType),
        *(p for words in PRIORITY_SYNONYMS.values() for p in words), *UNSUPPORTED_TYPE_WORDS,
        *FILLER_WORDS, *PRIORITY_MARKERS,
    ]  # fmt: skip
    return frozenset(w for p in phrases for w in re.findall("[a-z]+", p.lower()))


def build_typo_reader(common_words: Iterable[str] = COMMON_WORDS_NEAR_DATES) -> FuzzyWords:
    """The reader of slips in date words (see the module's docstring); `common_words` are never read."""
    senses: dict[str, Hashable] = dict.fromkeys(app_words(), _NOT_A_DATE)
    senses |= {word: word_sense(word) for word in all_date_words()}
    return FuzzyWords(senses, targets=TYPO_TARGETS, abbreviable=ABBREVIABLE, protected=common_words)


_READER = build_typo_reader()
_AS_TYPED = all_date_words() | app_words()


def normalise(word: str) -> str:
    """Lower case, edge punctuation dropped, a typo or abbreviation replaced: "Tmorow," → "tomorrow"."""
    typed = word.strip(EDGE_PUNCTUATION)
    bare = drop_iso_time(typed.lower())
    if bare[:1] == "@" and len(bare) > 1:  # "@3pm"
        bare = bare[1:]
    replaced = ABBREVIATIONS.get(bare)
    if replaced is not None:
        return replaced
    if bare in _AS_TYPED or not (bare.isascii() and bare.isalpha()) or not _typed_like_a_word(typed):
        return bare
    return _read_slip(bare)


def _typed_like_a_word(typed: str) -> bool:
    """Lower case, Capitalised or UPPER CASE, as people type words; mixed case (`tUesDay`) is how
    prospect IDs and code words look."""
    return typed.islower() or typed.isupper() or typed.istitle()


@lru_cache(maxsize=4096)
def _read_slip(bare: str) -> str:
    """The date word `bare` is a slip for, or `bare` (cached: the /task reader asks at every word)."""
    found = _READER.match(bare)
    return bare if found is None else ABBREVIATIONS.get(found, found)
