"""Due dates from the words reps type: "tomorrow 3pm", "next fri", "in 2 weeks", "eom", "4/22".

Pure: `today` is always passed in and the clock is never read. Weeks run Monday to Sunday.

Each word is normalised (lower case, punctuation at its edges dropped, typos and abbreviations
replaced) and read through the tables in `bot.parsing.date_words` (weekdays, months, numbers, units,
keywords); a few regexes read the numeric shapes (`2026-04-22`, `4/22`, `3pm`, `+3d`). A word that
cannot begin a date costs one set lookup, because the /task parser asks at every word. Of the ways a
phrase can be read, the longest wins.

Conventions the spec left open, decided here:
- `this weekend` is the coming Saturday, or today on a Saturday or a Sunday (Sunday is still the
  weekend, and the Saturday of this week has passed).
- `last <weekday>` is the nearest one strictly before today; `<weekday> this week` is that day of
  the current Monday–Sunday week, even if it has passed. `coming <weekday>` is the bare weekday.
- A weekday next to a date (`Friday, April 24`) must agree with it, or it is a ParseError.
- A month-day without a year is its next occurrence, today included; if that year lacks the day
  (`feb 29` when the next February has 28 days) it is a ParseError, not a jump to a later leap year.
- Day numbers that cannot be in any month are a ParseError when written as ordinals or in a date
  shape (`the 32nd`, `31/02`, `2026-13-01`, `apr 31`), but plain numbers next to a month (`apr 45`)
  and out-of-range pairs (`50/50`) are simply not dates.
- A bare ordinal is the day of the month like `the 22nd` from the 10th on (`22nd`), or after
  by/on/due (`by 2nd`); `2nd` alone is not a date, since reps write "2nd follow-up".
- A time of day (`3pm`, `at 10:30`, `noon`, `am`, `eve`, `eod`, `end of day`) next to a date is read
  and ignored; alone it is not a date. `by`, `on` and `due` before a date belong to the phrase.
- Texting forms: `2day` and `tdy` are today (`2days` and `2d` are two days), `2nite` is tonight.
- Vague phrases are never dates (`match_vague_date` finds them, the /task parser reports them):
  `soon`, `sometime next week`, `early next week`, `mid april`, `in a few days`, `in a while`,
  `within a week`, `whenever next week`. `sometime`, `anytime`, `later`, `early` and `late` next to
  a phrase naming one day are times of day (`later today`, `sometime tomorrow`, `fri late`).

Typos and abbreviations (`wk`, `qtr`, `tommorow`, `thurs`) are replaced as `date_typos` describes.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from bot.parsing.clean_text import shorten
from bot.parsing.date_typos import normalise
from bot.parsing.date_words import (
    ABBREVIATED_ENDS,
    ALONE,
    AM_PM,
    BEFORE_A_DATE,
    BEFORE_A_PERIOD,
    BUSINESS_WORDS,
    CLOCK,
    COMPACT_SPAN,
    COMPACT_UNITS,
    DAY_NUMBER,
    DAY_WORDS,
    DIGITS_AND_PLUS,
    FILLERS,
    HOUR,
    ISO_DATE,
    KEYWORDS,
    LONE_ORDINAL_FROM,
    MONTH_NAMES,
    MONTHS,
    NUMBER_WORDS,
    NUMERIC_DATE,
    ORDINAL,
    ORDINAL_WORDS,
    PERIODS,
    RANGE_WORDS,
    RELATIVE_DAYS,
    SOME_NOUNS,
    STARTERS,
    TIME_OF_DAY,
    TIME_PHRASES,
    TIME_PREPOSITIONS,
    TIME_WORDS,
    UNITS,
    VAGUE_AMOUNTS,
    VAGUE_CONNECTORS,
    VAGUE_HEADS,
    VAGUE_HEADS_IN_STARTERS,
    VAGUE_LEAD_INS,
    VAGUE_STARTERS,
    VAGUE_TIME_WORDS,
    VAGUE_WAITS,
    VAGUE_WORDS,
    WEEKDAY_NAMES,
    WEEKDAYS,
    YEAR,
)
from bot.parsing.dates_calendar import (
    add_business_days,
    add_months,
    coming,
    days_in_month,
    last_day,
    monday_of,
    this_weekend,
)  # fmt: skip
from bot.parsing.dates_named import (
    HOLIDAY_STARTERS,
    NAMED_PERIOD_ENDS,
    NAMED_PERIODS,
    holiday,
    period_end,
    period_start,
)  # fmt: skip
from bot.parsing.dates_times import is_zone
from bot.parsing.errors import ParseError

EXAMPLES = "Try: tomorrow, fri, next tue, in 3 days, Apr 22, 2026-04-22."

_Found = tuple[datetime.date, int] | None
_DAY = datetime.timedelta(days=1)
_WEEK = datetime.timedelta(days=7)
QUOTED_MAX_CHARS = 60
"""Of the rep's words quoted in a message about them."""
_MOST_WORDS = 24
"""No date phrase is longer; the cap also bounds recursion in junk like "day after day after…"."""
_ANY_DAY = datetime.date(2000, 1, 1)
"""The `today` of a reading that looks only at words (vague phrases)."""


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
    None when `words[start]` cannot begin a date, or begins a vague phrase (see `match_vague_date`);
    ParseError when the words are plainly a date that does not exist (`31/02`, `feb 30`,
    `2026-13-01`) or falls outside the calendar.
    """
    if not 0 <= start < len(words):
        return None
    first = normalise(words[start])
    if first not in STARTERS and first[:1] not in DIGITS_AND_PLUS:
        return None
    phrase = _Words(words, start, first, today=today, day_first=day_first)
    try:
        found = _phrase(phrase, 0)
    except ParseError:
        raise
    except (OverflowError, ValueError) as error:
        # Date arithmetic only fails this way beyond year 1 or 9999.
        shown = shorten(" ".join(words[start : start + 6]), QUOTED_MAX_CHARS)
        raise ParseError(f'"{shown}" falls outside the calendar. {EXAMPLES}') from error
    if found is None:
        return None
    return found[0], start + found[1]


def match_vague_date(words: Sequence[str], start: int) -> int | None:
    """The index just past the vague date phrase that begins at `words[start]`, or None.

    Vague phrases name a stretch, not a day: `soon`, `sometime`, `later`, `some day`, `sometime next
    week`, `early/mid/late next week`, `mid april`, `in a few days`, `the next few weeks`, `in a
    while`, `within a week`, and `whenever`/`someday` followed by a date word (alone those two are
    priorities, as is `asap`, which this leaves alone). The date words after the vague one belong to
    the phrase. `sometime`, `later`, `early`… before one day (`later today`) are not vague.
    `match_due_date` is None wherever this matches. A word that cannot begin one costs one set lookup.
    """
    if not 0 <= start < len(words):
        return None
    first = normalise(words[start])
    if first not in VAGUE_STARTERS:
        return None
    end = _vague(_Words(words, start, first, today=_ANY_DAY, day_first=False), 0)
    return None if end is None else start + end


def vague_date_message(phrase: str) -> str:
    """What to tell a rep whose due date is vague: `“soon” is too vague to pick one day. Try: …`."""
    return f"“{shorten(phrase, QUOTED_MAX_CHARS)}” is too vague to pick one day. {EXAMPLES}"


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
            normalised.append(normalise(self._raw[position]))
        return normalised[index]

    def text(self, begin: int, end: int) -> str:
        """The rep's own words, for messages."""
        return shorten(" ".join(self._raw[self._start + begin : self._start + end]), QUOTED_MAX_CHARS)


