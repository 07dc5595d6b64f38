"""Due dates from fuzzy text: every form on several reference days, and what must be refused.

Every expected date below was worked out by hand from a calendar. Reference week: Monday 2026-04-20
to Sunday 2026-04-26; the week after runs Monday 04-27 to Sunday 05-03.
"""

from __future__ import annotations

import datetime
import math
import time

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.parsing.dates import (
    EXAMPLES,
    match_due_date,
    match_vague_date,
    parse_due_date,
    vague_date_message,
)
from bot.parsing.errors import ParseError

D = datetime.date
WED = D(2026, 4, 22)
"""The default today: a Wednesday in the reference week."""

REFERENCE_WEEK = [D(2026, 4, 20 + offset) for offset in range(7)]  # Monday … Sunday


def parsed(text: str, today: datetime.date = WED, *, day_first: bool = False) -> datetime.date:
    return parse_due_date(text, today=today, day_first=day_first)


def check(today: datetime.date, text: str, expected: datetime.date) -> None:
    assert parsed(text, today) == expected, f"{text!r} on {today} ({today:%A})"


def assert_refused(text: str, today: datetime.date = WED, *, day_first: bool = False) -> str:
    with pytest.raises(ParseError) as raised:
        parsed(text, today, day_first=day_first)
    message = str(raised.value)
    shown = " ".join(text.split())
    assert (f'"{shown}"' if len(shown) <= 60 else f'"{shown[:59].rstrip()}…"') in message
    assert EXAMPLES in message
    return message


# --- Weekdays, on each day of the reference week -------------------------------------------------

APR = {day: D(2026, 4, day) for day in range(17, 31)}
MAY = {day: D(2026, 5, day) for day in range(1, 9)}

# Expected dates when today is Monday, Tuesday, …, Sunday of the reference week.
WEEKDAY_FORMS = {
    "fri": [APR[24]] * 4 + [MAY[1]] * 3,
    "Friday": [APR[24]] * 4 + [MAY[1]] * 3,
    "this fri": [APR[24]] * 5 + [MAY[1]] * 2,
    "next fri": [MAY[1]] * 7,
    "fri next week": [MAY[1]] * 7,
    "next week friday": [MAY[1]] * 7,
    "fri after next": [MAY[1]] * 4 + [MAY[8]] * 3,
    "mon": [APR[27]] * 7,
    "Mon.": [APR[27]] * 7,
    "this mon": [APR[20]] + [APR[27]] * 6,
    "next mon": [APR[27]] * 7,
    "mon after next": [MAY[4]] * 7,
    "sun": [APR[26]] * 6 + [MAY[3]],
    "this sunday": [APR[26]] * 7,
    "next sun": [MAY[3]] * 7,
    "wed this week": [APR[22]] * 7,
    "last fri": [APR[17]] * 5 + [APR[24]] * 2,
    "this weekend": [APR[25]] * 6 + [APR[26]],
    "weekend": [APR[25]] * 6 + [APR[26]],
    "next weekend": [MAY[2]] * 7,
    "eow": [APR[24]] * 5 + [MAY[1]] * 2,
    "end of the week": [APR[24]] * 5 + [MAY[1]] * 2,
    "end of next week": [MAY[1]] * 7,
    "next week": [APR[27]] * 7,
    "start of next week": [APR[27]] * 7,
    "next business day": [APR[21], APR[22], APR[23], APR[24], APR[27], APR[27], APR[27]],
    "in 3 business days": [APR[23], APR[24], APR[27], APR[28], APR[29], APR[29], APR[29]],
    "5 working days": [APR[27], APR[28], APR[29], APR[30], MAY[1], MAY[1], MAY[1]],
    "2 weeks from friday": [MAY[8]] * 4 + [D(2026, 5, 15)] * 3,
    "coming fri": [APR[24]] * 4 + [MAY[1]] * 3,
    "coming friday": [APR[24]] * 4 + [MAY[1]] * 3,
    "the coming mon": [APR[27]] * 7,
    "next wk": [APR[27]] * 7,
    "fri next wk": [MAY[1]] * 7,
    "end of next wk": [MAY[1]] * 7,
    "next wknd": [MAY[2]] * 7,
    "22nd": [APR[22]] * 3 + [D(2026, 5, 22)] * 4,
    "the 22nd": [APR[22]] * 3 + [D(2026, 5, 22)] * 4,
    "by 2nd": [MAY[2]] * 7,
    "early fri": [APR[24]] * 4 + [MAY[1]] * 3,
    "fri late": [APR[24]] * 4 + [MAY[1]] * 3,
}


@pytest.mark.parametrize("text", sorted(WEEKDAY_FORMS))
def test_weekday_forms_on_each_day_of_the_week(text: str) -> None:
    for today, expected in zip(REFERENCE_WEEK, WEEKDAY_FORMS[text], strict=True):
        check(today, text, expected)


def test_every_weekday_name_and_abbreviation_from_wednesday() -> None:
    names = {
        APR[27]: ("mon", "monday", "MONDAY"),
        APR[28]: ("tue", "tues", "tuesday"),
        APR[29]: ("wed", "weds", "wednesday"),
        APR[23]: ("thu", "thur", "thurs", "thursday", "Thurs."),
        APR[24]: ("fri", "friday", "Fri,"),
        APR[25]: ("sat", "saturday"),
        APR[26]: ("sun", "sunday"),
    }
    for expected, spellings in names.items():
        for spelling in spellings:
            check(WED, spelling, expected)


# --- Relative days, spans and periods (today: Wednesday 2026-04-22) ----------------------------

