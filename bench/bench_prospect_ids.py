"""How well the /task reader tells prospect IDs from other words, on data (the README quotes it).

Run from the repository root: `python bench/bench_prospect_ids.py` (needs the `test` extra: wordfreq).
Prints the share of 10,000 random base62 IDs of 8–10 characters read as IDs (the goal: at least
99.5%), and the share of each group of words that are not IDs but would be taken for one (the goal:
at most 0.5% of them all), with a few examples of each mistake; then the time per word.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.parsing.prospect_ids import looks_like_prospect_id
from tests.id_samples import not_ids, random_ids


def share(words: list[str]) -> tuple[float, list[str]]:
    taken = [w for w in words if looks_like_prospect_id(w)]
    return len(taken) / len(words), taken


def main() -> None:
    ids = random_ids()
    rate, _ = share(ids)
    missed = [w for w in ids if not looks_like_prospect_id(w)]
    print(f"random IDs read as IDs: {rate:.2%} of {len(ids):,} (missed e.g. {', '.join(missed[:6])})")
    groups = not_ids()
    mistaken_total = words_total = 0
    for name, words in groups.items():
        group_rate, taken = share(words)
        mistaken_total += len(taken)
        words_total += len(words)
        examples = ", ".join(taken[:6]) or "—"
        print(f"  {name}: {group_rate:.2%} of {len(words):,} taken as IDs (e.g. {examples})")
    print(f"words that are not IDs taken as IDs: {mistaken_total / words_total:.2%} of {words_total:,}")
    sample = ids[:2000] + groups["10,000 English words"][:2000]
    timings = []
    for word in sample:
        started = time.perf_counter_ns()
        looks_like_prospect_id(word)
        timings.append(time.perf_counter_ns() - started)
    print(f"median {statistics.median(timings) / 1000:.1f} µs per word")


if __name__ == "__main__":
    main()
