"""The samples the prospect-ID rule is measured on (tests/test_prospect_ids.py, bench/bench_prospect_ids.py).

IDs: random base62 strings of 8–10 characters, as Saleshandy's API makes them, from a seeded RNG.
Not IDs, in four groups, each as reps type it (lower case, Capitalised, UPPER CASE where it applies):
- the app's own vocabulary (task types, priorities, date words, filler),
- typos of that vocabulary within two edits (a letter dropped, added, changed or two swapped),
- the 10,000 most common English words (wordfreq's list: the `test` extra installs it),
- product, version, fiscal and code words: tests/data/code_words.txt, plus words made the way they are
  made (`Budget2026`, `SalesPlan`, `ISO27001`, `Q3FY26`, `iPad12Pro`).
"""

from __future__ import annotations

import random
import re
import string
from collections.abc import Iterable
from pathlib import Path

BASE62 = string.digits + string.ascii_letters
SEED = 20261129
_WORD = re.compile(r"[A-Za-z0-9]+")
_CODE_WORDS = Path(__file__).parent / "data" / "code_words.txt"


def random_ids(count: int = 10_000, seed: int = SEED) -> list[str]:
    """`count` random base62 IDs, 8–10 characters long (each length equally likely)."""
    rng = random.Random(seed)
    return ["".join(rng.choices(BASE62, k=rng.randint(8, 10))) for _ in range(count)]


def app_vocabulary() -> list[str]:
    """Every word the /task reader knows (type and priority synonyms, date words, filler), lower case."""
    from bot.parsing import date_words, vocabulary
    from bot.parsing.command import FILLER_WORDS, PRIORITY_MARKERS

    phrases: list[str] = [
        *(p for words in vocabulary.TASK_TYPE_SYNONYMS.values() for p in words),
        *(p for words in vocabulary.PRIORITY_SYNONYMS.values() for p in words),
        *vocabulary.UNSUPPORTED_TYPE_WORDS, *FILLER_WORDS, *PRIORITY_MARKERS,
        *date_words.all_date_words(),
    ]
    return sorted({w.lower() for p in phrases for w in _WORD.findall(p) if not w.isdigit()})


def vocabulary_typos(per_word: int = 40, seed: int = SEED) -> list[str]:
    """Typos of the vocabulary one or two edits away, `per_word` of each word (fewer for short words)."""
    rng = random.Random(seed)
    vocabulary = app_vocabulary()
    known = set(vocabulary)
    typos: set[str] = set()
    for word in vocabulary:
        for _ in range(per_word):
            typo = _edit(_edit(word, rng), rng) if rng.random() < 0.5 else _edit(word, rng)
            if typo and typo not in known:
                typos.add(typo)
    return sorted(typos)


def _edit(word: str, rng: random.Random) -> str:
    letters = string.ascii_lowercase
    at = rng.randrange(len(word) + 1)
    kind = rng.choice(("drop", "add", "change", "swap"))
    if kind == "add" or not word:
        return word[:at] + rng.choice(letters) + word[at:]
    at = min(at, len(word) - 1)
    if kind == "drop":
        return word[:at] + word[at + 1 :]
    if kind == "change":
        return word[:at] + rng.choice(letters) + word[at + 1 :]
    if at + 1 < len(word):
        return word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    return word


def english_words(count: int = 10_000) -> list[str]:
    """The `count` most common English words (wordfreq), letters and digits only."""
    import wordfreq

    return [w for w in wordfreq.top_n_list("en", count) if _WORD.fullmatch(w)]


def as_typed(words: Iterable[str]) -> list[str]:
    """Each word as reps write it: lower case, Capitalised and UPPER CASE."""
    return sorted({form for w in words for form in (w, w.capitalize(), w.upper())})


def code_words() -> list[str]:
    return sorted({*_listed_code_words(), *made_code_words()})


def made_code_words(count: int = 3_000, seed: int = SEED) -> list[str]:
    """Words made the way product and code words are made: a word and a number (`Budget2026`), two
    words run together (`SalesPlan`), an acronym and a number (`SKU12345`), fiscal periods (`Q3FY26`,
    `FY26Q3`, `H2FY27`, `2026Q3`), a product, its version and edition (`Galaxy24Ultra`, `GPT4o`),
    a prefix letter (`iPhone12`)."""
    rng = random.Random(seed)
    english = [w for w in english_words(3_000) if w.isalpha() and len(w) >= 3]
    acronyms = sorted({w for w in _listed_code_words() if w.isalpha() and w.isupper()})
    editions = ("Pro", "Max", "Plus", "Ultra", "Mini", "Air", "Lite", "Slim", "SE", "XL", "Go", "Neo",
                "Edge", "Home", "Cloud", "o", "a", "e", "s", "x", "Ti")  # fmt: skip

    def number() -> str:
        return str(rng.choice((rng.randint(1, 99), rng.randint(2000, 2030), rng.randint(100, 999_999))))

    def word() -> str:
        return rng.choice(english).capitalize()

    def year() -> int:
        return rng.randint(20, 35)

    makers = (
        lambda: word() + number(),
        lambda: rng.choice(english) + number(),
        lambda: word() + word(),
        lambda: rng.choice(english) + word(),
        lambda: rng.choice(acronyms) + number(),
        lambda: rng.choice((f"Q{rng.randint(1, 4)}FY{year()}", f"FY{year()}Q{rng.randint(1, 4)}",
                            f"H{rng.randint(1, 2)}FY{year()}", f"Q{rng.randint(1, 4)}20{year()}",
                            f"20{year()}Q{rng.randint(1, 4)}", f"FY20{year()}", f"CY{year()}")),
        lambda: word() + str(rng.randint(1, 30)) + rng.choice(editions),
        lambda: rng.choice(acronyms) + str(rng.randint(1, 9999)) + rng.choice(editions),
        lambda: rng.choice("iex") + word() + str(rng.randint(1, 20)),
    )
    return sorted({rng.choice(makers)() for _ in range(count)})


def _listed_code_words() -> list[str]:
    lines = _CODE_WORDS.read_text().splitlines()
    return [w for line in lines if not line.startswith("#") for w in line.split()]


def not_ids() -> dict[str, list[str]]:
    """The four groups of words that are not IDs, as typed."""
    vocabulary = app_vocabulary()
    return {
        "app vocabulary": as_typed(vocabulary),
        "its typos (≤2 edits)": [
            *vocabulary_typos(), *(t.capitalize() for t in vocabulary_typos(10, SEED + 1))
        ],
        "10,000 English words": as_typed(english_words()),
        "product and code words": code_words(),
    }
