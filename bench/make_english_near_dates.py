"""Writes bot/parsing/english_near_dates.py: the common English words the date-typo rule must not read.

Run from the repository root with the `bench` extra installed: `python bench/make_english_near_dates.py`.
The words are wordfreq's 10,000 most common English words (letters only) that are no date word but that
the rule in `bot.parsing.date_typos` would read as one without this list (`match` as March, `tom` as
tomorrow, `money` as Monday). tests/test_date_typos.py fails when the file is out of date: after a change
to the rule or to the vocabulary, run this again.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.parsing.date_typos import build_typo_reader  # noqa: E402
from bot.parsing.date_words import all_date_words  # noqa: E402

TARGET = ROOT / "bot" / "parsing" / "english_near_dates.py"
COMMON = 10_000


def common_words_near_dates() -> list[str]:
    """The common English words the rule reads as a date word when nothing protects them."""
    import wordfreq

    unguarded = build_typo_reader(common_words=())
    known = all_date_words()
    english = (w for w in wordfreq.top_n_list("en", COMMON) if re.fullmatch("[a-z]+", w))
    return sorted(w for w in english if w not in known and unguarded.match(w) is not None)


def render(words: list[str]) -> str:
    """The module's text: the words quoted, as many to a line as fit in 100 characters."""
    lines, line = [], ""
    for word in (f'"{w}",' for w in words):
        if line and len(line) + len(word) + 1 > 100:
            lines.append(line)
            line = ""
        line = f"{line} {word}" if line else word
    body = "".join(f"        {text}\n" for text in [*lines, line] if text)
    return HEADER.format(count=len(words), common=f"{COMMON:,}") + body + "    }\n)\n"


HEADER = '''"""The {count} of the {common} most common English words that the date-typo rule would read
as a date word (`match` as March, `tom` as tomorrow): never read as one. Made by
bench/make_english_near_dates.py from wordfreq's list (its data is CC BY-SA 4.0). Do not edit by hand."""

COMMON_WORDS_NEAR_DATES = frozenset(
    {{
'''


def main() -> None:
    words = common_words_near_dates()
    TARGET.write_text(render(words))
    print(f"wrote {TARGET} with {len(words)} words")


if __name__ == "__main__":
    main()