RELATIVE_FORMS = {
    "today": APR[22], "tonight": APR[22], "eod": APR[22], "cob": APR[22], "EOD": APR[22],
    "end of day": APR[22], "this afternoon": APR[22],
    "tomorrow": APR[23], "tmrw": APR[23], "tmr": APR[23], "tmw": APR[23], "Tomorrow!": APR[23],
    "the day after tomorrow": APR[24], "day after tomorrow": APR[24], "day after tmrw": APR[24],
    "yesterday": APR[21], "the day before yesterday": APR[20],
    "in 3 days": APR[25], "in three days": APR[25], "in a day": APR[23], "in one week": APR[29],
    "in a week": APR[29], "in 2 weeks": MAY[6], "in a couple of days": APR[24],
    "in a couple days": APR[24], "a couple of weeks": MAY[6], "in twelve days": MAY[4],
    "in 3 days time": APR[25], "in 6 months": D(2026, 10, 22), "in a month": D(2026, 5, 22),
    "in a year": D(2027, 4, 22), "in 2 years": D(2028, 4, 22), "in twelve months": D(2027, 4, 22),
    "10 days from now": MAY[2], "a week from today": APR[29], "a week from tomorrow": APR[30],
    "3 days after tomorrow": APR[26], "2 days before friday": APR[22],
    "2 weeks from next friday": D(2026, 5, 15), "2 business days from friday": APR[28],
    "+3d": APR[25], "3d": APR[25], "2w": MAY[6], "+10d": MAY[2], "3 weeks out": D(2026, 5, 13),
    "2 days ago": APR[20], "a week ago": D(2026, 4, 15), "3 months ago": D(2026, 1, 22),
    "last friday": APR[17],
    "next month": MAY[1], "beginning of next month": MAY[1], "next quarter": D(2026, 7, 1),
    "next year": D(2027, 1, 1), "beginning of next year": D(2027, 1, 1),
    "end of week": APR[24], "end of this week": APR[24],
    "eom": APR[30], "end of month": APR[30], "end of the month": APR[30], "EOM.": APR[30],
    "last day of the month": APR[30], "last day of month": APR[30], "by eom": APR[30],
    "by the end of the month": APR[30], "end of next month": D(2026, 5, 31),
    "last day of next month": D(2026, 5, 31),
    "eoq": D(2026, 6, 30), "end of quarter": D(2026, 6, 30), "end of next quarter": D(2026, 9, 30),
    "eoy": D(2026, 12, 31), "end of year": D(2026, 12, 31), "end of the year": D(2026, 12, 31),
    "due by friday": APR[24], "on friday": APR[24], "by friday": APR[24],
}  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), sorted(RELATIVE_FORMS.items()))
def test_relative_forms(text: str, expected: datetime.date) -> None:
    check(WED, text, expected)


# --- Month-day, ISO and numeric forms (today: Wednesday 2026-04-22) ----------------------------

CALENDAR_FORMS = {
    "Apr 22": APR[22], "apr 21": D(2027, 4, 21), "April 23rd": APR[23], "22 April": APR[22],
    "22nd of April": APR[22], "the 22nd of April": APR[22], "April the 22nd": APR[22],
    "23 Apr 2027": D(2027, 4, 23), "April 22, 2025": D(2025, 4, 22),
    "April 22nd, 2026": APR[22], "jan 5": D(2027, 1, 5), "dec 25": D(2026, 12, 25),
    "sept 1": D(2026, 9, 1), "Apr. 30": APR[30], "may 3rd": MAY[3],
    "Friday, April 24": APR[24], "fri apr 24 2026": APR[24], "Friday, April 24, 2026": APR[24],
    "fri the 24th": APR[24], "Sunday 3 May": MAY[3],
    "the 22nd": APR[22], "the 21st": D(2026, 5, 21), "the 31st": D(2026, 5, 31),
    "on the 1st": MAY[1], "the 30th": APR[30], "22nd of next month": D(2026, 5, 22),
    "2026-04-22": APR[22], "2026/04/22": APR[22], "2026-4-2": D(2026, 4, 2),
    "2025-12-31": D(2025, 12, 31),
    "4/22": APR[22], "22/4": APR[22], "4/22/2026": APR[22], "4/22/26": APR[22],
    "22/04/26": APR[22], "22.04.2026": APR[22], "22-04-2026": APR[22],
    "12/13/2026": D(2026, 12, 13), "13/12": D(2026, 12, 13),
}  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), sorted(CALENDAR_FORMS.items()))
def test_calendar_forms(text: str, expected: datetime.date) -> None:
    check(WED, text, expected)


@pytest.mark.parametrize(
    ("text", "month_first", "day_first"),
    [
        ("4/5", D(2027, 4, 5), D(2026, 5, 4)),  # April 5 has passed this year
        ("5/4/2026", D(2026, 5, 4), D(2026, 4, 5)),
        ("6/7/26", D(2026, 6, 7), D(2026, 7, 6)),
        ("22/4", APR[22], APR[22]),  # only one order is a real date
        ("4/22", APR[22], APR[22]),
        ("13/12", D(2026, 12, 13), D(2026, 12, 13)),
        ("12/13/2026", D(2026, 12, 13), D(2026, 12, 13)),
        ("2026-05-04", D(2026, 5, 4), D(2026, 5, 4)),  # ISO is always year-month-day
    ],
)
def test_numeric_order_follows_day_first(
    text: str, month_first: datetime.date, day_first: datetime.date
) -> None:
    assert parsed(text, day_first=False) == month_first
    assert parsed(text, day_first=True) == day_first


# --- Times of day, casing, spacing and typos ----------------------------------------------------

