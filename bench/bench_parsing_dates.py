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
OUR_REPETITIONS = 200
DATEPARSER_REPETITIONS = 3  # dateparser takes milliseconds a call; more would only take longer

CORPUS_FILE = Path(__file__).resolve().parent / "date_corpus.tsv"
"""507 phrases with their dates (bench/make_date_corpus.py; each group names its public source)."""


def load_corpus() -> list[tuple[str, datetime.date]]:
    lines = [line.rstrip("\n").split("\t") for line in CORPUS_FILE.read_text().splitlines()]
    rows = [(phrase, when) for phrase, when, _ in lines if not phrase.startswith("#")]
    return [(phrase, datetime.date.fromisoformat(when)) for phrase, when in rows]


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


def our_reader() -> Callable[[str], datetime.date | None]:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bot.parsing.dates import parse_due_date
    from bot.parsing.errors import ParseError

    def read(phrase: str) -> datetime.date | None:
        try:
            return parse_due_date(phrase, today=TODAY)
        except ParseError:
            return None

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
    corpus = load_corpus()
    if theirs is None:
        print("dateparser is not importable: its column is skipped")
    print(f"today = {TODAY} ({TODAY:%A}); {len(corpus)} phrases from {CORPUS_FILE.name}")
    our_right = their_right = 0
    our_medians, their_medians = [], []
    for phrase, expected in corpus:
        our_date = ours(phrase)
        our_right += our_date == expected
        our_medians.append(microseconds(ours, phrase, OUR_REPETITIONS))
        if theirs is not None:
            their_date = theirs(phrase)
            their_right += their_date == expected
            their_medians.append(microseconds(theirs, phrase, DATEPARSER_REPETITIONS))
            if their_date != expected and "-v" in sys.argv:
                print(f"  dateparser: {phrase!r} → {their_date} (expected {expected})")
        if our_date != expected:
            print(f"  ours: {phrase!r} → {our_date} (expected {expected})")
    our_overall = statistics.median(our_medians)
    print(f"\nours: {our_right} of {len(corpus)} right ({our_right / len(corpus):.1%}), "
          f"median {our_overall:.2f} µs per phrase")
    if theirs is not None:
        their_overall = statistics.median(their_medians)
        print(f"dateparser: {their_right} of {len(corpus)} right ({their_right / len(corpus):.1%}), "
              f"median {their_overall:.1f} µs per phrase ({their_overall / our_overall:.0f}× as long)")
    match = vague_matcher()
    print("\nmatch_vague_date, µs per call:")
    for probe in VAGUE_PROBES:
        words, start = probe
        took = microseconds(match, probe, OUR_REPETITIONS)
        print(f"  {' '.join(words)!r} at {start} ({words[start]!r}): {took:.2f} → {match(probe)}")


if __name__ == "__main__":
    main()
