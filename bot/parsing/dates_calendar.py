"""Calendar arithmetic for the date reader: months of different lengths, business days. Pure."""

from __future__ import annotations

import calendar
import datetime

from bot.parsing.date_words import MONTH_LENGTHS

DAY = datetime.timedelta(days=1)
WEEK = datetime.timedelta(days=7)


def days_in_month(year: int, month: int) -> int:
    return 29 if month == 2 and calendar.isleap(year) else MONTH_LENGTHS[month - 1]


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day of the month `months` later, clamped to the month's last day."""
    year, month_index = divmod(day.year * 12 + day.month - 1 + months, 12)
    month = month_index + 1
    return datetime.date(year, month, min(day.day, days_in_month(year, month)))


def add_business_days(start: datetime.date, count: int) -> datetime.date:
    """`count` Monday–Friday days after `start` (before it when negative); no holidays."""
    if count == 0:
        return start
    step = 1 if count > 0 else -1
    day = start
    if day.weekday() > 4:  # from a weekend, count as if from the Friday before (or Monday after)
        day += (4 - day.weekday() if step > 0 else 7 - day.weekday()) * DAY
    weeks, rest = divmod(abs(count), 5)
    day += step * weeks * WEEK
    while rest:
        day += step * DAY
        if day.weekday() < 5:
            rest -= 1
    return day


def monday_of(day: datetime.date) -> datetime.date:
    return day - day.weekday() * DAY


def coming(today: datetime.date, weekday: int) -> datetime.date:
    """The next `weekday` strictly after today."""
    return today + ((weekday - today.weekday() - 1) % 7 + 1) * DAY


def this_weekend(today: datetime.date) -> datetime.date:
    """The coming Saturday, or today on a Saturday or a Sunday."""
    return today if today.weekday() == 6 else monday_of(today) + 5 * DAY


def last_day(day: datetime.date) -> datetime.date:
    return day.replace(day=days_in_month(day.year, day.month))
