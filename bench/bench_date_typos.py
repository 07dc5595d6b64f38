"""How well the date reader reads slips in date words and leaves other words alone (the README quotes it).

Run from the repository root: `python bench/bench_date_typos.py` (needs the `test` extra: wordfreq).
Prints, for typos of every date word a slip is read as (`bot.parsing.date_typos.TYPO_TARGETS`), the
share read as the word meant, by word length and number of edits: all typos one edit away, and 300 a
word two edits away from a seeded RNG (tests/date_typo_samples.py says how they are made). The goals,
for words of 6 letters or more: 95% of 1-edit typos, 80% of 2-edit. Then the share of other words read
as a date word: the 10,000 most common English words and the app's words (goal: none of the app's,
at most 0.1% of the English), random prospect IDs and code words, and English words ranked
10,001–50,000, which the shipped list of common words does not cover (the rule's own rate). Last, the
time `normalise` takes for a word it has not seen (its answers are cached) and for one it has.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.parsing import date_typos
from tests.date_typo_samples import english_words, measure, one_edit_typos


def microseconds_per_word(words: list[str], *, cold: bool) -> float:
    """The median time `normalise` takes for each word; `cold` empties its cache before each, otherwise
    every word is read once before."""
    for word in words:
        date_typos.normalise(word)
    timings = []
    for word in words:
        if cold:
            date_typos._read_slip.cache_clear()
        started = time.perf_counter_ns()
        date_typos.normalise(word)
        timings.append(time.perf_counter_ns() - started)
    return statistics.median(timings) / 1000


def main() -> None:
    started = time.perf_counter()
    figures = measure()
    print("\n".join(figures.lines()))
    print(f"(measured in {time.perf_counter() - started:.1f} s)")
    others = english_words(10_000, 12_000)
    typos = sorted(t for word in ("wednesday", "tomorrow", "friday", "june") for t in one_edit_typos(word))
    for name, words in (("other words", others), ("typos of date words", typos)):
        print(f"normalise, {name}: {microseconds_per_word(words, cold=True):.1f} µs a word not seen "
              f"before, {microseconds_per_word(words, cold=False):.2f} µs once seen")


if __name__ == "__main__":
    main()