WITH_TIMES = {
    "tomorrow 3pm": APR[23], "3pm tomorrow": APR[23], "tomorrow 3 pm": APR[23],
    "tomorrow at 3": APR[23], "tomorrow at 3pm": APR[23], "fri at 10:30": APR[24],
    "fri 10:30am": APR[24], "fri at 10:30 am": APR[24], "noon tomorrow": APR[23],
    "tomorrow noon": APR[23], "tomorrow morning": APR[23], "tomorrow evening": APR[23],
    "next fri at 3:30 p.m.": MAY[1], "at 3pm on friday": APR[24], "10:30 fri": APR[24],
    "tomorrow morning at 9am": APR[23], "eod friday": APR[24], "friday eod": APR[24],
    "end of day tomorrow": APR[23], "tomorrow by noon": APR[23], "TOMORROW   3PM": APR[23],
    "  fri!  ": APR[24], "Tomorrow, 3pm.": APR[23], "apr 24 at 14:00": APR[24],
    "4/24 3pm": APR[24], "in 3 days at noon": APR[25], "tomorrow in the morning": APR[23],
    "first thing tomorrow": APR[23],
}  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), sorted(WITH_TIMES.items()))
def test_a_time_of_day_next_to_a_date_is_ignored(text: str, expected: datetime.date) -> None:
    check(WED, text, expected)


TEXTING_AND_SHORT_FORMS = {
    "2day": APR[22], "tdy": APR[22], "2Day!": APR[22], "2nite": APR[22], "tonite": APR[22],
    "2mrw": APR[23], "2days": APR[24], "+2day": APR[24], "2d": APR[24], "3day": APR[25],
    "next wk": APR[27], "next wks": None, "next qtr": D(2026, 7, 1), "next yr": D(2027, 1, 1),
    "end of qtr": D(2026, 6, 30), "in 2 mos": D(2026, 6, 22), "in 3 wks": D(2026, 5, 13),
    "wknd": APR[25], "coming fri": APR[24], "this coming fri": APR[24],
    "22nd": APR[22], "23rd": APR[23], "21st": D(2026, 5, 21), "10th": D(2026, 5, 10),
    "31st": D(2026, 5, 31), "22nd 3pm": APR[22], "on 2nd": MAY[2], "by 1st": MAY[1],
    "due 3rd": MAY[3],
}  # fmt: skip
"""None: not a date."""


@pytest.mark.parametrize(("text", "expected"), sorted(TEXTING_AND_SHORT_FORMS.items()))
def test_texting_forms_abbreviations_and_bare_ordinals(text: str, expected: datetime.date | None) -> None:
    if expected is None:
        assert_refused(text)
    else:
        check(WED, text, expected)


@pytest.mark.parametrize("today", [*REFERENCE_WEEK, D(2026, 12, 31), D(2028, 2, 29)])
def test_2day_is_today_but_2days_is_two_days(today: datetime.date) -> None:
    for text in ("2day", "tdy", "2nite", "2day 3pm"):
        check(today, text, today)
    for text in ("2days", "2d", "+2day", "in 2 days"):
        check(today, text, today + datetime.timedelta(days=2))


TIME_WORDS_NEXT_TO_ONE_DAY = {
    "tomorrow am": APR[23], "tomorrow pm": APR[23], "tomorrow a.m.": APR[23],
    "tomorrow morning": APR[23], "tmrw eve": APR[23], "tmrw morn": APR[23], "this eve": APR[22],
    "fri pm": APR[24], "am tomorrow": APR[23], "later today": APR[22], "today later": APR[22],
    "sometime tomorrow": APR[23], "some time tomorrow": APR[23], "anytime tmrw": APR[23],
    "early tomorrow": APR[23], "tomorrow early": APR[23], "late fri": APR[24],
    "late next fri": MAY[1], "sometime on the 22nd": APR[22], "sometime on apr 24": APR[24],
    "by later today": APR[22], "early on friday": APR[24], "eow late": APR[24],
}  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), sorted(TIME_WORDS_NEXT_TO_ONE_DAY.items()))
def test_time_words_next_to_one_day_are_ignored(text: str, expected: datetime.date) -> None:
    check(WED, text, expected)


TYPOS = {
    "tomorow": APR[23], "tommorow": APR[23], "tommorrow": APR[23], "tomorrw": APR[23],
    "Tommorow 3pm": APR[23], "fridy": APR[24], "next fridy": MAY[1], "wendesday": APR[29],
    "wednsday": APR[29], "wensday": APR[29], "thrusday": APR[23], "thursdy": APR[23],
    "satuday": APR[25], "febuary 3": D(2027, 2, 3), "septmber 1": D(2026, 9, 1),
    "Decmber 24": D(2026, 12, 24),
    # Two edits from six letters on, at most one of them a letter changed to a key not next to it
    "tmorow": APR[23], "tomoro": APR[23], "wedsday": APR[29], "thrusdy": APR[23], "sundy": APR[26],
    "in 3 buisness days": APR[27], "nxt fri": MAY[1], "end of the quartr": D(2026, 6, 30),
    "tmrrw": APR[23], "yestarday": APR[21], "Chirstmas": D(2026, 12, 25), "frdy": APR[24],
    # Read since typos are measured rather than listed (these were junk under the old rule)
    "ariday": APR[24],  # one edit from friday, though its first letter is changed
    "tomrw": APR[23],  # one letter more than tmrw
}  # fmt: skip
ABBREVIATED = {
    "frid": APR[24], "tomorr": APR[23], "tomo": APR[23], "satur": APR[25], "wedn": APR[29],
    "yest": APR[21], "octo 3": D(2026, 10, 3), "nove 3": D(2026, 11, 3), "next mont": D(2026, 5, 1),
    "end of quar": D(2026, 6, 30), "in 2 busi days": APR[24], "toni": APR[22],
}  # fmt: skip
"""The first three letters or more of a name that no other date word begins."""