def _longer(found: _Found, other: _Found) -> _Found:
    if other is not None and (found is None or other[1] > found[1]):
        return other
    return found


# --- Phrases -------------------------------------------------------------------------------------


def _phrase(w: _Words, i: int) -> _Found:
    while w.at(i) in FILLERS and i < 2:
        i += 1
    if w.at(i) in VAGUE_HEADS_IN_STARTERS and _vague(w, i) is not None:
        return None
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
        if after is None or (w.at(end) in VAGUE_TIME_WORDS and _names_a_period(w, i, end)):
            break  # "next week sometime" is as vague as "sometime next week"
        end = after
    return when, end


def _names_a_period(w: _Words, begin: int, end: int) -> bool:
    return any(w.at(k) in PERIODS for k in range(begin, end))


def _time_of_day(w: _Words, i: int) -> int | None:
    """The index past a time of day at `i` ("3pm", "at 10:30", "noon", "end of day"), or None."""
    if w.at(i) in TIME_PREPOSITIONS:
        return _clock(w, i + 1, bare_hour=True)
    return _clock(w, i, bare_hour=False)


def _clock(w: _Words, i: int, *, bare_hour: bool) -> int | None:
    end = _clock_only(w, i, bare_hour=bare_hour)
    return end + 1 if end is not None and is_zone(w.at(end)) else end  # "3pm PST", "15:00 +02:00"


