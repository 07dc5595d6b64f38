"""Due dates from the words reps type: "tomorrow 3pm", "next fri", "in 2 weeks", "eom", "4/22".

Pure: `today` is always passed in and the clock is never read. Weeks run Monday to Sunday.

Each word is normalised (lower case, punctuation at its edges dropped, typos corrected) and read
through small tables (weekdays, months, numbers, units, keywords); a few regexes read the numeric
shapes (`2026-04-22`, `4/22`, `3pm`, `+3d`). A word that cannot begin a date costs one set lookup,
because the /task parser asks at every word. Of the ways a phrase can be read, the longest wins.

Conventions the spec left open, decided here:
- `this weekend` is the coming Saturday, or today on a Saturday or a Sunday (Sunday is still the
  weekend, and the Saturday of this week has passed).
- `last <weekday>` is the nearest one strictly before today; `<weekday> this week` is that day of
  the current Monday–Sunday week, even if it has passed.
- A weekday next to a date (`Friday, April 24`) must agree with it, or it is a ParseError.
- A month-day without a year is its next occurrence, today included; if that year lacks the day
  (`feb 29` when the next February has 28 days) it is a ParseError, not a jump to a later leap year.
- Day numbers that cannot be in any month are a ParseError when written as ordinals or in a date
  shape (`the 32nd`, `31/02`, `2026-13-01`, `apr 31`), but plain numbers next to a month (`apr 45`)
  and out-of-range pairs (`50/50`) are simply not dates.
- A time of day (`3pm`, `at 10:30`, `noon`, `eod`, `end of day`) next to a date is read and ignored;
  alone it is not a date. `by`, `on` and `due` before a date belong to the phrase.

Typos: a word is read as a weekday, a month or "tomorrow" when it is in `_MISSPELLINGS`, or when it
is one edit (a letter dropped, added or changed, or two neighbours swapped) away from exactly one of
the full names at least six letters long (Monday…Sunday, tomorrow, January, February, August,
September…December), is itself at least five letters long and starts with the same letter. March,
April, June and July are left out because one edit makes them out of ordinary words ("match",
"marsh"); anything two edits away ("blursday") stays junk.
"""

from __future__ import annotations

import calendar
import datetime
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from bot.parsing.errors import ParseError

EXAMPLES = "Try: tomorrow, fri, next tue, in 3 days, Apr 22, 2026-04-22."

_Found = tuple[datetime.date, int] | None
_DAY = datetime.timedelta(days=1)
_WEEK = datetime.timedelta(days=7)
_MOST_WORDS = 24
"""No date phrase is longer; the cap also bounds recursion in junk like "day after day after…"."""

_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_MONTH_LENGTHS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _table(groups: Iterable[tuple[str, ...]], first: int) -> dict[str, int]:
    return {word: number for number, words in enumerate(groups, first) for word in words}


_WEEKDAYS = _table(
    [
        ("mon", "monday"), ("tue", "tues", "tuesday"), ("wed", "weds", "wednesday"),
        ("thu", "thur", "thurs", "thursday"), ("fri", "friday"), ("sat", "saturday"),
        ("sun", "sunday"),
    ],
    0,
)  # fmt: skip
_MONTHS = _table(
    [
        ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
        ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
        ("oct", "october"), ("nov", "november"), ("dec", "december"),
    ],
    1,
)  # fmt: skip
_NUMBER_WORDS = _table(
    [
        ("a", "an", "one"), ("two",), ("three",), ("four",), ("five",), ("six",), ("seven",),
        ("eight",), ("nine",), ("ten",), ("eleven",), ("twelve",), ("thirteen",), ("fourteen",),
        ("fifteen",), ("sixteen",), ("seventeen",), ("eighteen",), ("nineteen",), ("twenty",),
    ],
    1,
)  # fmt: skip
_RELATIVE_DAYS = {
    "today": 0, "tonight": 0, "eod": 0, "cob": 0,
    "tomorrow": 1, "tmrw": 1, "tmr": 1, "tmw": 1, "tmrow": 1, "2morrow": 1, "2moro": 1,
    "yesterday": -1, "yday": -1,
}  # fmt: skip
_UNITS: dict[str, tuple[str, int]] = {
    **dict.fromkeys(("day", "days"), ("days", 1)),
    **dict.fromkeys(("week", "weeks", "wk", "wks"), ("days", 7)),
    **dict.fromkeys(("fortnight", "fortnights"), ("days", 14)),
    **dict.fromkeys(("month", "months", "mo", "mos", "mth", "mths"), ("months", 1)),
    **dict.fromkeys(("year", "years", "yr", "yrs"), ("months", 12)),
    **dict.fromkeys(("workday", "workdays", "weekday", "weekdays"), ("business days", 1)),
}
_COMPACT_UNITS = {**_UNITS, "d": ("days", 1), "w": ("days", 7), "y": ("months", 12)}
_BUSINESS_WORDS = frozenset({"business", "working", "work", "biz"})
_DAY_WORDS = frozenset({"day", "days"})

