"""How fast `parse_due_date` reads realistic due dates, next to `dateparser` on the same phrases.

Run from the repository root: `python bench/bench_parsing_dates.py`. Prints the median time per call
for each phrase and the median over the corpus, for ours and (when it is installed) for dateparser,
with the ratio and how many phrases dateparser read as the same date. The goal for ours is a median
under 20 µs per phrase. Last, how long `match_vague_date` takes on the words the /task parser asks it
about: mostly words that cannot begin a vague phrase, which should cost one set lookup.
"""

from __future__ import annotations

import datetime
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

TODAY = datetime.date(2026, 4, 22)  # a Wednesday
OUR_REPETITIONS = 2000
DATEPARSER_REPETITIONS = 30  # dateparser takes milliseconds a call; more would only take longer

CORPUS = (
    "today", "eod", "tomorrow", "tmrw", "the day after tomorrow", "tomorrow 3pm", "3pm tomorrow",
    "fri", "Mon.", "thurs", "fri at 10:30", "this friday", "next tue", "next fri 3:30pm",
    "wed after next", "friday next week", "this weekend", "next weekend", "in 3 days",
    "in a couple of weeks", "in 2 months", "3 days from now", "a week from today",
    "2 weeks from friday", "+3d", "2w", "next business day", "in 3 business days", "next week",
    "next month", "beginning of next month", "eow", "end of next week", "eom", "end of quarter",
    "by eom", "Apr 22", "22nd of April", "the 30th", "Friday, April 24", "2026-05-04", "4/30",
    "5/4/2026", "last friday", "2 days ago", "tommorow", "wendesday", "2day", "coming fri",
    "next wk", "22nd", "tmrw eve", "later today",
)  # fmt: skip
VAGUE_PROBES = (
    (["call", "8PvBmrB7P7", "high"], 1), (["call", "8PvBmrB7P7", "high"], 2),
    (["sometime", "next", "week"], 0), (["in", "a", "few", "days"], 0), (["next", "fri"], 0),
)  # fmt: skip


Probe = TypeVar("Probe")


def microseconds(read: Callable[[Probe], object], phrase: Probe, repetitions: int) -> float:
    """The median time of one call, over `repetitions` calls."""
    timings = []
    for _ in range(repetitions):
        started = time.perf_counter_ns()
        read(phrase)
        timings.append(time.perf_counter_ns() - started)
    return statistics.median(timings) / 1000


def our_reader() -> Callable[[str], datetime.date]:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bot.parsing.dates import parse_due_date

    def read(phrase: str) -> datetime.date:
        return parse_due_date(phrase, today=TODAY)

    return read


def vague_matcher() -> Callable[[tuple[list[str], int]], int | None]:
    from bot.parsing.dates import match_vague_date

    def match(probe: tuple[list[str], int]) -> int | None:
        return match_vague_date(*probe)

    return match


def dateparser_reader() -> Callable[[str], datetime.date | None] | None:
    try:
        import dateparser
    except ImportError:
        return None
    settings = {
        "RELATIVE_BASE": datetime.datetime.combine(TODAY, datetime.time(12), datetime.UTC),
        "PREFER_DATES_FROM": "future",
    }

    def read(phrase: str) -> datetime.date | None:
        parsed = dateparser.parse(phrase, settings=settings)  # type: ignore[arg-type]
        return None if parsed is None else parsed.date()

    return read


def main() -> None:
    ours, theirs = our_reader(), dateparser_reader()
    if theirs is None:
        print("dateparser is not importable: its column is skipped")
    print(f"today = {TODAY} ({TODAY:%A}); medians in µs per call")
    print(f"{'phrase':<26} {'ours':>8} {'dateparser':>11}  ours → / dateparser →")
    our_medians, their_medians, agreed = [], [], 0
    for phrase in CORPUS:
        our_date = ours(phrase)
        our_medians.append(microseconds(ours, phrase, OUR_REPETITIONS))
        line = f"{phrase:<26} {our_medians[-1]:8.2f}"
        if theirs is not None:
            their_date = theirs(phrase)
            agreed += their_date == our_date
            their_medians.append(microseconds(theirs, phrase, DATEPARSER_REPETITIONS))
            line += f" {their_medians[-1]:11.1f}  {our_date} / {their_date}"
        else:
            line += f"  {our_date}"
        print(line)
    our_overall = statistics.median(our_medians)
    print(f"\nours: median {our_overall:.2f} µs per phrase over {len(CORPUS)} phrases")
    if theirs is not None:
        their_overall = statistics.median(their_medians)
        print(f"dateparser: median {their_overall:.1f} µs per phrase")
        print(f"ratio: dateparser takes {their_overall / our_overall:.0f}× as long")
        print(f"same date as ours: {agreed} of {len(CORPUS)} phrases")
    match = vague_matcher()
    print("\nmatch_vague_date, µs per call:")
    for probe in VAGUE_PROBES:
        words, start = probe
        took = microseconds(match, probe, OUR_REPETITIONS)
        print(f"  {' '.join(words)!r} at {start} ({words[start]!r}): {took:.2f} → {match(probe)}")


if __name__ == "__main__":
    main()