def _clock_only(w: _Words, i: int, *, bare_hour: bool) -> int | None:
    word = w.at(i)
    if word in TIME_WORDS:
        return i + 1
    if word[:1].isdigit():
        if not CLOCK.fullmatch(word) and not (HOUR.fullmatch(word) and (bare_hour or w.at(i + 1) in AM_PM)):
            return None
        return i + 2 if w.at(i + 1) in AM_PM else i + 1
    for phrase in TIME_PHRASES.get(word, ()):
        if all(w.at(i + k) == part for k, part in enumerate(phrase)):
            return i + len(phrase)
    return None


def _date(w: _Words, i: int) -> _Found:
    word = w.at(i)
    rule = _KEYWORD_RULES.get(word)
    if rule is not None:
        return rule(w, i)
    weekday = WEEKDAYS.get(word)
    if weekday is not None:
        return _weekday_phrase(w, i, weekday)
    offset = RELATIVE_DAYS.get(word)
    if offset is not None:
        return w.today + offset * _DAY, i + 1
    return _longer(_calendar_date(w, i, bare_ordinal=False), _from_span(w, i))


# --- Weekdays and weeks --------------------------------------------------------------------------


def _weekday_phrase(w: _Words, i: int, weekday: int) -> _Found:
    today = w.today
    following = (w.at(i + 1), w.at(i + 2))
    if following == ("after", "next"):
        return coming(today, weekday) + _WEEK, i + 3
    if following == ("next", "week"):
        return monday_of(today) + _WEEK + weekday * _DAY, i + 3
    if following == ("this", "week"):
        return monday_of(today) + weekday * _DAY, i + 3
    dated = _calendar_date(w, i + 1, bare_ordinal=True)
    if dated is None:
        return coming(today, weekday), i + 1
    when, end = dated
    if when.weekday() != weekday:
        raise ParseError(
            f'"{w.text(i, end)}" does not add up: {_describe(when)} is a '
            f"{WEEKDAY_NAMES[when.weekday()]}. {EXAMPLES}"
        )
    return dated


def _this(w: _Words, i: int) -> _Found:
    today, word = w.today, w.at(i + 1)
    weekday = WEEKDAYS.get(word)
    if weekday is not None:
        return today + ((weekday - today.weekday()) % 7) * _DAY, i + 2
    if word == "weekend":
        return this_weekend(today), i + 2
    if word in ("morning", "morn", "afternoon", "evening", "eve"):
        return today, i + 2
    if word == "coming" and w.at(i + 2) in WEEKDAYS:
        return coming(today, WEEKDAYS[w.at(i + 2)]), i + 3
    return None


def _coming_weekday(w: _Words, i: int) -> _Found:
    """`coming friday` is the bare weekday."""
    weekday = WEEKDAYS.get(w.at(i + 1))
    return None if weekday is None else _weekday_phrase(w, i + 1, weekday)