_MISSPELLINGS = {
    "tommorow": "tomorrow", "tommorw": "tomorrow", "tommorrw": "tomorrow", "tmorow": "tomorrow",
    "tomoro": "tomorrow", "tmrrw": "tomorrow",
    "wensday": "wednesday", "wendsday": "wednesday", "wedsday": "wednesday",
    "thurday": "thursday", "thrusdy": "thursday", "tuseday": "tuesday", "tusday": "tuesday",
    "febuary": "february", "feburary": "february", "aprl": "april", "arpil": "april",
}  # fmt: skip
_FUZZY_TARGETS = (
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "tomorrow",
    "january", "february", "august", "september", "october", "november", "december",
)  # fmt: skip

_TIME_WORDS = frozenset(
    {"noon", "midday", "midnight", "morning", "afternoon", "evening", "night", "tonight",
     "lunch", "lunchtime", "eod", "cob"}
)  # fmt: skip
_TIME_PHRASES: dict[str, tuple[tuple[str, ...], ...]] = {
    "end": (("end", "of", "the", "day"), ("end", "of", "day"), ("end", "of", "business")),
    "close": (("close", "of", "business"),),
    "in": (("in", "the", "morning"), ("in", "the", "afternoon"), ("in", "the", "evening")),
    "first": (("first", "thing"),),
}
_TIME_PREPOSITIONS = frozenset({"at", "by", "around"})
_AM_PM = frozenset({"am", "pm", "a.m", "p.m"})
_CLOCK = re.compile(
    r"(?:1[0-2]|0?[1-9])(?:[:.][0-5][0-9])?(?:am|pm|a\.m|p\.m)|(?:[01]?[0-9]|2[0-3])[:h][0-5][0-9]"
)
_HOUR = re.compile(r"[01]?[0-9]|2[0-3]")

_FILLERS = frozenset({"by", "on", "due"})
_VAGUE = frozenset(
    {"asap", "soon", "sometime", "someday", "early", "mid", "late", "later", "whenever", "few",
     "several", "some", "eventually"}
)  # fmt: skip
_EDGE_PUNCTUATION = ".,;:!?()[]{}\"'…"
_DIGITS_AND_PLUS = frozenset("0123456789+")

_ORDINAL = re.compile(r"([0-9]{1,2})(?:st|nd|rd|th)")
_DAY_NUMBER = re.compile(r"[0-9]{1,2}")
_YEAR = re.compile(r"[12][0-9]{3}")
_ISO_DATE = re.compile(r"([0-9]{4})([-/.])([0-9]{1,2})\2([0-9]{1,2})")
_NUMERIC_DATE = re.compile(r"([0-9]{1,2})([-/.])([0-9]{1,2})(?:\2([0-9]{4}|[0-9]{2}))?")
_COMPACT_SPAN = re.compile(r"\+?([0-9]{1,4})([a-z]+)")


def parse_due_date(text: str, *, today: datetime.date, day_first: bool = False) -> datetime.date:
    """The one date `text` names ("next fri 3pm", "eom"); else a ParseError saying what works."""
    words = text.split()
    found = match_due_date(words, 0, today=today, day_first=day_first)
    if found is not None and found[1] == len(words):
        return found[0]
    raise ParseError(_explain_failure(words, found, today))