@pytest.mark.parametrize(("text", "expected"), sorted(TYPOS.items()))
def test_common_typos(text: str, expected: datetime.date) -> None:
    check(WED, text, expected)


@pytest.mark.parametrize(("text", "expected"), sorted(ABBREVIATED.items()))
def test_abbreviated_names(text: str, expected: datetime.date) -> None:
    check(WED, text, expected)


@pytest.mark.parametrize(
    "text",
    [
        "blursday",  # two edits from thursday, both letters changed to keys far from t and h
        "next blursday",
        "tommorw",  # three edits from tomorrow
        "tursday",  # one edit from thursday, and one from tuesday (r is next to e)
        "munday",  # one edit from monday and one from sunday
        "wee",  # begins week, weekend and weekday
        "thi",  # begins this, third, thirty…
        "match 3",  # one edit from march, but a common English word
        "marsh 3",
        "tom",  # begins tomorrow, but a common English word
    ],
)
def test_junk_near_date_words_stays_junk(text: str) -> None:
    assert_refused(text)


# --- Reference days at year ends, a leap day and month ends ------------------------------------

EDGE_DAYS = [
    (D(2026, 12, 30), "tomorrow", D(2026, 12, 31)),
    (D(2026, 12, 30), "day after tomorrow", D(2027, 1, 1)),
    (D(2026, 12, 30), "in 3 days", D(2027, 1, 2)),
    (D(2026, 12, 30), "fri", D(2027, 1, 1)),
    (D(2026, 12, 30), "next fri", D(2027, 1, 8)),
    (D(2026, 12, 30), "next week", D(2027, 1, 4)),
    (D(2026, 12, 30), "next month", D(2027, 1, 1)),
    (D(2026, 12, 30), "eom", D(2026, 12, 31)),
    (D(2026, 12, 30), "eoq", D(2026, 12, 31)),
    (D(2026, 12, 30), "eoy", D(2026, 12, 31)),
    (D(2026, 12, 30), "eow", D(2027, 1, 1)),
    (D(2026, 12, 30), "this weekend", D(2027, 1, 2)),
    (D(2026, 12, 30), "end of next month", D(2027, 1, 31)),
    (D(2026, 12, 30), "in 1 month", D(2027, 1, 30)),
    (D(2026, 12, 30), "jan 5", D(2027, 1, 5)),
    (D(2026, 12, 30), "dec 30", D(2026, 12, 30)),
    (D(2026, 12, 30), "dec 29", D(2027, 12, 29)),
    (D(2026, 12, 30), "the 30th", D(2026, 12, 30)),
    (D(2026, 12, 30), "the 29th", D(2027, 1, 29)),
    (D(2026, 12, 30), "1/2", D(2027, 1, 2)),
    (D(2026, 12, 30), "next business day", D(2026, 12, 31)),
    (D(2026, 12, 30), "in 3 business days", D(2027, 1, 4)),
    (D(2026, 12, 31), "tomorrow", D(2027, 1, 1)),
    (D(2026, 12, 31), "next month", D(2027, 1, 1)),
    (D(2026, 12, 31), "in a month", D(2027, 1, 31)),
    (D(2026, 12, 31), "in 2 months", D(2027, 2, 28)),
    (D(2026, 12, 31), "end of next quarter", D(2027, 3, 31)),
    (D(2026, 12, 31), "eoy", D(2026, 12, 31)),
    (D(2026, 12, 31), "end of next year", D(2027, 12, 31)),
    (D(2026, 12, 31), "the 31st", D(2026, 12, 31)),
    (D(2026, 12, 31), "the 30th", D(2027, 1, 30)),
    (D(2026, 12, 31), "yesterday", D(2026, 12, 30)),
    (D(2026, 12, 31), "12/31", D(2026, 12, 31)),
    (D(2026, 12, 31), "12/30", D(2027, 12, 30)),
    (D(2026, 12, 31), "31/12", D(2026, 12, 31)),
    (D(2026, 12, 31), "next week", D(2027, 1, 4)),
    (D(2026, 12, 31), "2 weeks from friday", D(2027, 1, 15)),
    (D(2028, 2, 29), "tomorrow", D(2028, 3, 1)),
    (D(2028, 2, 29), "in a year", D(2029, 2, 28)),
    (D(2028, 2, 29), "in 12 months", D(2029, 2, 28)),
    (D(2028, 2, 29), "in 1 month", D(2028, 3, 29)),
    (D(2028, 2, 29), "a year ago", D(2027, 2, 28)),
    (D(2028, 2, 29), "yesterday", D(2028, 2, 28)),
    (D(2028, 2, 29), "feb 29", D(2028, 2, 29)),
    (D(2028, 2, 29), "2/29", D(2028, 2, 29)),
    (D(2028, 2, 29), "29/2", D(2028, 2, 29)),
    (D(2028, 2, 29), "2028-02-29", D(2028, 2, 29)),
    (D(2028, 2, 29), "eom", D(2028, 2, 29)),
    (D(2028, 2, 29), "last day of the month", D(2028, 2, 29)),
    (D(2028, 2, 29), "end of next month", D(2028, 3, 31)),
    (D(2028, 2, 29), "the 29th", D(2028, 2, 29)),
    (D(2028, 2, 29), "the 30th", D(2028, 3, 30)),
    (D(2028, 2, 29), "the 28th", D(2028, 3, 28)),
    (D(2028, 2, 29), "eoq", D(2028, 3, 31)),
    (D(2028, 2, 29), "next month", D(2028, 3, 1)),
    (D(2028, 2, 29), "fri", D(2028, 3, 3)),
    (D(2028, 2, 29), "next fri", D(2028, 3, 10)),
    (D(2027, 3, 1), "feb 29", D(2028, 2, 29)),
    (D(2026, 1, 31), "in 1 month", D(2026, 2, 28)),
    (D(2026, 1, 31), "in a month", D(2026, 2, 28)),
    (D(2026, 1, 31), "in 2 months", D(2026, 3, 31)),
    (D(2026, 1, 31), "in 3 months", D(2026, 4, 30)),
    (D(2026, 1, 31), "next month", D(2026, 2, 1)),
    (D(2026, 1, 31), "eom", D(2026, 1, 31)),
    (D(2026, 1, 31), "end of next month", D(2026, 2, 28)),
    (D(2026, 1, 31), "the 31st", D(2026, 1, 31)),
    (D(2026, 1, 31), "the 30th", D(2026, 3, 30)),
    (D(2026, 1, 31), "the 29th", D(2026, 3, 29)),
    (D(2026, 1, 31), "the 1st", D(2026, 2, 1)),
    (D(2026, 1, 31), "this weekend", D(2026, 1, 31)),
    (D(2026, 1, 31), "next weekend", D(2026, 2, 7)),
    (D(2026, 1, 31), "eow", D(2026, 2, 6)),
    (D(2026, 1, 31), "next week", D(2026, 2, 2)),
    (D(2026, 1, 31), "fri", D(2026, 2, 6)),
    (D(2026, 1, 31), "this fri", D(2026, 2, 6)),
    (D(2026, 1, 31), "next fri", D(2026, 2, 6)),
    (D(2026, 1, 31), "next business day", D(2026, 2, 2)),
    (D(2026, 1, 31), "5 working days", D(2026, 2, 6)),
    (D(2026, 1, 31), "eoq", D(2026, 3, 31)),
    (D(2026, 1, 31), "sun", D(2026, 2, 1)),
    (D(2026, 1, 31), "next sun", D(2026, 2, 8)),
    (D(2026, 12, 30), "22nd", D(2027, 1, 22)),
    (D(2026, 12, 31), "31st", D(2026, 12, 31)),
    (D(2026, 12, 31), "by 1st", D(2027, 1, 1)),
    (D(2026, 2, 1), "31st", D(2026, 3, 31)),
    (D(2028, 2, 29), "29th", D(2028, 2, 29)),
    (D(2028, 2, 29), "30th", D(2028, 3, 30)),
    (D(2026, 12, 30), "next wk", D(2027, 1, 4)),
    (D(2026, 12, 30), "coming fri", D(2027, 1, 1)),
    (D(2026, 12, 30), "next qtr", D(2027, 1, 1)),
    (D(2026, 12, 31), "2day", D(2026, 12, 31)),
    (D(2026, 12, 31), "tmrw eve", D(2027, 1, 1)),
]