def _next(w: _Words, i: int) -> _Found:
    today, word = w.today, w.at(i + 1)
    next_monday = monday_of(today) + _WEEK
    weekday = WEEKDAYS.get(word)
    if weekday is not None:
        return next_monday + weekday * _DAY, i + 2
    weekday = WEEKDAYS.get(w.at(i + 2))
    if word == "week" and weekday is not None:
        return next_monday + weekday * _DAY, i + 3
    if word == "weekend":
        return next_monday + 5 * _DAY, i + 2
    period_start = _PERIOD_STARTS.get(word)
    if period_start is not None:
        return period_start(today, 1), i + 2
    business_end = _business_day_words(w, i + 1)
    if business_end is not None:
        return add_business_days(today, 1), business_end
    return None


def _last(w: _Words, i: int) -> _Found:
    today, word = w.today, w.at(i + 1)
    weekday = WEEKDAYS.get(word)
    if weekday is not None:
        return today - ((today.weekday() - weekday - 1) % 7 + 1) * _DAY, i + 2
    if word == "day" and w.at(i + 2) == "of":
        return _period_end_phrase(w, i + 3, _LAST_DAY_PERIODS)
    return None


def _weekend(w: _Words, i: int) -> _Found:
    return this_weekend(w.today), i + 1


def _business_day_words(w: _Words, i: int) -> int | None:
    """The index past "business day", "working days", "workday"… at `i`, or None."""
    if w.at(i) in BUSINESS_WORDS and w.at(i + 1) in DAY_WORDS:
        return i + 2
    if UNITS.get(w.at(i), ("",))[0] == "business days":
        return i + 1
    return None


# --- Months, quarters, years ---------------------------------------------------------------------


def _quarter_start(today: datetime.date, shift: int) -> datetime.date:
    first_month = (today.month - 1) // 3 * 3 + 1
    return add_months(datetime.date(today.year, first_month, 1), 3 * shift)


def _week_end(today: datetime.date, shift: int) -> datetime.date:
    next_friday = monday_of(today) + 11 * _DAY
    if shift or today.weekday() > 4:  # on a weekend this week's Friday has passed
        return next_friday
    return next_friday - _WEEK


def _named_period_end(name: str, today: datetime.date, _: int) -> datetime.date:
    return period_end(name, today)


_PeriodRule = Callable[[datetime.date, int], datetime.date]
_PERIOD_STARTS: dict[str, _PeriodRule] = {
    "week": lambda today, shift: monday_of(today) + shift * _WEEK,
    "month": lambda today, shift: add_months(today.replace(day=1), shift),
    "quarter": _quarter_start,
    "year": lambda today, shift: datetime.date(today.year + shift, 1, 1),
}
_LAST_DAY_PERIODS: dict[str, _PeriodRule] = {
    "month": lambda today, shift: last_day(add_months(today.replace(day=1), shift)),
    "quarter": lambda today, shift: last_day(add_months(_quarter_start(today, shift), 2)),
    "year": lambda today, shift: datetime.date(today.year + shift, 12, 31),
}
_PERIOD_ENDS: dict[str, _PeriodRule] = {
    **_LAST_DAY_PERIODS,
    "week": _week_end,
    "day": lambda today, shift: today + shift * _DAY,
    "business": lambda today, shift: today + shift * _DAY,
    **{name: partial(_named_period_end, name) for name in NAMED_PERIODS},
}


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
    return _PERIOD_ENDS[ABBREVIATED_ENDS[w.at(i)]](w.today, 0), i + 1


def _beginning_of(w: _Words, i: int) -> _Found:
    if (w.at(i + 1), w.at(i + 2)) != ("of", "next"):
        return None
    period_start = _PERIOD_STARTS.get(w.at(i + 3))
    return None if period_start is None else (period_start(w.today, 1), i + 4)


# --- Calendar dates: Apr 22, 22nd of April, the 22nd, 4/22, 2026-04-22 ----------------------------