def match_due_date(
    words: Sequence[str], start: int, *, today: datetime.date, day_first: bool = False
) -> tuple[datetime.date, int] | None:
    """The date phrase that begins at `words[start]`: its date and the index just past its end.

    The longest phrase wins, taking along a time of day on either side. Punctuation attached to a
    word (`fri,` `eom!`) is part of it; a word that is only punctuation (`!!`) is left to the caller.
    None when `words[start]` cannot begin a date; ParseError when the words are plainly a date that
    does not exist (`31/02`, `feb 30`, `2026-13-01`) or falls outside the calendar.
    """
    if not 0 <= start < len(words):
        return None
    first = _normalise(words[start])
    if first not in _STARTERS and first[:1] not in _DIGITS_AND_PLUS:
        return None
    phrase = _Words(words, start, first, today=today, day_first=day_first)
    try:
        found = _phrase(phrase, 0)
    except ParseError:
        raise
    except (OverflowError, ValueError) as error:
        # Date arithmetic only fails this way beyond year 1 or 9999.
        shown = _shorten(" ".join(words[start : start + 6]))
        raise ParseError(f'"{shown}" falls outside the calendar. {EXAMPLES}') from error
    if found is None:
        return None
    return found[0], start + found[1]


class _Words:
    """The words from `start` on, normalised when first looked at; indexes count from `start`."""

    __slots__ = ("_normalised", "_raw", "_start", "day_first", "today")

    def __init__(
        self,
        raw: Sequence[str],
        start: int,
        first: str,
        *,
        today: datetime.date,
        day_first: bool,
    ) -> None:
        self._raw = raw
        self._start = start
        self._normalised = [first]
        self.today = today
        self.day_first = day_first

    def at(self, index: int) -> str:
        """The normalised word, or "" past the end."""
        normalised = self._normalised
        while len(normalised) <= index:
            position = self._start + len(normalised)
            if len(normalised) >= _MOST_WORDS or position >= len(self._raw):
                return ""
            normalised.append(_normalise(self._raw[position]))
        return normalised[index]

    def text(self, begin: int, end: int) -> str:
        """The rep's own words, for messages."""
        return _shorten(" ".join(self._raw[self._start + begin : self._start + end]))


def _normalise(word: str) -> str:
    bare = word.strip(_EDGE_PUNCTUATION).lower()
    return _TYPOS.get(bare, bare)


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _longer(found: _Found, other: _Found) -> _Found:
    if other is not None and (found is None or other[1] > found[1]):
        return other
    return found


# --- Phrases -------------------------------------------------------------------------------------


def _phrase(w: _Words, i: int) -> _Found:
    while w.at(i) in _FILLERS and i < 2:
        i += 1
    best = _date_then_time(w, i)
    time_end = _time_of_day(w, i)
    if time_end is not None:
        if w.at(time_end) == "on":
            time_end += 1
        best = _longer(best, _date_then_time(w, time_end))
    return best


def _date_then_time(w: _Words, i: int) -> _Found:
    found = _date(w, i)
    if found is None:
        return None
    when, end = found
    for _ in range(2):  # "tomorrow morning at 9"
        after = _time_of_day(w, end)
        if after is None:
            break
        end = after
    return when, end


def _time_of_day(w: _Words, i: int) -> int | None:
    """The index past a time of day at `i` ("3pm", "at 10:30", "noon", "end of day"), or None."""
    if w.at(i) in _TIME_PREPOSITIONS:
        return _clock(w, i + 1, bare_hour=True)
    return _clock(w, i, bare_hour=False)


def _clock(w: _Words, i: int, *, bare_hour: bool) -> int | None:
    word = w.at(i)
    if word in _TIME_WORDS:
        return i + 1
    if word[:1].isdigit():
        if not _CLOCK.fullmatch(word) and not (
            _HOUR.fullmatch(word) and (bare_hour or w.at(i + 1) in _AM_PM)
        ):
            return None
        return i + 2 if w.at(i + 1) in _AM_PM else i + 1
    for phrase in _TIME_PHRASES.get(word, ()):
        if all(w.at(i + k) == part for k, part in enumerate(phrase)):
            return i + len(phrase)
    return None