@pytest.mark.parametrize(("today", "text", "expected"), EDGE_DAYS)
def test_year_ends_leap_day_and_month_ends(
    today: datetime.date, text: str, expected: datetime.date
) -> None:
    check(today, text, expected)


# --- What is refused ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["31/02", "feb 29", "feb 29 2026", "2026-02-29", "2/29/2027", "feb 30", "apr 31", "31 june",
     "2026-13-01", "2026-00-10", "2/30", "the 32nd", "the 0th", "Thursday, April 24",
     "fri 4/23"],
)  # fmt: skip
def test_impossible_dates_are_refused(text: str) -> None:
    assert_refused(text)


def test_feb_29_without_a_year_needs_the_next_february_to_have_it() -> None:
    assert "February 2029 has 28 days" in assert_refused("feb 29", D(2028, 3, 1))
    assert_refused("30th of next month", D(2026, 1, 31))


@pytest.mark.parametrize(
    "text",
    ["asap", "ASAP!", "soon", "sometime next week", "early next week", "in a few days", "later",
     "whenever", "mid next week", "late april", "in several weeks",
     "sometime", "some day", "some time next week", "late next week", "in a while", "in a bit",
     "within a week", "within 3 business days", "whenever next week", "someday next month",
     "mid-april", "midweek", "early next month", "later this week", "the next few days",
     "next few days", "in the next 3 days", "in the coming weeks", "in the near future",
     "a few days from now", "sometime before friday", "next week sometime", "by sometime next week",
     "early", "tomorrow soon"],
)  # fmt: skip
def test_vague_phrases_are_refused_as_vague(text: str) -> None:
    assert "too vague" in assert_refused(text)


@pytest.mark.parametrize(
    ("text", "phrase"),
    [("sometime next week", "sometime next week"), ("by early next week", "early next week"),
     ("within a week", "within a week"), ("next week sometime", "sometime"), ("ASAP!", "asap")],
)  # fmt: skip
def test_the_vague_message_quotes_the_whole_vague_phrase(text: str, phrase: str) -> None:
    assert f'"{phrase}" is too vague to pick one day' in assert_refused(text)


def test_fri_3_stays_refused_as_ambiguous() -> None:
    assert 'understood "fri" but not "3"' in assert_refused("fri 3")


@pytest.mark.parametrize(
    "text",
    ["next blursday", "12345", "", "   ", "3", "call", "tomorrow !", "8PvBmrB7P7", "tomorrow blah", "next",
     "the", "in", "in 3", "in 3 bananas", "50/50", "1/2/3/4", "🙂", "tomorrow tomorrow",
     "apr 45", "april", "may", "this week", "last week", "in an hour", "by", "on the"],
)  # fmt: skip
def test_junk_is_refused(text: str) -> None:
    assert_refused(text)


@pytest.mark.parametrize("text", ["3pm", "10:30", "at 3pm", "noon", "morning", "3 pm"])
def test_a_time_alone_is_not_a_date(text: str) -> None:
    assert "time of day" in assert_refused(text)


