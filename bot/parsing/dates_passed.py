"""A month-day without a year that has just passed (`Nov 29` on Nov 30): read as its next occurrence, a
year on, which is rarely what a rep means, so the /task reader asks instead of creating the task."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from bot.parsing.date_typos import normalise
from bot.parsing.date_words import ISO_DATE, MONTHS, NUMERIC_DATE, YEAR

JUST_PASSED_DAYS = 30
"""A date this many days ago or fewer is a slip (last week's date, a typo); an older one is next year's."""


def just_passed(words: Sequence[str], due: datetime.date, today: datetime.date) -> datetime.date | None:
    """The date `words` named this time round, when they give a month and day but no year and that day
    passed 1–30 days before `today` (`due` is then its next occurrence); else None."""
    if not _month_day_without_year([normalise(word) for word in words]):
        return None
    passed = _last_before(today, due.month, due.day)
    if passed is None or not 0 < (today - passed).days <= JUST_PASSED_DAYS or due <= today:
        return None
    return passed


def _month_day_without_year(words: list[str]) -> bool:
    if any(YEAR.fullmatch(word) or ISO_DATE.fullmatch(word) for word in words):
        return False
    numeric = (NUMERIC_DATE.fullmatch(word) for word in words)
    return any(word in MONTHS for word in words) or any(n is not None and n[4] is None for n in numeric)


def _last_before(today: datetime.date, month: int, day: int) -> datetime.date | None:
    for year in (today.year, today.year - 1):
        try:
            candidate = datetime.date(year, month, day)
        except ValueError:  # Feb 29 outside a leap year
            continue
        if candidate < today:
            return candidate
    return None