def _date(w: _Words, i: int) -> _Found:
    word = w.at(i)
    rule = _KEYWORD_RULES.get(word)
    if rule is not None:
        return rule(w, i)
    weekday = _WEEKDAYS.get(word)
    if weekday is not None:
        return _weekday_phrase(w, i, weekday)
    offset = _RELATIVE_DAYS.get(word)
    if offset is not None:
        return w.today + offset * _DAY, i + 1
    return _longer(_calendar_date(w, i, bare_ordinal=False), _from_span(w, i))


# --- Weekdays and weeks --------------------------------------------------------------------------


def _monday_of(day: datetime.date) -> datetime.date:
    return day - day.weekday() * _DAY


def _coming(today: datetime.date, weekday: int) -> datetime.date:
    """The next `weekday` strictly after today."""
    return today + ((weekday - today.weekday() - 1) % 7 + 1) * _DAY


def _this_weekend(today: datetime.date) -> datetime.date:
    return today if today.weekday() == 6 else _monday_of(today) + 5 * _DAY


def _weekday_phrase(w: _Words, i: int, weekday: int) -> _Found:
    today = w.today
    following = (w.at(i + 1), w.at(i + 2))
    if following == ("after", "next"):
        return _coming(today, weekday) + _WEEK, i + 3
    if following == ("next", "week"):
        return _monday_of(today) + _WEEK + weekday * _DAY, i + 3
    if following == ("this", "week"):
        return _monday_of(today) + weekday * _DAY, i + 3
    dated = _calendar_date(w, i + 1, bare_ordinal=True)
    if dated is None:
        return _coming(today, weekday), i + 1
    when, end = dated
    if when.weekday() != weekday:
        raise ParseError(
            f'"{w.text(i, end)}" does not add up: {_describe(when)} is a '
            f"{_WEEKDAY_NAMES[when.weekday()]}. {EXAMPLES}"
        )
    return dated


def _this(w: _Words, i: int) -> _Found:
    today, word = w.today, w.at(i + 1)
    weekday = _WEEKDAYS.get(word)
    if weekday is not None:
        return today + ((weekday - today.weekday()) % 7) * _DAY, i + 2
    if word == "weekend":
        return _this_weekend(today), i + 2
    if word in ("morning", "afternoon", "evening"):
        return today, i + 2
    if word == "coming" and w.at(i + 2) in _WEEKDAYS:
        return _coming(today, _WEEKDAYS[w.at(i + 2)]), i + 3
    return None


def _next(w: _Words, i: int) -> _Found:
    today, word = w.today, w.at(i + 1)
    next_monday = _monday_of(today) + _WEEK
    weekday = _WEEKDAYS.get(word)
    if weekday is not None:
        return next_monday + weekday * _DAY, i + 2
    weekday = _WEEKDAYS.get(w.at(i + 2))
    if word == "week" and weekday is not None:
        return next_monday + weekday * _DAY, i + 3
    if word == "weekend":
        return next_monday + 5 * _DAY, i + 2
    period_start = _PERIOD_STARTS.get(word)
    if period_start is not None:
        return period_start(today, 1), i + 2
    business_end = _business_day_words(w, i + 1)
    if business_end is not None:
        return _add_business_days(today, 1), business_end
    return None


def _last(w: _Words, i: int) -> _Found:
    today, word = w.today, w.at(i + 1)
    weekday = _WEEKDAYS.get(word)
    if weekday is not None:
        return today - ((today.weekday() - weekday - 1) % 7 + 1) * _DAY, i + 2
    if word == "day" and w.at(i + 2) == "of":
        return _period_end_phrase(w, i + 3, _LAST_DAY_PERIODS)
    return None


def _weekend(w: _Words, i: int) -> _Found:
    return _this_weekend(w.today), i + 1