def test_messages_say_what_was_understood_and_what_was_not() -> None:
    message = assert_refused("tomorrow blah")
    assert 'understood "tomorrow" but not "blah"' in message
    assert assert_refused("next blursday") == (
        'Couldn\'t read "next blursday" as a date. '
        "Try: tomorrow, fri, next tue, in 3 days, Apr 22, 2026-04-22."
    )


def test_a_weekday_that_disagrees_with_its_date_says_which_day_it_is() -> None:
    assert "April 24, 2026 is a Friday" in assert_refused("Thursday, April 24")


def test_dates_beyond_the_calendar_are_refused() -> None:
    with pytest.raises(ParseError, match="outside the calendar"):
        parsed("tomorrow", D.max)
    with pytest.raises(ParseError, match="outside the calendar"):
        parsed("yesterday", D.min)
    with pytest.raises(ParseError):
        parsed("in 9999 years")


def _least_cpu_seconds_to_refuse(text: str) -> float:
    """The least CPU time of a few refusals of `text`: what the work costs, without most of the noise
    of a shared machine (CPU time leaves out other processes' turns; the least leaves out the rest)."""
    least = math.inf
    for _ in range(7):
        start = time.process_time()
        with pytest.raises(ParseError):
            parsed(text)
        least = min(least, time.process_time() - start)
    return least


@pytest.mark.parametrize(
    ("repeated", "tail"), [("tomorrow ", ""), ("day after ", "tomorrow"), ("3 days from ", "now"), ("x", "")]
)
def test_long_repetitive_text_is_refused_in_time_linear_in_its_length(repeated: str, tail: str) -> None:
    short, long = repeated * 1_000 + tail, repeated * 10_000 + tail
    assert_refused(long)
    # Ten times the text may take ten times as long, and a shared machine's noise some more; work that grows
    # with the square of the length (backtracking, recursion the word cap no longer bounds) takes 100 times.
    assert _least_cpu_seconds_to_refuse(long) < 30 * _least_cpu_seconds_to_refuse(short)


# --- match_due_date in a /task command -----------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "start", "expected"),
    [
        ("call 8PvBmrB7P7 next fri at 3pm high", 2, (MAY[1], 6)),
        ("call 8PvBmrB7P7 next fri at 3pm high", 3, (APR[24], 6)),
        ("demo 8PvBmrB7P7 tomorrow, urgent", 2, (APR[23], 3)),
        ("follow-up 8PvBmrB7P7 3 days from now note: call back", 2, (APR[25], 6)),
        ("call 8PvBmrB7P7 Friday, April 24 at 10:30 am high", 2, (APR[24], 8)),
        ("call 8PvBmrB7P7 3pm tomorrow high", 2, (APR[23], 4)),
        ("call 8PvBmrB7P7 by eom!", 2, (APR[30], 4)),
        ("call 8PvBmrB7P7 tomorrow !! high", 2, (APR[23], 3)),  # "!!" may mean a priority
        ("call 8PvBmrB7P7 in 2 weeks for the demo", 2, (MAY[6], 5)),
        ("call 8PvBmrB7P7 the 30th with a deck", 2, (APR[30], 4)),
        ("call 8PvBmrB7P7 mon high", 2, (APR[27], 3)),
        ("call next week friday", 1, (MAY[1], 4)),
        ("call tomorrow 3 prospects", 1, (APR[23], 2)),
        ("call a week from today", 1, (APR[29], 5)),
        ("call 8PvBmrB7P7 22nd high", 2, (APR[22], 3)),
        ("call 8PvBmrB7P7 by 2nd", 2, (MAY[2], 4)),
        ("call 8PvBmrB7P7 2day urgent", 2, (APR[22], 3)),
        ("call 8PvBmrB7P7 coming fri high", 2, (APR[24], 4)),
        ("call 8PvBmrB7P7 next wk high", 2, (APR[27], 4)),
        ("call 8PvBmrB7P7 tmrw eve high", 2, (APR[23], 4)),
        ("call 8PvBmrB7P7 later today high", 2, (APR[22], 4)),
        ("call 8PvBmrB7P7 next week sometime", 2, (APR[27], 4)),  # "sometime" is left: vague
    ],
)
def test_match_finds_the_longest_date_phrase_in_a_command(
    command: str, start: int, expected: tuple[datetime.date, int]
) -> None:
    assert match_due_date(command.split(), start, today=WED) == expected


@pytest.mark.parametrize(
    "word",
    ["call", "demo", "high", "urgent", "follow-up", "note:", "8PvBmrB7P7", "for", "with", "3",
     "12345", "a", "an", "the", "in", "on", "by", "due", "at", "next", "this", "last", "end",
     "3pm", "noon", "2nd", "may", "march", "sat-call", "1st", "9th", "am", "pm", "early", "late",
     "later", "sometime", "soon", "coming", "wk"],
)  # fmt: skip
def test_ordinary_command_words_never_start_a_date(word: str) -> None:
    for words in ([word], [word, "prospect", "high"], ["call", word, "8PvBmrB7P7"]):
        start = words.index(word)
        assert match_due_date(words, start, today=WED) is None, words


def test_match_outside_the_words_is_none() -> None:
    words = ["tomorrow"]
    assert match_due_date(words, 1, today=WED) is None
    assert match_due_date(words, -1, today=WED) is None
    assert match_due_date([], 0, today=WED) is None


@pytest.mark.parametrize("words", [["31/02"], ["feb", "30", "high"], ["call", "2026-13-01"]])
def test_match_raises_on_a_plain_date_that_does_not_exist(words: list[str]) -> None:
    with pytest.raises(ParseError):
        match_due_date(words, len(words) - 1 if words[0] == "call" else 0, today=WED)


