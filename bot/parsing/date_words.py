"""The words and shapes `bot.parsing.dates` reads due dates from: pure data and tiny helpers.

Every table is keyed by a normalised word (`bot.parsing.date_typos.normalise`: lower case,
punctuation at the edges dropped, typos and abbreviations replaced), so a lookup is one dict or set
access. Abbreviations (`wk`, `qtr`, `yr`) are replaced by the full word, so every rule that reads
"week" reads "wk" too; `date_typos` says which typos are read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.parsing.dates_named import HOLIDAY_STARTERS, HOLIDAYS, NAMED_PERIOD_ENDS, NAMED_PERIODS
from bot.parsing.dates_times import POLITENESS, ZONE_ABBREVIATIONS

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
MONTH_LENGTHS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _table(groups: Iterable[tuple[str, ...]], first: int) -> dict[str, int]:
    return {word: number for number, words in enumerate(groups, first) for word in words}


# --- Days, months, numbers, units ----------------------------------------------------------------

WEEKDAYS = _table(
    [
        ("mon", "monday"), ("tue", "tues", "tuesday"), ("wed", "weds", "wednesday"),
        ("thu", "thur", "thurs", "thursday"), ("fri", "friday"), ("sat", "saturday"),
        ("sun", "sunday"),
    ],
    0,
)  # fmt: skip
MONTHS = _table(
    [
        ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
        ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
        ("oct", "october"), ("nov", "november"), ("dec", "december"),
    ],
    1,
)  # fmt: skip
_TENS = ("twenty", "thirty")
_UNITS_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
NUMBER_WORDS = _table(
    [
        ("a", "an", "one"), ("two",), ("three",), ("four",), ("five",), ("six",), ("seven",),
        ("eight",), ("nine",), ("ten",), ("eleven",), ("twelve",), ("thirteen",), ("fourteen",),
        ("fifteen",), ("sixteen",), ("seventeen",), ("eighteen",), ("nineteen",), ("twenty",),
        *((f"twenty-{u}", f"twenty{u}") for u in _UNITS_WORDS), ("thirty",), ("thirty-one", "thirtyone"),
    ],
    1,
) | {"forty": 40, "fifty": 50, "sixty": 60, "ninety": 90}  # fmt: skip
_ORDINAL_UNITS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth")
ORDINAL_WORDS = _table(
    [
        *((u,) for u in _ORDINAL_UNITS), ("tenth",), ("eleventh",), ("twelfth",), ("thirteenth",),
        ("fourteenth",), ("fifteenth",), ("sixteenth",), ("seventeenth",), ("eighteenth",),
        ("nineteenth",), ("twentieth",), *((f"twenty-{u}", f"twenty{u}") for u in _ORDINAL_UNITS),
        ("thirtieth",), ("thirty-first", "thirtyfirst"),
    ],
    1,
)  # fmt: skip
"""Days of the month spelled out: `the twenty-second`, `December first`."""
RELATIVE_DAYS = {
    "today": 0, "2day": 0, "tdy": 0, "tonight": 0, "tonite": 0, "2nite": 0, "eod": 0, "cob": 0,
    "tomorrow": 1, "tmrw": 1, "tmr": 1, "tmw": 1, "tmrow": 1, "2morrow": 1, "2moro": 1, "2mrw": 1,
    "yesterday": -1, "yday": -1,
}  # fmt: skip
"""Texting forms included: `2day` is today, not two days (`2days` and `2d` are two days)."""

UNITS: dict[str, tuple[str, int]] = {
    **dict.fromkeys(("day", "days"), ("days", 1)),
    **dict.fromkeys(("week", "weeks", "wk", "wks"), ("days", 7)),
    **dict.fromkeys(("fortnight", "fortnights"), ("days", 14)),
    **dict.fromkeys(("month", "months", "mo", "mos", "mth", "mths"), ("months", 1)),
    **dict.fromkeys(("year", "years", "yr", "yrs"), ("months", 12)),
    **dict.fromkeys(("workday", "workdays", "weekday", "weekdays"), ("business days", 1)),
}
COMPACT_UNITS = {**UNITS, "d": ("days", 1), "w": ("days", 7), "y": ("months", 12)}
"""Units written straight after a number: `3d`, `+2w`, `2days`."""
BUSINESS_WORDS = frozenset({"business", "working", "work", "biz"})
DAY_WORDS = frozenset({"day", "days"})
PERIODS = frozenset({"week", "weekend", "month", "quarter", "year", "fortnight"})
"""Stretches longer than a day, singular; `next week` names its Monday but `sometime next week` is vague."""

# --- Keywords that begin a phrase --------------------------------------------------------------

ABBREVIATED_ENDS = {"eow": "week", "eom": "month", "eoq": "quarter", "eoy": "year"}
KEYWORDS = frozenset(
    {"the", "day", "this", "next", "coming", "last", "end", "beginning", "start", "in", "weekend",
     *ABBREVIATED_ENDS, *NAMED_PERIODS, *NAMED_PERIOD_ENDS, *HOLIDAY_STARTERS}
)  # fmt: skip
"""The words `bot.parsing.dates` has a rule for (its `_KEYWORD_RULES` has exactly these keys)."""
FILLERS = frozenset({"by", "on", "due"})
"""Words before a date that belong to its phrase."""

# --- Times of day: read next to a date and ignored ---------------------------------------------

VAGUE_TIME_WORDS = frozenset({"early", "late", "later", "sometime", "anytime"})
"""Times of day only next to one day (`later today`, `early fri`); see `VAGUE_HEADS`."""
TIME_WORDS = frozenset(
    {"noon", "midday", "midnight", "morning", "morn", "afternoon", "evening", "eve", "night",
     "tonight", "lunch", "lunchtime", "eod", "cob", "am", "pm", "a.m", "p.m", *VAGUE_TIME_WORDS,
     *POLITENESS}
)  # fmt: skip
TIME_PHRASES: dict[str, tuple[tuple[str, ...], ...]] = {
    "end": (("end", "of", "the", "day"), ("end", "of", "day"), ("end", "of", "business")),
    "close": (("close", "of", "business"),),
    "in": (("in", "the", "morning"), ("in", "the", "afternoon"), ("in", "the", "evening")),
    "first": (("first", "thing"),),
    "some": (("some", "time"),),
}
TIME_PREPOSITIONS = frozenset({"at", "by", "around", "@"})
AM_PM = frozenset({"am", "pm", "a.m", "p.m"})

# --- Vague phrases: "sometime next week", "in a few days", "within a week" ----------------------

ALONE, TIME_OF_DAY, BEFORE_A_PERIOD, BEFORE_A_DATE = "alone", "time of day", "period", "date"
VAGUE_HEADS = {
    **dict.fromkeys(("soon", "soonish", "eventually", "some day", "some point"), ALONE),
    **dict.fromkeys(("sometime", "anytime", "later", "some time"), TIME_OF_DAY),
    **dict.fromkeys(("early", "late", "mid"), BEFORE_A_PERIOD),
    **dict.fromkeys(("whenever", "someday", "within"), BEFORE_A_DATE),
    **dict.fromkeys(("midweek", "midmonth"), ALONE),
    **dict.fromkeys(
        (f"{head}-{part}" for head in ("early", "mid", "late") for part in (*PERIODS, *MONTHS)), ALONE
    ),
}
"""When each word makes a phrase vague: ALONE always; TIME_OF_DAY alone or before a period but not
before one day (`sometime tomorrow` is tomorrow); BEFORE_A_PERIOD only before a period (`early next
week`, `mid april`); BEFORE_A_DATE only before some date word (`whenever next week`, `within a week`;
`whenever` and `someday` alone are priorities)."""
SOME_NOUNS = frozenset({"day", "time", "point"})
VAGUE_LEAD_INS = frozenset(
    {"in", "a", "an", "the", "next", "coming", "over", "after", "little", "near"}
)  # fmt: skip
"""Words before a vague amount: `in a few days`, `over the next few weeks`, `in a little while`."""
VAGUE_AMOUNTS = frozenset({"few", "several"})
VAGUE_WAITS = frozenset({"while", "bit"})
RANGE_WORDS = frozenset({"before", "after", "between", "until", "till", "til"})
"""`sometime before friday` is any day up to Friday: vague."""
VAGUE_CONNECTORS = frozenset(
    {"next", "this", "coming", "the", "of", "in", "on", "during", "a", "an", "from", "by", "around",
     "near", "few", "several", "couple", "business", "working", *RANGE_WORDS, *NUMBER_WORDS}
)  # fmt: skip
"""Words inside the date words after a vague head; they never end the vague phrase."""
VAGUE_STARTERS = frozenset({*(head.split()[0] for head in VAGUE_HEADS), *VAGUE_LEAD_INS, *VAGUE_AMOUNTS})
VAGUE_WORDS = frozenset(
    {"asap", "soon", "sometime", "someday", "early", "mid", "late", "later", "whenever", "few",
     "several", "some", "eventually", "within", "while", "anytime"}
)  # fmt: skip
"""Any of these in text that is not a date makes the failure message say "too vague"."""

# --- Numeric shapes ------------------------------------------------------------------------------

CLOCK = re.compile(
    r"(?:1[0-2]|0?[1-9])(?:[:.][0-5][0-9])?(?:am|pm|a\.m|p\.m)|(?:[01]?[0-9]|2[0-3])(?::[0-5][0-9]|h(?:[0-5][0-9])?)"
)
HOUR = re.compile(r"[01]?[0-9]|2[0-3]")
ORDINAL = re.compile(r"([0-9]{1,2})(?:st|nd|rd|th)")
DAY_NUMBER = re.compile(r"[0-9]{1,2}")
YEAR = re.compile(r"[12][0-9]{3}")
ISO_DATE = re.compile(r"([0-9]{4})([-/.])([0-9]{1,2})\2([0-9]{1,2})")
NUMERIC_DATE = re.compile(r"([0-9]{1,2})([-/.])([0-9]{1,2})(?:\2([0-9]{4}|[0-9]{2}))?")
COMPACT_SPAN = re.compile(r"\+?([0-9]{1,4})([a-z]+)")
LONE_ORDINAL_FROM = 10
"""A bare ordinal (`22nd`) is a day of the month from the 10th on, or after by/on/due (`by 2nd`);
`2nd` alone stays a word, as in "2nd follow-up"."""

# --- Abbreviations -------------------------------------------------------------------------------

ABBREVIATIONS = {
    "wk": "week", "wks": "weeks", "wknd": "weekend", "wkend": "weekend", "mth": "month",
    "mnth": "month", "mo": "month", "mos": "months", "mths": "months", "qtr": "quarter",
    "yr": "year", "yrs": "years",
}  # fmt: skip
PHRASE_WORDS = frozenset({"of", "ago", "out", "from", "now", "after", "before", "time", "couple", "future"})
"""Words read inside date phrases (`2 days ago`, `3 weeks out`, `in a week's time`) that no table above
holds."""
EDGE_PUNCTUATION = ".,;:!?()[]{}\"'…"
DIGITS_AND_PLUS = frozenset("0123456789+")


STARTERS = frozenset(
    {*KEYWORDS, *WEEKDAYS, *MONTHS, *RELATIVE_DAYS, *NUMBER_WORDS, *FILLERS, *TIME_WORDS,
     *TIME_PREPOSITIONS, *TIME_PHRASES, *ORDINAL_WORDS, "couple"}
)  # fmt: skip
"""Normalised words that can begin a date phrase, besides those beginning with a digit or "+"."""
VAGUE_HEADS_IN_STARTERS = STARTERS & {head.split()[0] for head in VAGUE_HEADS}
"""Vague words a date could otherwise be read from (`sometime`, `early`…: times next to a date).
The vague ranges (`in a few days`, `the next 3 days`) are never dates, so need no check."""


def all_date_words() -> frozenset[str]:
    """Every word the date reader knows: `date_typos` reads none of them as another, and the rules
    for typos and prospect IDs are measured against them."""
    return frozenset(
        {*WEEKDAYS, *MONTHS, *NUMBER_WORDS, *RELATIVE_DAYS, *UNITS, *BUSINESS_WORDS, *PERIODS, *KEYWORDS,
         *FILLERS, *TIME_WORDS, *TIME_PREPOSITIONS, *VAGUE_HEADS, *VAGUE_LEAD_INS, *VAGUE_WORDS,
         *VAGUE_CONNECTORS, *VAGUE_AMOUNTS, *VAGUE_WAITS, *SOME_NOUNS, *DAY_WORDS, *AM_PM, *PHRASE_WORDS,
         *ABBREVIATIONS, *(w for p in TIME_PHRASES.values() for ph in p for w in ph),
         *ORDINAL_WORDS, *POLITENESS, *ZONE_ABBREVIATIONS, *(w for name in HOLIDAYS for w in name)}
    )