def _business_day_words(w: _Words, i: int) -> int | None:
    """The index past "business day", "working days", "workday"… at `i`, or None."""
    if w.at(i) in _BUSINESS_WORDS and w.at(i + 1) in _DAY_WORDS:
        return i + 2
    if _UNITS.get(w.at(i), ("",))[0] == "business days":
        return i + 1
    return None


def _add_business_days(start: datetime.date, count: int) -> datetime.date:
    """`count` Monday–Friday days after `start` (before it when negative); no holidays."""
    if count == 0:
        return start
    step = 1 if count > 0 else -1
    day = start
    if day.weekday() > 4:  # from a weekend, count as if from the Friday before (or Monday after)
        day += (4 - day.weekday() if step > 0 else 7 - day.weekday()) * _DAY
    weeks, rest = divmod(abs(count), 5)
    day += step * weeks * _WEEK
    while rest:
        day += step * _DAY
        if day.weekday() < 5:
            rest -= 1
    return day


# --- Months, quarters, years ---------------------------------------------------------------------


def _days_in_month(year: int, month: int) -> int:
    return 29 if month == 2 and calendar.isleap(year) else _MONTH_LENGTHS[month - 1]


def _add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day of the month `months` later, clamped to the month's last day."""
    year, month_index = divmod(day.year * 12 + day.month - 1 + months, 12)
    month = month_index + 1
    return datetime.date(year, month, min(day.day, _days_in_month(year, month)))


def _last_day(day: datetime.date) -> datetime.date:
    return day.replace(day=_days_in_month(day.year, day.month))


def _quarter_start(today: datetime.date, shift: int) -> datetime.date:
    first_month = (today.month - 1) // 3 * 3 + 1
    return _add_months(datetime.date(today.year, first_month, 1), 3 * shift)


def _week_end(today: datetime.date, shift: int) -> datetime.date:
    next_friday = _monday_of(today) + 11 * _DAY
    if shift or today.weekday() > 4:  # on a weekend this week's Friday has passed
        return next_friday
    return next_friday - _WEEK


_PeriodRule = Callable[[datetime.date, int], datetime.date]
_PERIOD_STARTS: dict[str, _PeriodRule] = {
    "week": lambda today, shift: _monday_of(today) + shift * _WEEK,
    "month": lambda today, shift: _add_months(today.replace(day=1), shift),
    "quarter": _quarter_start,
    "year": lambda today, shift: datetime.date(today.year + shift, 1, 1),
}
_LAST_DAY_PERIODS: dict[str, _PeriodRule] = {
    "month": lambda today, shift: _last_day(_add_months(today.replace(day=1), shift)),
    "quarter": lambda today, shift: _last_day(_add_months(_quarter_start(today, shift), 2)),
    "year": lambda today, shift: datetime.date(today.year + shift, 12, 31),
}
_PERIOD_ENDS: dict[str, _PeriodRule] = {
    **_LAST_DAY_PERIODS,
    "week": _week_end,
    "day": lambda today, shift: today + shift * _DAY,
    "business": lambda today, shift: today + shift * _DAY,
}
_ABBREVIATED_ENDS = {"eow": "week", "eom": "month", "eoq": "quarter", "eoy": "year"}


def _period_end_phrase(w: _Words, i: int, periods: dict[str, _PeriodRule]) -> _Found:
    """`[the|this|next] week|month|quarter|year` at `i`, read as the end of that period."""
    which = w.at(i)
    if which in ("the", "this", "next"):
        i += 1
    period_end = periods.get(w.at(i))
    if period_end is None:
        return None
    return period_end(w.today, 1 if which == "next" else 0), i + 1


def _end_of(w: _Words, i: int) -> _Found:
    return _period_end_phrase(w, i + 2, _PERIOD_ENDS) if w.at(i + 1) == "of" else None


def _abbreviated_end(w: _Words, i: int) -> _Found:
    return _PERIOD_ENDS[_ABBREVIATED_ENDS[w.at(i)]](w.today, 0), i + 1


def _beginning_of(w: _Words, i: int) -> _Found:
    if (w.at(i + 1), w.at(i + 2)) != ("of", "next"):
        return None
    period_start = _PERIOD_STARTS.get(w.at(i + 3))
    return None if period_start is None else (period_start(w.today, 1), i + 4)