def _describe(day: datetime.date) -> str:
    return f"{MONTH_NAMES[day.month - 1]} {day.day}, {day.year}"


def _not_real(w: _Words, begin: int, end: int, why: str) -> ParseError:
    return ParseError(f'"{w.text(begin, end)}" is not a real date: {why}. {EXAMPLES}')


def _exact_date(w: _Words, begin: int, end: int, year: int, month: int, day: int) -> datetime.date:
    if not 1 <= month <= 12:
        raise _not_real(w, begin, end, f"there is no month {month}")
    length = days_in_month(year, month)
    if not 1 <= day <= length:
        raise _not_real(w, begin, end, f"{MONTH_NAMES[month - 1]} {year} has {length} days")
    return datetime.date(year, month, day)


def _next_occurrence_year(today: datetime.date, month: int, day: int) -> int:
    return today.year if (month, day) >= (today.month, today.day) else today.year + 1


def _day_token(word: str) -> tuple[int, bool] | None:
    """A day of the month as written: (22, True) for "22nd", (22, False) for "22"."""
    ordinal = ORDINAL.fullmatch(word)
    if ordinal is not None:
        return int(ordinal[1]), True
    if word in ORDINAL_WORDS:
        return ORDINAL_WORDS[word], True
    return (int(word), False) if DAY_NUMBER.fullmatch(word) else None


def _calendar_date(w: _Words, i: int, *, bare_ordinal: bool) -> _Found:
    word = w.at(i)
    month = MONTHS.get(word)
    if month is not None:
        return _month_then_day(w, i, month)
    if word == "the":
        return _day_then_month(w, i, i + 1, bare_ordinal=True)
    if not word[:1].isdigit() and word not in ORDINAL_WORDS:
        return None
    if "/" in word or "-" in word or "." in word:
        return _numeric_date(w, i)
    return _day_then_month(w, i, i, bare_ordinal=bare_ordinal)


def _the(w: _Words, i: int) -> _Found:
    word = w.at(i + 1)
    if word == "weekend":
        return this_weekend(w.today), i + 2
    if word in ("day", "end", "beginning", "start", "next", "last", "coming"):
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
    month = MONTHS.get(w.at(month_at))
    if month is not None:
        return _month_day(w, begin, month_at + 1, month, day)
    number, is_ordinal = day
    if not is_ordinal:
        return None
    after_of = (w.at(month_at), w.at(month_at + 1))
    if month_at == i + 2 and after_of == ("next", "month"):
        first = add_months(w.today.replace(day=1), 1)
        end = month_at + 2
        _check_day_number(w, begin, end, number)
        return _exact_date(w, begin, end, first.year, first.month, number), end
    if not bare_ordinal:
        after_filler = i > 0 and w.at(i - 1) in FILLERS
        if not (LONE_ORDINAL_FROM if not after_filler else 1) <= number <= 31:
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
    if YEAR.fullmatch(year_word):
        return _exact_date(w, begin, i + 1, int(year_word), month, number), i + 1
    year = _next_occurrence_year(w.today, month, number)
    return _exact_date(w, begin, i, year, month, number), i


def _nearest_day_of_month(today: datetime.date, day: int) -> datetime.date:
    """This month's `day` if not past, else the first later month that has it."""
    year, month = today.year, today.month
    while day > days_in_month(year, month) or datetime.date(year, month, day) < today:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return datetime.date(year, month, day)


def _numeric_date(w: _Words, i: int) -> _Found:
    word = w.at(i)
    iso = ISO_DATE.fullmatch(word)
    if iso is not None:
        return _exact_date(w, i, i + 1, int(iso[1]), int(iso[3]), int(iso[4])), i + 1
    numeric = NUMERIC_DATE.fullmatch(word)
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
        if day <= days_in_month(year, month):
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
    number = NUMBER_WORDS.get(word)
    if number is not None:
        return number, i + 1
    digits = word.removeprefix("+")
    if digits.isascii() and digits.isdigit() and len(digits) <= 4:
        return int(digits), i + 1
    return None


