"""Is a word in free text a Saleshandy prospect ID? A likelihood ratio, measured on data.

Saleshandy's IDs are hashes: 8–10 characters, each one of 62 (digits, lower and upper case letters)
about equally likely (`8PvBmrB7P7`, `Pr9xQ2Lm`, `jzRkmgMdwA`). Words people make are built of parts
that spell: English-looking words (`Budget`, `Phone`), acronyms (`SKU`, `FY`), numbers and single
letters (`iPhone12`, `Win11Pro`, `SKU12345`). So a word is scored twice:

- as a hash: 1/62 per character, times how likely its length is for an ID (8–10: 0.3 each; 6, 7 and
  11–16: 0.01 each);
- as a made word: split into parts (`Win|11|Pro`), each part scored (a word part by how English
  spells, letter pair by letter pair, from `english_bigrams`; an acronym as random capitals, a third
  as likely per letter past the third; a number 1/10 per digit; a single letter 1/26), times 0.1 for
  each extra part.

It is an ID when the hash reading is at least e^-1 times as likely as the made-word reading (e^7 times
more likely for a word of one part: all lower case, all capitals, or Capitalised). Fiscal periods
(`Q4FY26`, `FY2026`, `H2FY27`, `2026Q3`) are never IDs. bench/bench_prospect_ids.py measures the rule;
the README has its figures.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from itertools import pairwise

from bot.parsing.english_bigrams import COLUMNS, ROWS

_ALPHANUMERIC = re.compile(r"[A-Za-z0-9]+")
_PARTS = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
"""CamelCase and class changes split a word: `iPhone12` → i, Phone, 12; `HTMLParser` → HTML, Parser."""
_FISCAL_PERIOD = re.compile(r"(?:[QH][1-4])?(?:FY|CY)?(?:[0-9]{2}|[0-9]{4})(?:[QH][1-4])?", re.IGNORECASE)

_PER_HASH_CHARACTER = -math.log(62)
_ID_LENGTH_ODDS = {8: 0.3, 9: 0.3, 10: 0.3}
_OTHER_ID_LENGTH_ODDS = 0.01
_EXTRA_PART = math.log(0.1)
_PART_KIND = {
    "number": math.log(0.3), "letter": math.log(0.3), "acronym": math.log(0.2), "word": math.log(0.4),
}
_PER_DIGIT = math.log(0.1)
_PER_LETTER = -math.log(26)
_LONG_ACRONYM_LETTER = math.log(0.3)
THRESHOLD = -1.0
"""Natural log of the odds (hash : made word) from which a word of several parts is an ID."""
ONE_PART_THRESHOLD = 7.0
"""The same for a word of one part, which would be an ordinary word, a name or an acronym."""


@lru_cache(maxsize=1)
def _letter_pairs() -> dict[tuple[str, str], float]:
    table: dict[tuple[str, str], float] = {}
    for row in ROWS:
        first, *costs = row.split()
        for second, cost in zip(COLUMNS, costs, strict=True):
            table[first, second] = -int(cost) / 100
    return table


def _spelling(letters: str) -> float:
    """ln P(letters as an English word), letter pair by letter pair, from its start to its end."""
    pairs = _letter_pairs()
    marked = f"^{letters.lower()}$"
    return sum(pairs[a, b] for a, b in pairwise(marked))


def _part(part: str) -> float:
    if part.isdigit():
        return _PART_KIND["number"] + _PER_DIGIT * len(part)
    if len(part) == 1:
        return _PART_KIND["letter"] + _PER_LETTER
    if part.isupper():
        as_acronym = _PER_LETTER * len(part) + _LONG_ACRONYM_LETTER * max(0, len(part) - 3)
        return _PART_KIND["acronym"] + max(as_acronym, _spelling(part))
    return _PART_KIND["word"] + _spelling(part)


def id_evidence(word: str) -> float:
    """ln of how much likelier `word` is as a random ID than as a word someone made (letters and
    digits only); positive favours an ID."""
    parts = _PARTS.findall(word)
    length_odds = _ID_LENGTH_ODDS.get(len(word), _OTHER_ID_LENGTH_ODDS)
    as_hash = _PER_HASH_CHARACTER * len(word) + math.log(length_odds)
    as_made = sum(_part(p) for p in parts) + _EXTRA_PART * (len(parts) - 1)
    return as_hash - as_made


def looks_like_prospect_id(word: str, *, min_length: int = 6, max_length: int = 16) -> bool:
    """`word` is shaped like one of Saleshandy's IDs and unlike any word a person would make (see the
    module's docstring for the rule and bench/bench_prospect_ids.py for its measured rates)."""
    if not (min_length <= len(word) <= max_length and _ALPHANUMERIC.fullmatch(word)) or word.isdigit():
        return False
    if _FISCAL_PERIOD.fullmatch(word):
        return False
    one_part = len(_PARTS.findall(word)) == 1
    return id_evidence(word) > (ONE_PART_THRESHOLD if one_part else THRESHOLD)