# --- Calendar dates: Apr 22, 22nd of April, the 22nd, 4/22, 2026-04-22 ----------------------------


def _describe(day: datetime.date) -> str:
    return f"{_MONTH_NAMES[day.month - 1]} {day.day}, {day.year}"


def _not_real(w: _Words, begin: int, end: int, why: str) -> ParseError:
    return ParseError(f'"{w.text(begin, end)}" is not a real date: {why}. {EXAMPLES}')


def _exact_date(w: _Words, begin: int, end: int, year: int, month: int, day: int) -> datetime.date:
    if not 1 <= month <= 12:
        raise _not_real(w, begin, end, f"there is no month {month}")
    length = _days_in_month(year, month)
    if not 1 <= day <= length:
        raise _not_real(w, begin, end, f"{_MONTH_NAMES[month - 1]} {year} has {length} days")
    return datetime.date(year, month, day)


def _next_occurrence_year(today: datetime.date, month: int, day: int) -> int:
    return today.year if (month, day) >= (today.month, today.day) else today.year + 1


def _day_token(word: str) -> tuple[int, bool] | None:
    """A day of the month as written: (22, True) for "22nd", (22, False) for "22"."""
    ordinal = _ORDINAL.fullmatch(word)
    if ordinal is not None:
        return int(ordinal[1]), True
    return (int(word), False) if _DAY_NUMBER.fullmatch(word) else None


def _calendar_date(w: _Words, i: int, *, bare_ordinal: bool) -> _Found:
    word = w.at(i)
    month = _MONTHS.get(word)
    if month is not None:
        return _month_then_day(w, i, month)
    if word == "the":
        return _day_then_month(w, i, i + 1, bare_ordinal=True)
    if not word[:1].isdigit():
        return None
    if "/" in word or "-" in word or "." in word:
        return _numeric_date(w, i)
    return _day_then_month(w, i, i, bare_ordinal=bare_ordinal)


def _the(w: _Words, i: int) -> _Found:
    word = w.at(i + 1)
    if word == "weekend":
        return _this_weekend(w.today), i + 2
    if word in ("day", "end", "beginning", "start", "next", "last"):
        return _date(w, i + 1)
    return _day_then_month(w, i, i + 1, bare_ordinal=True)


def _month_then_day(w: _Words, i: int, month: int) -> _Found:
    """`Apr 22`, `April 22nd, 2026`, `April the 22nd`."""
    day_at = i + 2 if w.at(i + 1) == "the" else i + 1
    day = _day_token(w.at(day_at))
    if day is None:
        return None
    return _month_day(w, i, day_at + 1, month, day)


def _day_then_month(w: _Words, begin: int, i: int, *, bare_ordinal: bool) -> _Found:
    """`22 April`, `22nd of April 2026`, `22nd of next month`, and with `bare_ordinal`, `22nd`."""
    day = _day_token(w.at(i))
    if day is None:
        return None
    month_at = i + 2 if w.at(i + 1) == "of" else i + 1
    month = _MONTHS.get(w.at(month_at))
    if month is not None:
        return _month_day(w, begin, month_at + 1, month, day)
    number, is_ordinal = day
    if not is_ordinal:
        return None
    after_of = (w.at(month_at), w.at(month_at + 1))
    if month_at == i + 2 and after_of == ("next", "month"):
        first = _add_months(w.today.replace(day=1), 1)
        end = month_at + 2
        _check_day_number(w, begin, end, number)
        return _exact_date(w, begin, end, first.year, first.month, number), end
    if not bare_ordinal:
        return None
    _check_day_number(w, begin, i + 1, number)
    return _nearest_day_of_month(w.today, number), i + 1


def _check_day_number(w: _Words, begin: int, end: int, day: int) -> None:
    if not 1 <= day <= 31:
        raise _not_real(w, begin, end, f"no month has a day {day}")