def _span(w: _Words, i: int) -> _Span | None:
    compact = COMPACT_SPAN.fullmatch(w.at(i))
    if compact is not None:
        unit = COMPACT_UNITS.get(compact[2])
        return None if unit is None else _Span(int(compact[1]) * unit[1], unit[0], i + 1)
    amount = _amount(w, i)
    if amount is None:
        return None
    number, unit_at = amount
    business_end = _business_day_words(w, unit_at)
    if business_end is not None:
        return _Span(number, "business days", business_end)
    unit = UNITS.get(w.at(unit_at))
    return None if unit is None else _Span(number * unit[1], unit[0], unit_at + 1)


def _shift(base: datetime.date, span: _Span, direction: int) -> datetime.date:
    amount = direction * span.amount
    if span.unit == "days":
        return base + amount * _DAY
    if span.unit == "months":
        return add_months(base, amount)
    return add_business_days(base, amount)


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


# --- Vague phrases: sometime next week, early next week, in a few days, within a week -------------


def _vague(w: _Words, i: int) -> int | None:
    """The index past the vague phrase at `i`, or None (see `match_vague_date`)."""
    head = _vague_head(w, i)
    if head is None:
        return _vague_range(w, i)
    kind, after = head
    end, one_day = _vague_tail(w, after)
    named = end > after
    if kind == ALONE:
        return after if named and one_day else end  # "soon, tomorrow 3pm" leaves the date be
    if (
        (kind == TIME_OF_DAY and not (named and one_day))
        or (kind == BEFORE_A_PERIOD and named and not one_day)
        or (kind == BEFORE_A_DATE and named)
    ):
        return end
    return None


def _vague_head(w: _Words, i: int) -> tuple[str, int] | None:
    """The kind of vague word at `i` ("sometime", "some day") and the index past it."""
    word = w.at(i)
    if word == "some":
        noun = w.at(i + 1)
        return (VAGUE_HEADS[f"some {noun}"], i + 2) if noun in SOME_NOUNS else None
    kind = VAGUE_HEADS.get(word)
    return None if kind is None else (kind, i + 1)


def _vague_tail(w: _Words, i: int) -> tuple[int, bool]:
    """The index past the date words from `i`, and whether they name one day, not a stretch.

    `tomorrow`, `next fri`, `on the 22nd` and `apr 22` name one day; `next week`, `april`, `in 3 days`
    and `before friday` do not. Connectors (`the`, `of`, `next`, numbers…) never end the words.
    """
    end, one_day, j = i, True, i
    while j < _MOST_WORDS:
        word = w.at(j)
        if word in VAGUE_CONNECTORS or (word.isdigit() and len(word) <= 2):
            one_day = one_day and word not in RANGE_WORDS and word not in VAGUE_AMOUNTS
            j += 1
            continue
        if word in MONTHS and _day_token(w.at(j + 1)) is not None:
            j += 2
        elif _is_one_day(word) or word in ("now", "time"):
            j += 1
        elif word in PERIODS or word in MONTHS or word in UNITS or YEAR.fullmatch(word):
            one_day, j = False, j + 1
        else:
            break
        end = j
    return end, one_day


def _is_one_day(word: str) -> bool:
    if word in WEEKDAYS or word in RELATIVE_DAYS or word in ABBREVIATED_ENDS:
        return True
    return any(shape.fullmatch(word) for shape in (ORDINAL, ISO_DATE, NUMERIC_DATE))