def test_match_keeps_day_first_for_numeric_dates() -> None:
    # Day-first, 5/4 is April 5, which has passed this year.
    assert match_due_date(["call", "5/4"], 1, today=WED, day_first=True) == (D(2027, 4, 5), 2)
    assert match_due_date(["call", "5/4"], 1, today=WED) == (MAY[4], 2)


# --- match_vague_date in a /task command ---------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "start", "end"),
    [
        ("sometime next week", 0, 3),
        ("call 8PvBmrB7P7 sometime next week high", 2, 5),
        ("Sometime Next Week!", 0, 3),
        ("early next week", 0, 3),
        ("late next week", 0, 3),
        ("mid next week", 0, 3),
        ("mid april", 0, 2),
        ("mid-april", 0, 1),
        ("late in the month", 0, 4),
        ("some day", 0, 2),
        ("call 8PvBmrB7P7 some day", 2, 4),
        ("some time next week", 0, 4),
        ("at some point next month", 1, 5),
        ("sometime", 0, 1),
        ("soon", 0, 1),
        ("call soon 3 prospects", 1, 2),  # "3" is not a date word on its own
        ("soon, tomorrow 3pm", 0, 1),  # the clear date after is left to match_due_date
        ("in a few days", 0, 4),
        ("follow-up 8PvBmrB7P7 in a few days note: x", 2, 6),
        ("a few days from now", 0, 5),
        ("few weeks", 0, 2),
        ("in several business days", 0, 4),
        ("in a while", 0, 3),
        ("in a little while", 0, 4),
        ("in a bit", 0, 3),
        ("later", 0, 1),
        ("demo later, urgent", 1, 2),
        ("later this week", 0, 3),
        ("whenever next week", 0, 3),
        ("whenever tomorrow", 0, 2),
        ("someday next month", 0, 3),
        ("within a week", 0, 3),
        ("within 3 business days high", 0, 4),
        ("the next few days", 0, 4),
        ("over the next couple of weeks", 0, 6),
        ("in the next 3 days high", 0, 5),
        ("in the coming weeks", 0, 4),
        ("in the near future", 0, 4),
        ("sometime before fri", 0, 3),
        ("next week sometime", 2, 3),
    ],
)
def test_match_vague_finds_the_whole_vague_phrase(command: str, start: int, end: int) -> None:
    words = command.split()
    assert match_vague_date(words, start) == end
    assert match_due_date(words, start, today=WED) is None


@pytest.mark.parametrize(
    "command",
    ["asap", "whenever", "someday", "whenever possible", "mid", "mid priority", "high", "urgent",
     "in 3 days", "next fri", "a couple of days", "in a couple of days", "next week", "the next week",
     "later today", "sometime tomorrow", "early tomorrow", "late fri", "in a few", "a few prospects",
     "few", "a while", "some prospects", "within", "early", "late fee", "the 22nd", "call",
     "8PvBmrB7P7", "3", "!!", "", "tomorrow soon"],
)  # fmt: skip
def test_match_vague_leaves_everything_else(command: str) -> None:
    assert match_vague_date(command.split(), 0) is None


def test_match_vague_outside_the_words_is_none() -> None:
    assert match_vague_date(["soon"], 1) is None
    assert match_vague_date(["soon"], -1) is None
    assert match_vague_date([], 0) is None


def test_vague_date_message() -> None:
    assert vague_date_message("sometime next week") == (
        "“sometime next week” is too vague to pick one day. "
        "Try: tomorrow, fri, next tue, in 3 days, Apr 22, 2026-04-22."
    )
    assert vague_date_message("soon " * 30).startswith("“soon soon")
    assert "…”" in vague_date_message("soon " * 30)


# --- Properties ----------------------------------------------------------------------------------

DATE_WORDS = [
    "today", "tomorrow", "tmrw", "fri", "friday", "mon", "next", "this", "last", "in", "a", "an",
    "3", "two", "days", "weeks", "months", "business", "working", "day", "after", "before", "from",
    "now", "ago", "the", "22nd", "of", "april", "apr", "22", "2026", "4/22", "22/4", "2026-04-22",
    "end", "eom", "eow", "week", "month", "weekend", "at", "3pm", "10:30", "noon", "on", "by",
    "due", ",", ".", "!", "x", "call", "high", "2day", "coming", "wk", "am", "eve", "sometime",
    "some", "soon", "early", "late", "later", "mid", "whenever", "within", "few", "several", "while",
    "near", "future", "over", "before",
]  # fmt: skip
TODAYS = st.dates(min_value=D(1, 1, 1), max_value=D(9999, 12, 31))
WORD_LISTS = st.lists(st.sampled_from(DATE_WORDS) | st.text(max_size=12), max_size=10)


@given(text=st.text(), today=TODAYS, day_first=st.booleans())
@example(text="\x00\x1f\u200b tomorrow \ufeff", today=WED, day_first=False)
@example(text="🙂 next fri 🙂", today=WED, day_first=True)
@example(text="²/³ ٣/٤ ४/२२", today=WED, day_first=False)
@settings(max_examples=300, deadline=None)
def test_any_text_gives_a_date_or_a_parse_error(
    text: str, today: datetime.date, day_first: bool
) -> None:
    try:
        result = parse_due_date(text, today=today, day_first=day_first)
    except ParseError as error:
        assert EXAMPLES in str(error)
    else:
        assert type(result) is datetime.date


