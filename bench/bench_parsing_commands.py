"""How fast `parse_command` reads whole /task texts, next to dateparser reading only their dates.

Run from the repository root: `python bench/bench_parsing_commands.py`. Prints the median time per
command over a corpus of realistic /task texts (goal: under 50 µs), and, in the same run, the median
time dateparser (when installed) takes for the date phrase alone of each command, as a ratio: a
reference that does a fraction of our work.
"""

from __future__ import annotations

import datetime
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.parsing import parse_command

TODAY = datetime.date(2026, 4, 22)
REPETITIONS = 2000
DATEPARSER_REPETITIONS = 30

CORPUS: tuple[tuple[str, str], ...] = (
    ("call follow-up tomorrow high 8PvBmrB7P7", "tomorrow"),
    ("li msg next fri 8PvBmrB7P7, Pr9xQ2Lm note: mention the webinar", "next fri"),
    ("demo in 3 business days urgent 8PvBmrB7P7", "in 3 business days"),
    ("<https://my.saleshandy.com/prospects/8PvBmrB7P7|Jane Doe> connect eow", "eow"),
    ("wa call Pr9xQ2Lm friday at 3pm p2", "friday at 3pm"),
    ("follow up with 8PvBmrB7P7 by eom priority low \"send the pricing sheet\"", "eom"),
    ("inmail Mw5Mjoo1wb Apr 30", "Apr 30"),
    ("reminder 8PvBmrB7P7 Pr9xQ2Lm Mw5Mjoo1wb Zx81Kq2w in 2 weeks", "in 2 weeks"),
    ("view profile 8PvBmrB7P7 2026-05-04 !!", "2026-05-04"),
    ("intro call 8PvBmrB7P7 next tue 10:30 -- ask for the CFO", "next tue 10:30"),
)


def median_microseconds(run: Callable[[], object], repetitions: int) -> float:
    timings = []
    for _ in range(repetitions):
        started = time.perf_counter_ns()
        run()
        timings.append(time.perf_counter_ns() - started)
    return statistics.median(timings) / 1000


def main() -> None:
    ours = [
        median_microseconds(lambda text=text: parse_command(text, today=TODAY), REPETITIONS)
        for text, _ in CORPUS
    ]
    print(f"parse_command: median {statistics.median(ours):.1f} µs per command over {len(CORPUS)} "
          f"commands (slowest {max(ours):.1f} µs; goal < 50 µs)")
    try:
        import dateparser
    except ImportError:
        print("dateparser is not installed (pip install -e '.[bench]'): no reference column")
        return
    base = datetime.datetime.combine(TODAY, datetime.time(12))
    settings = {"RELATIVE_BASE": base, "PREFER_DATES_FROM": "future"}
    theirs = [
        median_microseconds(lambda phrase=phrase: dateparser.parse(phrase, settings=settings),
                            DATEPARSER_REPETITIONS)
        for _, phrase in CORPUS
    ]
    ratio = statistics.median(theirs) / statistics.median(ours)
    print(f"dateparser, date phrase only: median {statistics.median(theirs):.1f} µs")
    print(f"ratio: dateparser on the date alone takes {ratio:.0f}× as long as our whole command")


if __name__ == "__main__":
    main()