def _month_day(w: _Words, begin: int, i: int, month: int, day: tuple[int, bool]) -> _Found:
    """A month and a day, then maybe a year at `i`; without one, the next occurrence."""
    number, is_ordinal = day
    if not 1 <= number <= 31 and not is_ordinal:
        return None
    _check_day_number(w, begin, i, number)
    year_word = w.at(i)
    if _YEAR.fullmatch(year_word):
        return _exact_date(w, begin, i + 1, int(year_word), month, number), i + 1
    year = _next_occurrence_year(w.today, month, number)
    return _exact_date(w, begin, i, year, month, number), i


def _nearest_day_of_month(today: datetime.date, day: int) -> datetime.date:
    """This month's `day` if not past, else the first later month that has it."""
    year, month = today.year, today.month
    while day > _days_in_month(year, month) or datetime.date(year, month, day) < today:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return datetime.date(year, month, day)


def _numeric_date(w: _Words, i: int) -> _Found:
    word = w.at(i)
    iso = _ISO_DATE.fullmatch(word)
    if iso is not None:
        return _exact_date(w, i, i + 1, int(iso[1]), int(iso[3]), int(iso[4])), i + 1
    numeric = _NUMERIC_DATE.fullmatch(word)
    if numeric is None or (numeric[4] is None and numeric[2] != "/"):
        return None
    first, second = int(numeric[1]), int(numeric[3])
    if not (1 <= min(first, second) <= 12 and max(first, second) <= 31):
        return None
    year_text = numeric[4]
    given_year = None if year_text is None else int(year_text)
    if given_year is not None and len(year_text) == 2:  # "4/22/26" is 2026
        given_year += 2000
    month_day, day_month = (first, second), (second, first)
    # The preferred order first; the other is used only when it alone is a real date.
    for month, day in (day_month, month_day) if w.day_first else (month_day, day_month):
        if not 1 <= month <= 12:
            continue
        year = _next_occurrence_year(w.today, month, day) if given_year is None else given_year
        if day <= _days_in_month(year, month):
            return datetime.date(year, month, day), i + 1
    raise _not_real(w, i, i + 1, "neither day/month nor month/day is a day of the calendar")


# --- Spans: in 3 days, 2 weeks from friday, 3 business days, +3d, a week ago --------------------


@dataclass(frozen=True, slots=True)
class _Span:
    amount: int
    unit: str  # "days", "months" or "business days"
    end: int


def _amount(w: _Words, i: int) -> tuple[int, int] | None:
    word = w.at(i)
    if word == "a" and w.at(i + 1) == "couple":
        i, word = i + 1, "couple"
    if word == "couple":
        return 2, i + 2 if w.at(i + 1) == "of" else i + 1
    number = _NUMBER_WORDS.get(word)
    if number is not None:
        return number, i + 1
    digits = word.removeprefix("+")
    if digits.isascii() and digits.isdigit() and len(digits) <= 4:
        return int(digits), i + 1
    return None


def _span(w: _Words, i: int) -> _Span | None:
    compact = _COMPACT_SPAN.fullmatch(w.at(i))
    if compact is not None:
        unit = _COMPACT_UNITS.get(compact[2])
        return None if unit is None else _Span(int(compact[1]) * unit[1], unit[0], i + 1)
    amount = _amount(w, i)
    if amount is None:
        return None
    number, unit_at = amount
    business_end = _business_day_words(w, unit_at)
    if business_end is not None:
        return _Span(number, "business days", business_end)
    unit = _UNITS.get(w.at(unit_at))
    return None if unit is None else _Span(number * unit[1], unit[0], unit_at + 1)


def _shift(base: datetime.date, span: _Span, direction: int) -> datetime.date:
    amount = direction * span.amount
    if span.unit == "days":
        return base + amount * _DAY
    if span.unit == "months":
        return _add_months(base, amount)
    return _add_business_days(base, amount)


def _from_span(w: _Words, i: int) -> _Found:
    span = _span(w, i)
    if span is None:
        return None
    tail = w.at(span.end)
    if tail == "ago":
        return _shift(w.today, span, -1), span.end + 1
    if tail == "out":
        return _shift(w.today, span, 1), span.end + 1
    if tail in ("from", "after", "before"):
        anchor = (w.today, span.end + 2) if w.at(span.end + 1) == "now" else _date(w, span.end + 1)
        if anchor is not None:
            return _shift(anchor[0], span, -1 if tail == "before" else 1), anchor[1]
    return _shift(w.today, span, 1), span.end