@given(words=WORD_LISTS, start=st.integers(-3, 12), today=TODAYS, day_first=st.booleans())
@settings(max_examples=300, deadline=None)
def test_any_words_give_a_match_none_or_a_parse_error(
    words: list[str], start: int, today: datetime.date, day_first: bool
) -> None:
    try:
        found = match_due_date(words, start, today=today, day_first=day_first)
    except ParseError:
        return
    if found is not None:
        when, end = found
        assert type(when) is datetime.date
        assert start < end <= len(words)


@given(words=st.lists(st.sampled_from(DATE_WORDS), min_size=1, max_size=6), day_first=st.booleans())
@settings(max_examples=300, deadline=None)
def test_parse_is_match_from_the_first_word_consuming_all(
    words: list[str], day_first: bool
) -> None:
    try:
        found = match_due_date(words, 0, today=WED, day_first=day_first)
    except ParseError:
        found = None
    if found is not None and found[1] == len(words):
        assert parse_due_date(" ".join(words), today=WED, day_first=day_first) == found[0]
    else:
        with pytest.raises(ParseError):
            parse_due_date(" ".join(words), today=WED, day_first=day_first)


@given(words=WORD_LISTS, start=st.integers(-3, 12))
@settings(max_examples=500, deadline=None)
def test_a_vague_phrase_is_never_read_as_a_date(words: list[str], start: int) -> None:
    end = match_vague_date(words, start)
    if end is not None:
        assert start < end <= len(words)
        assert match_due_date(words, start, today=WED) is None


WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
RECENT_DAYS = st.dates(min_value=D(2000, 1, 1), max_value=D(2100, 12, 31))


@given(today=RECENT_DAYS, weekday=st.integers(0, 6))
def test_weekday_conventions_hold_on_any_day(today: datetime.date, weekday: int) -> None:
    name = WEEKDAY_NAMES[weekday]
    monday = today - datetime.timedelta(days=today.weekday())
    bare, this = parsed(name, today), parsed(f"this {name}", today)
    next_ = parsed(f"next {name}", today)
    assert bare.weekday() == this.weekday() == next_.weekday() == weekday
    assert 1 <= (bare - today).days <= 7
    assert 0 <= (this - today).days <= 6
    assert next_ - datetime.timedelta(days=weekday) == monday + datetime.timedelta(days=7)
    assert parsed(f"{name} after next", today) == bare + datetime.timedelta(days=7)
    assert parsed(f"{name} next week", today) == next_


@given(today=RECENT_DAYS, days=st.integers(0, 999))
def test_in_n_days_is_n_days_later(today: datetime.date, days: int) -> None:
    assert parsed(f"in {days} days", today) == today + datetime.timedelta(days=days)
    assert parsed(f"{days} days ago", today) == today - datetime.timedelta(days=days)


@given(today=RECENT_DAYS, count=st.integers(1, 60))
def test_business_days_land_on_weekdays_and_count_each_one(
    today: datetime.date, count: int
) -> None:
    landed = parsed(f"in {count} business days", today)
    assert landed.weekday() < 5
    between = (today + datetime.timedelta(days=n) for n in range(1, (landed - today).days + 1))
    assert sum(day.weekday() < 5 for day in between) == count


MON_30_NOV = datetime.date(2026, 11, 30)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tomorrow @ 3pm", datetime.date(2026, 12, 1)),
        ("tomorrow @3pm", datetime.date(2026, 12, 1)),
        ("thu 2:30pm PST", datetime.date(2026, 12, 3)),
        ("fri 3:30 pm CET", datetime.date(2026, 12, 4)),
        ("tomorrow 15h", datetime.date(2026, 12, 1)),
        ("tomorrow 15h30 UTC-5", datetime.date(2026, 12, 1)),
        ("tomorrow noon +02:00", datetime.date(2026, 12, 1)),
        ("tomorrow eod GMT", datetime.date(2026, 12, 1)),
        ("2026-12-03T15:00:00Z", datetime.date(2026, 12, 3)),
        ("2026-12-03t15:00+01:00", datetime.date(2026, 12, 3)),
        ("Q3", datetime.date(2027, 7, 1)),
        ("Q1", datetime.date(2027, 1, 1)),
        ("end of Q4", datetime.date(2026, 12, 31)),
        ("end of Q2", datetime.date(2027, 6, 30)),
        ("eoq1", datetime.date(2027, 3, 31)),
        ("H2", datetime.date(2027, 7, 1)),
        ("end of H2", datetime.date(2026, 12, 31)),
        ("christmas", datetime.date(2026, 12, 25)),
        ("xmas eve", datetime.date(2026, 12, 24)),
        ("new year's day", datetime.date(2027, 1, 1)),
        ("NYE", datetime.date(2026, 12, 31)),
        ("thanksgiving", datetime.date(2027, 11, 25)),
        ("labor day", datetime.date(2027, 9, 6)),
        ("memorial day", datetime.date(2027, 5, 31)),
        ("independence day", datetime.date(2027, 7, 4)),
        ("fourth of july", datetime.date(2027, 7, 4)),
        ("the twenty-second", datetime.date(2026, 12, 22)),
        ("December first", datetime.date(2026, 12, 1)),
        ("the third of december", datetime.date(2026, 12, 3)),
        ("in three days", datetime.date(2026, 12, 3)),
        ("in twenty-one days", datetime.date(2026, 12, 21)),
        ("tomorrow pls", datetime.date(2026, 12, 1)),
        ("fri thx", datetime.date(2026, 12, 4)),
    ],
)
def test_the_long_tail_reps_type(text: str, expected: datetime.date) -> None:
    assert parse_due_date(text, today=MON_30_NOV) == expected


@pytest.mark.parametrize("text", ["mid april", "early december", "late jan", "Q3FY26", "3pm cat"])
def test_still_not_one_definite_date(text: str) -> None:
    with pytest.raises(ParseError):
        parse_due_date(text, today=MON_30_NOV)
