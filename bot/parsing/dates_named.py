"""Named days and periods: quarters and halves (`Q3`, `end of Q2`, `H2`) and public holidays by name.

Rules (each the next occurrence, today included, like a month and day without a year):
- `Q1`–`Q4` are the calendar quarter's first day (1 Jan, 1 Apr, 1 Jul, 1 Oct), `H1` 1 Jan and `H2`
  1 Jul; `end of Q2`, `eoQ2`, `end of H1` are the period's last day (30 Jun). Fiscal years differ by
  company, so `Q3FY26` is not read.
- Holidays: New Year's Day (1 Jan), Martin Luther King Jr. Day (US, third Monday of January),
  Valentine's Day (14 Feb), Presidents' Day (US, third Monday of February), Memorial Day (US, last
  Monday of May), Juneteenth (19 Jun), Independence Day and the Fourth of July (4 Jul), Labor Day
  (US, first Monday of September), Halloween (31 Oct), Veterans Day (11 Nov), Thanksgiving (US, fourth
  Thursday of November), Christmas Eve (24 Dec), Christmas (25 Dec), Boxing Day (26 Dec), New Year's
  Eve (31 Dec). Holidays of other countries and moving feasts (Easter) are not read.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Callable, Sequence

DayOfYear = Callable[[int], datetime.date]


def _fixed(month: int, day: int) -> DayOfYear:
    return lambda year: datetime.date(year, month, day)


def _nth_weekday(month: int, weekday: int, nth: int) -> DayOfYear:
    """The `nth` `weekday` (0 Monday) of `month`; `nth` -1 is the last."""

    def day_in(year: int) -> datetime.date:
        days = [d for d in range(1, calendar.monthrange(year, month)[1] + 1)
                if datetime.date(year, month, d).weekday() == weekday]  # fmt: skip
        return datetime.date(year, month, days[nth])

    return day_in


HOLIDAYS: dict[tuple[str, ...], DayOfYear] = {
    ("new", "year's", "day"): _fixed(1, 1), ("new", "years", "day"): _fixed(1, 1),
    ("new", "year's"): _fixed(1, 1), ("new", "years"): _fixed(1, 1), ("new", "year"): _fixed(1, 1),
    ("mlk", "day"): _nth_weekday(1, 0, 2), ("martin", "luther", "king", "day"): _nth_weekday(1, 0, 2),
    ("valentine's", "day"): _fixed(2, 14), ("valentines", "day"): _fixed(2, 14),
    ("valentine's",): _fixed(2, 14), ("valentines",): _fixed(2, 14),
    ("presidents", "day"): _nth_weekday(2, 0, 2), ("presidents'", "day"): _nth_weekday(2, 0, 2),
    ("president's", "day"): _nth_weekday(2, 0, 2),
    ("memorial", "day"): _nth_weekday(5, 0, -1), ("juneteenth",): _fixed(6, 19),
    ("independence", "day"): _fixed(7, 4), ("fourth", "of", "july"): _fixed(7, 4),
    ("labor", "day"): _nth_weekday(9, 0, 0), ("labour", "day"): _nth_weekday(9, 0, 0),
    ("halloween",): _fixed(10, 31), ("veterans", "day"): _fixed(11, 11), ("veterans'", "day"): _fixed(11, 11),
    ("thanksgiving",): _nth_weekday(11, 3, 3), ("thanksgiving", "day"): _nth_weekday(11, 3, 3),
    ("christmas", "eve"): _fixed(12, 24), ("xmas", "eve"): _fixed(12, 24),
    ("christmas",): _fixed(12, 25), ("christmas", "day"): _fixed(12, 25), ("xmas",): _fixed(12, 25),
    ("xmas", "day"): _fixed(12, 25), ("boxing", "day"): _fixed(12, 26),
    ("new", "year's", "eve"): _fixed(12, 31), ("new", "years", "eve"): _fixed(12, 31),
    ("nye",): _fixed(12, 31),
}  # fmt: skip
HOLIDAY_STARTERS = frozenset(name[0] for name in HOLIDAYS)


def holiday(words: Sequence[str], today: datetime.date) -> tuple[datetime.date, int] | None:
    """The holiday named by the longest run of normalised `words` from the start, and how many words
    name it: its next occurrence, today included."""
    for length in (4, 3, 2, 1):
        rule = HOLIDAYS.get(tuple(words[:length]))
        if rule is not None and len(words) >= length:
            when = rule(today.year)
            return (when if when >= today else rule(today.year + 1)), length
    return None


_QUARTER_MONTHS = {"q1": (1, 3), "q2": (4, 6), "q3": (7, 9), "q4": (10, 12), "h1": (1, 6), "h2": (7, 12)}
NAMED_PERIODS = frozenset(_QUARTER_MONTHS)
NAMED_PERIOD_ENDS = frozenset(f"eo{name}" for name in NAMED_PERIODS)
"""`eoq2`: the end of Q2 (`eoq` alone is the end of this quarter)."""


def period_start(name: str, today: datetime.date) -> datetime.date:
    """The next first day of the period (`q3` → 1 Jul), today included."""
    first_month = _QUARTER_MONTHS[name][0]
    start = datetime.date(today.year, first_month, 1)
    return start if start >= today else start.replace(year=today.year + 1)


def period_end(name: str, today: datetime.date) -> datetime.date:
    """The next last day of the period (`q2` → 30 Jun), today included."""
    last_month = _QUARTER_MONTHS[name][1]
    end = datetime.date(today.year, last_month, calendar.monthrange(today.year, last_month)[1])
    return end if end >= today else end.replace(year=today.year + 1)