def _vague_range(w: _Words, i: int) -> int | None:
    """`in a few days`, `several weeks`, `the next 3 days`, `the coming weeks`, `in a while`."""
    begin, lead_ins = i, set()
    while w.at(i) in VAGUE_LEAD_INS and i - begin < 4:
        lead_ins.add(w.at(i))
        i += 1
    word, upcoming = w.at(i), "next" in lead_ins or "coming" in lead_ins
    if word in VAGUE_WAITS:
        return i + 1 if "a" in lead_ins and ("in" in lead_ins or "after" in lead_ins) else None
    if word == "future":
        return i + 1 if lead_ins & {"the", "near"} else None
    if word in VAGUE_AMOUNTS or (word == "couple" and upcoming):
        unit_end = _unit_end(w, i + 2 if w.at(i + 1) == "of" else i + 1)
    elif upcoming and word in UNITS and word.endswith("s"):  # "the coming days"
        unit_end = i + 1
    elif upcoming and (amount := _amount(w, i)) is not None:  # "the next 3 days"
        unit_end = _unit_end(w, amount[1])
    else:
        return None
    return None if unit_end is None else _vague_tail(w, unit_end)[0]


def _unit_end(w: _Words, i: int) -> int | None:
    business_end = _business_day_words(w, i)
    if business_end is not None:
        return business_end
    return i + 1 if w.at(i) in UNITS else None


def _named_period(w: _Words, i: int) -> _Found:
    word = w.at(i)
    if word in NAMED_PERIOD_ENDS:
        return period_end(word[2:], w.today), i + 1
    return period_start(word, w.today), i + 1


def _holiday(w: _Words, i: int) -> _Found:
    found = holiday([w.at(i + k) for k in range(4)], w.today)
    return (found[0], i + found[1]) if found else _calendar_date(w, i, bare_ordinal=False)


# --- Tables built from the rules ----------------------------------------------------------------

_KEYWORD_RULES: dict[str, Callable[[_Words, int], _Found]] = {
    "the": _the,
    "day": _day_after_or_before,
    "this": _this,
    "next": _next,
    "coming": _coming_weekday,
    "last": _last,
    "end": _end_of,
    "beginning": _beginning_of,
    "start": _beginning_of,
    "in": _in,
    "weekend": _weekend,
    **dict.fromkeys(ABBREVIATED_ENDS, _abbreviated_end),
    **dict.fromkeys(NAMED_PERIODS | NAMED_PERIOD_ENDS, _named_period),
    **dict.fromkeys(HOLIDAY_STARTERS, _holiday),
}
if _KEYWORD_RULES.keys() != KEYWORDS:  # date_words builds its starters from these, date_typos its words
    raise RuntimeError("date_words.KEYWORDS and dates._KEYWORD_RULES name different words")


# --- Messages ------------------------------------------------------------------------------------


def _explain_failure(
    words: Sequence[str], found: tuple[datetime.date, int] | None, today: datetime.date
) -> str:
    shown = shorten(" ".join(words), QUOTED_MAX_CHARS)
    if not words:
        return f'Couldn\'t read "" as a date: no date was given. {EXAMPLES}'
    vague = _vague_words(words)
    if vague is not None:
        reason = f'"{shorten(vague, QUOTED_MAX_CHARS)}" is too vague to pick one day'
    elif found is not None:
        understood = shorten(" ".join(words[: found[1]]), QUOTED_MAX_CHARS)
        rest = shorten(" ".join(words[found[1] :]), QUOTED_MAX_CHARS)
        reason = f'understood "{understood}" but not "{rest}"'
    elif _starts_with_time(words, today):
        reason = 'that is a time of day; add a day, like "tomorrow 3pm"'
    else:
        return f'Couldn\'t read "{shown}" as a date. {EXAMPLES}'
    return f'Couldn\'t read "{shown}" as a date: {reason}. {EXAMPLES}'


def _vague_words(words: Sequence[str]) -> str | None:
    """The first vague phrase in `words` ("sometime next week"), else the first vague word ("asap")."""
    for start in range(min(len(words), _MOST_WORDS)):
        end = match_vague_date(words, start)
        if end is not None:
            return " ".join(words[start:end])
    return next((word for word in map(normalise, words[:_MOST_WORDS]) if word in VAGUE_WORDS), None)


def _starts_with_time(words: Sequence[str], today: datetime.date) -> bool:
    phrase = _Words(words, 0, normalise(words[0]), today=today, day_first=False)
    return _time_of_day(phrase, 0) is not None
