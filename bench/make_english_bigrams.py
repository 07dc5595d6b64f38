"""Writes bot/parsing/english_bigrams.py: how English spells, as letter-pair log-probabilities.

Run from the repository root with the `bench` extra installed: `python bench/make_english_bigrams.py`.
The counts come from wordfreq's English words ranked 10,001 to 60,000 (letters only): disjoint from
the 10,000 most common words that bench/bench_prospect_ids.py measures the ID rule against, so the
rule is not measured on the words it learned from. Add-½ smoothing; natural logs × 100, rounded.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from itertools import pairwise
from pathlib import Path

import wordfreq

LETTERS = "abcdefghijklmnopqrstuvwxyz"
TARGET = Path(__file__).resolve().parent.parent / "bot" / "parsing" / "english_bigrams.py"


def main() -> None:
    words = [w for w in wordfreq.top_n_list("en", 60_000)[10_000:] if re.fullmatch("[a-z]+", w)]
    pairs: Counter[tuple[str, str]] = Counter()
    for word in words:
        marked = f"^{word}$"
        pairs.update(pairwise(marked))
    rows = []
    for first in "^" + LETTERS:
        total = sum(pairs[first, second] for second in LETTERS + "$") + 0.5 * 27
        row = [round(100 * math.log((pairs[first, second] + 0.5) / total)) for second in LETTERS + "$"]
        rows.append(f'    "{first} ' + " ".join(str(-n) for n in row) + '",')
    TARGET.write_text(HEADER.format(count=len(words)) + "\n".join(rows) + "\n)\n")
    print(f"wrote {TARGET} from {len(words)} words")


HEADER = '''"""How English spells: -100 × ln P(next letter | letter) for each pair, "^" the start of a
word and "$" its end (the last column). Made by bench/make_english_bigrams.py from {count} of
wordfreq's English words (ranked 10,001–60,000; wordfreq's data is CC BY-SA 4.0). Do not edit by hand."""

COLUMNS = "abcdefghijklmnopqrstuvwxyz$"
ROWS = (
'''

if __name__ == "__main__":
    main()
