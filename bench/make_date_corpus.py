"""Writes bench/date_corpus.tsv: due-date phrases with the date each names, relative to a fixed today.

Run from the repository root: `python bench/make_date_corpus.py`. The phrase forms come from public
date-parsing test suites (each group names its source); each form is filled in systematically and its
expected date is computed here by plain calendar arithmetic under the README's rules ("Due dates"),
never by the parser being measured. Columns: phrase, expected ISO date, source.
"""

from __future__ import annotations

import calendar
import datetime
from pathlib import Path

TODAY = datetime.date(2026, 4, 22)  # a Wednesday
TARGET = Path(__file__).resolve().parent / "date_corpus.tsv"
DAY = datetime.timedelta(days=1)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = [calendar.month_name[m] for m in range(1, 13)]
NUMBERS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
            "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth",
            "eighteenth", "nineteenth", "twentieth", "twenty-first", "twenty-second", "twenty-third",
            "twenty-fourth", "twenty-fifth", "twenty-sixth", "twenty-seventh", "twenty-eighth",
            "twenty-ninth", "thirtieth", "thirty-first")  # fmt: skip
RELATIVE = "Dheerendra-123/Human_Date_Parser_PY_Library tests/test_parser.py; innlouvate/date_language datecalc_test.py"
TIMES = "pertile/date-parser test_dateparser.py (tomorrow 10am, today 11pm, tmrw)"
EVENTS = "aridevelopment-de/datetimeparser tests/relative_events.py (christmas, new years eve, next friday)"
FORMATS = "ISO 8601 and the US m/d/yyyy form, as in every suite above"


def next_occurrence(month: int, day: int) -> datetime.date:
    this_year = datetime.date(TODAY.year, month, day)
    return this_year if this_year >= TODAY else this_year.replace(year=TODAY.year + 1)


def coming(weekday: int) -> datetime.date:
    return TODAY + ((weekday - TODAY.weekday() - 1) % 7 + 1) * DAY


def nth_weekday(year: int, month: int, weekday: int, nth: int) -> datetime.date:
    days = [d for d in range(1, calendar.monthrange(year, month)[1] + 1)
            if datetime.date(year, month, d).weekday() == weekday]  # fmt: skip
    return datetime.date(year, month, days[nth])


def ordinal_suffix(day: int) -> str:
    return "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def rows() -> list[tuple[str, datetime.date, str]]:
    out: list[tuple[str, datetime.date, str]] = []
    for n in range(1, 31):
        out += [(f"in {n} days", TODAY + n * DAY, RELATIVE), (f"{n} days from now", TODAY + n * DAY, RELATIVE)]
    for n in range(1, 9):
        out += [(f"in {n} weeks", TODAY + 7 * n * DAY, RELATIVE), (f"{n} weeks ago", TODAY - 7 * n * DAY, RELATIVE)]
    for n, word in enumerate(NUMBERS, 1):
        out.append((f"in {word} days", TODAY + n * DAY, RELATIVE))
    for n in range(1, 11):
        out.append((f"{n} days ago", TODAY - n * DAY, RELATIVE))
    out += [("today", TODAY, RELATIVE), ("tomorrow", TODAY + DAY, RELATIVE), ("tmrw", TODAY + DAY, TIMES),
            ("yesterday", TODAY - DAY, RELATIVE), ("the day after tomorrow", TODAY + 2 * DAY, RELATIVE)]  # fmt: skip
    monday = TODAY - TODAY.weekday() * DAY
    for index, name in enumerate(WEEKDAYS):
        this = TODAY + ((index - TODAY.weekday()) % 7) * DAY
        last = TODAY - ((TODAY.weekday() - index - 1) % 7 + 1) * DAY
        out += [(name, coming(index), EVENTS), (name.capitalize(), coming(index), EVENTS),
                (name[:3], coming(index), EVENTS), (f"next {name}", monday + (7 + index) * DAY, EVENTS),
                (f"this {name}", this, RELATIVE), (f"last {name}", last, RELATIVE)]  # fmt: skip
    for hour in range(1, 12, 2):
        out += [(f"tomorrow {hour}am", TODAY + DAY, TIMES), (f"tomorrow at {hour}pm", TODAY + DAY, TIMES),
                (f"today {hour}:30 pm PST", TODAY, TIMES), (f"friday @ {hour}pm", coming(4), TIMES)]  # fmt: skip
    for month in range(1, 13):
        name = MONTHS[month - 1]
        for day in (1, 15, 28):
            when, dated = next_occurrence(month, day), datetime.date(2027, month, day)
            out += [(f"{name[:3]} {day}", when, EVENTS), (f"{name} {day}", when, EVENTS),
                    (f"{day} {name}", when, EVENTS), (f"{name} {day}{ordinal_suffix(day)}", when, EVENTS),
                    (f"{name} {day}, 2027", dated, FORMATS), (f"{day} {name[:3]} 2027", dated, FORMATS)]  # fmt: skip
        for day in (3, 19):
            dated = datetime.date(2027, month, day)
            out += [(dated.isoformat(), dated, FORMATS), (f"{month}/{day}/2027", dated, FORMATS),
                    (f"{dated.isoformat()}T15:00:00Z", dated, FORMATS)]  # fmt: skip
    for day, word in enumerate(ORDINALS, 1):
        month_start = TODAY.replace(day=1)
        fits = day <= calendar.monthrange(TODAY.year, TODAY.month)[1]
        when = TODAY.replace(day=day) if fits and day >= TODAY.day else None
        if when is None:
            nxt = (month_start + 32 * DAY).replace(day=1)
            while day > calendar.monthrange(nxt.year, nxt.month)[1]:
                nxt = (nxt + 32 * DAY).replace(day=1)
            when = nxt.replace(day=day)
        out.append((f"the {word}", when, RELATIVE))
    year = TODAY.year
    out += [("christmas", next_occurrence(12, 25), EVENTS), ("xmas", next_occurrence(12, 25), EVENTS),
            ("new years eve", next_occurrence(12, 31), EVENTS), ("new year's day", next_occurrence(1, 1), EVENTS),
            ("halloween", next_occurrence(10, 31), EVENTS),
            ("thanksgiving", nth_weekday(year, 11, 3, 3), EVENTS),
            ("labor day", nth_weekday(year, 9, 0, 0), EVENTS),
            ("memorial day", nth_weekday(year, 5, 0, -1), EVENTS),
            ("independence day", next_occurrence(7, 4), EVENTS),
            ("next week", monday + 7 * DAY, RELATIVE), ("eom", datetime.date(2026, 4, 30), RELATIVE),
            ("end of month", datetime.date(2026, 4, 30), RELATIVE),
            ("next month", datetime.date(2026, 5, 1), RELATIVE)]  # fmt: skip
    for quarter, (first, last) in enumerate(((1, 3), (4, 6), (7, 9), (10, 12)), 1):
        start = datetime.date(year, first, 1)
        end = datetime.date(year, last, calendar.monthrange(year, last)[1])
        out += [(f"Q{quarter}", start if start >= TODAY else start.replace(year=year + 1), EVENTS),
                (f"end of Q{quarter}", end if end >= TODAY else end.replace(year=year + 1), EVENTS)]  # fmt: skip
    return out


def main() -> None:
    lines = ["# phrase\texpected\tsource (phrase forms; dates by the README's rules, today = 2026-04-22)"]
    lines += [f"{phrase}\t{when.isoformat()}\t{source}" for phrase, when, source in rows()]
    TARGET.write_text("\n".join(lines) + "\n")
    print(f"wrote {len(lines) - 1} phrases to {TARGET}")


if __name__ == "__main__":
    main()