def _in(w: _Words, i: int) -> _Found:
    span = _span(w, i + 1)
    if span is None:
        return None
    end = span.end + 1 if w.at(span.end) == "time" else span.end
    return _shift(w.today, span, 1), end


def _day_after_or_before(w: _Words, i: int) -> _Found:
    """`day after tomorrow`, `day before yesterday` (and `day after friday`)."""
    direction = {"after": 1, "before": -1}.get(w.at(i + 1))
    anchor = None if direction is None else _date(w, i + 2)
    if direction is None or anchor is None:
        return None
    return anchor[0] + direction * _DAY, anchor[1]


# --- Tables built from the rules ----------------------------------------------------------------

_KEYWORD_RULES: dict[str, Callable[[_Words, int], _Found]] = {
    "the": _the,
    "day": _day_after_or_before,
    "this": _this,
    "next": _next,
    "last": _last,
    "end": _end_of,
    "beginning": _beginning_of,
    "start": _beginning_of,
    "in": _in,
    "weekend": _weekend,
    **dict.fromkeys(_ABBREVIATED_ENDS, _abbreviated_end),
}


def _one_edit_variants(word: str) -> set[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    splits = [(word[:k], word[k:]) for k in range(len(word) + 1)]
    variants = {head + tail[1:] for head, tail in splits if tail}
    variants |= {head + tail[1] + tail[0] + tail[2:] for head, tail in splits if len(tail) > 1}
    variants |= {head + c + tail[1:] for head, tail in splits if tail for c in letters}
    variants |= {head + c + tail for head, tail in splits for c in letters}
    return {v for v in variants if len(v) >= 5 and v[0] == word[0] and v != word}


def _build_typos() -> dict[str, str]:
    known = {*_WEEKDAYS, *_MONTHS, *_RELATIVE_DAYS, *_NUMBER_WORDS, *_UNITS, *_KEYWORD_RULES}
    fuzzy: dict[str, str] = {}
    ambiguous: set[str] = set()
    for target in _FUZZY_TARGETS:
        for variant in _one_edit_variants(target) - known:
            if fuzzy.setdefault(variant, target) != target:
                ambiguous.add(variant)
    for variant in ambiguous:
        del fuzzy[variant]
    return {**fuzzy, **_MISSPELLINGS}


_TYPOS = _build_typos()
_STARTERS = frozenset(
    {*_KEYWORD_RULES, *_WEEKDAYS, *_MONTHS, *_RELATIVE_DAYS, *_NUMBER_WORDS, *_FILLERS,
     *_TIME_WORDS, *_TIME_PREPOSITIONS, *_TIME_PHRASES, "couple"}
)  # fmt: skip


# --- Messages ------------------------------------------------------------------------------------


def _explain_failure(
    words: Sequence[str], found: tuple[datetime.date, int] | None, today: datetime.date
) -> str:
    shown = _shorten(" ".join(words))
    if not words:
        return f'Couldn\'t read "" as a date: no date was given. {EXAMPLES}'
    vague = next((word for word in map(_normalise, words[:_MOST_WORDS]) if word in _VAGUE), None)
    if vague is not None:
        reason = f'"{vague}" is too vague to pick one day'
    elif found is not None:
        understood, rest = " ".join(words[: found[1]]), " ".join(words[found[1] :])
        reason = f'understood "{_shorten(understood)}" but not "{_shorten(rest)}"'
    elif _starts_with_time(words, today):
        reason = 'that is a time of day; add a day, like "tomorrow 3pm"'
    else:
        return f'Couldn\'t read "{shown}" as a date. {EXAMPLES}'
    return f'Couldn\'t read "{shown}" as a date: {reason}. {EXAMPLES}'


def _starts_with_time(words: Sequence[str], today: datetime.date) -> bool:
    phrase = _Words(words, 0, _normalise(words[0]), today=today, day_first=False)
    return _time_of_day(phrase, 0) is not None
