"""The samples the date-typo rule is measured on (tests/test_date_typos.py, bench/bench_date_typos.py).

Typos of every word in `date_typos.TYPO_TARGETS`: every string exactly one edit away (all of them:
each letter dropped, each pair of neighbours swapped, each letter changed to and each letter added of
a–z), and `TWO_EDIT_SAMPLE` strings exactly two edits away drawn with a seeded RNG (two random edits,
each a drop, add, change or swap at a random place, kept when the result is exactly two edits away).
A typo is read right when `normalise` makes it a word of the same sense (`tusday` → `tuesday`).
Words that are no dates: the 10,000 most common English words (wordfreq's list: the `test` extra
installs it) and the app's vocabulary; held out, the English words ranked 10,001–50,000, which the
shipped list of common words (`english_near_dates`) does not cover, to show the rule's own rate.
"""

from __future__ import annotations

import random
import re
import string
from collections.abc import Iterable
from dataclasses import dataclass

from bot.parsing import date_typos, date_words
from bot.parsing.fuzzy_words import distance

SEED = 20261204
TWO_EDIT_SAMPLE = 300
LETTERS = string.ascii_lowercase
BUCKETS = ((4, 5), (6, 7), (8, 9), (10, 12))
"""Word lengths measured together; shorter words are read only as typed (no edits allowed)."""
_WORD = re.compile("[a-z]+")


def one_edit_typos(word: str) -> set[str]:
    """Every string exactly one edit from `word`, of the letters a–z."""
    splits = [(word[:k], word[k:]) for k in range(len(word) + 1)]
    typos = {head + tail[1:] for head, tail in splits if tail}
    typos |= {head + tail[1] + tail[0] + tail[2:] for head, tail in splits if len(tail) > 1}
    typos |= {head + letter + tail[1:] for head, tail in splits if tail for letter in LETTERS}
    typos |= {head + letter + tail for head, tail in splits for letter in LETTERS}
    return {typo for typo in typos if distance(word, typo, 1) == 1}


def _random_edit(word: str, rng: random.Random) -> str:
    at = rng.randrange(len(word) + 1)
    kind = rng.choice(("drop", "add", "change", "swap"))
    if kind == "add" or at == len(word):
        return word[:at] + rng.choice(LETTERS) + word[at:]
    if kind == "drop":
        return word[:at] + word[at + 1 :]
    if kind == "change":
        return word[:at] + rng.choice(LETTERS) + word[at + 1 :]
    return word[:at] + word[at + 1 : at + 2] + word[at] + word[at + 2 :]


def two_edit_typos(word: str, rng: random.Random, count: int = TWO_EDIT_SAMPLE) -> set[str]:
    """`count` strings exactly two edits from `word`, each made by two random edits."""
    typos: set[str] = set()
    for _ in range(count * 20):
        typo = _random_edit(_random_edit(word, rng), rng)
        if distance(word, typo, 2) == 2:
            typos.add(typo)
            if len(typos) == count:
                break
    return typos


def read_right(target: str, typo: str) -> bool:
    """Whether the date reader reads `typo` as a word meaning what `target` means."""
    return date_typos.word_sense(date_typos.normalise(typo)) == date_typos.word_sense(target)


def bucket_of(word: str) -> tuple[int, int]:
    return next(bucket for bucket in BUCKETS if bucket[0] <= len(word) <= bucket[1])


def typo_reading_rates(
    seed: int = SEED,
) -> tuple[dict[tuple[tuple[int, int], int], tuple[int, int]], dict[str, list[str]]]:
    """For each length bucket and each number of edits (1, 2): (typos read right, typos), and for each
    target the typos one edit away that were not read right."""
    rng = random.Random(seed)
    rates: dict[tuple[tuple[int, int], int], tuple[int, int]] = {}
    missed: dict[str, list[str]] = {}
    for target in sorted(date_typos.TYPO_TARGETS):
        if len(target) < BUCKETS[0][0]:
            continue
        for edits, typos in ((1, one_edit_typos(target)), (2, two_edit_typos(target, rng))):
            wrong = sorted(typo for typo in typos if not read_right(target, typo))
            right, total = rates.get((bucket_of(target), edits), (0, 0))
            rates[bucket_of(target), edits] = right + len(typos) - len(wrong), total + len(typos)
            if edits == 1:
                missed[target] = wrong
    return rates, missed


def english_words(start: int = 0, stop: int = 10_000) -> list[str]:
    """wordfreq's English words ranked `start + 1` to `stop`, lower-case letters only."""
    import wordfreq

    return [w for w in wordfreq.top_n_list("en", stop)[start:] if _WORD.fullmatch(w)]


def read_as_date_words(words: Iterable[str]) -> list[tuple[str, str]]:
    """The words, as typed, that are no date word but that the date reader reads as one, with what it
    reads (`normalise` lower-cases every word; this lists those it also changes)."""
    known = date_words.all_date_words()
    found = ((w, date_typos.normalise(w)) for w in words if w.lower() not in known)
    return [(w, read) for w, read in found if read != w.lower()]


def prospect_like_words() -> list[str]:
    """Random prospect IDs and product and code words (tests/id_samples.py), as typed."""
    from tests.id_samples import code_words, random_ids

    return [*random_ids(), *code_words()]


@dataclass(frozen=True)
class Figures:
    """What the rule was measured at (see the module's docstring)."""

    rates: dict[tuple[tuple[int, int], int], tuple[int, int]]
    missed: dict[str, list[str]]
    english: list[tuple[str, str]]
    english_count: int
    vocabulary: list[tuple[str, str]]
    vocabulary_count: int
    held_out: list[tuple[str, str]]
    held_out_count: int
    prospect_like: list[tuple[str, str]]
    prospect_like_count: int
    unguarded_english: list[str]

    def rate(self, edits: int, shortest: int = 6) -> float:
        """The share of typos `edits` away read right, over the words of `shortest` letters or more."""
        right = total = 0
        for ((low, _), count), (read, made) in self.rates.items():
            if count == edits and low >= shortest:
                right, total = right + read, total + made
        return right / total

    def lines(self) -> list[str]:
        measured = sum(len(word) >= BUCKETS[0][0] for word in date_typos.TYPO_TARGETS)
        shown = [f"typos of the {measured} date words of 4 letters or more a slip is read as (seed {SEED}):"]
        for (low, high), edits in sorted(self.rates):
            read, made = self.rates[(low, high), edits]
            kind = "all" if edits == 1 else f"{TWO_EDIT_SAMPLE} a word, sampled"
            shown.append(f"  {low}–{high} letters, {edits} edit{'s' * (edits > 1)} ({kind}): "
                         f"{read / made:.1%} of {made:,} read as the word meant")
        shown.append(f"  6 letters or more: {self.rate(1):.1%} of 1-edit typos, {self.rate(2):.1%} of 2-edit")
        worst = sorted(self.missed.items(), key=lambda item: -len(item[1]))[:5]
        shown.append("  most 1-edit typos missed: " + "; ".join(
            f"{word} {len(typos)} ({', '.join(typos[:4])}…)" for word, typos in worst if typos))
        for name, found, count in (
            ("the 10,000 most common English words", self.english, self.english_count),
            ("the app's words (task types, priorities, fillers)", self.vocabulary, self.vocabulary_count),
            ("random prospect IDs and code words", self.prospect_like, self.prospect_like_count),
            ("held out: English words ranked 10,001–50,000", self.held_out, self.held_out_count),
        ):
            examples = ", ".join(f"{w}→{d}" for w, d in found[:12]) or "none"
            shown.append(f"{name}: {len(found) / count:.2%} of {count:,} read as a date word ({examples})")
            if found is self.english:
                shown.append(f"  (the rule alone would read {len(self.unguarded_english)} of them, "
                             f"{len(self.unguarded_english) / count:.2%}: the list english_near_dates.py "
                             f"keeps them as typed: {', '.join(self.unguarded_english[:8])}…)")
        return shown


def measure(seed: int = SEED) -> Figures:
    rates, missed = typo_reading_rates(seed)
    english, vocabulary = english_words(), sorted(date_typos.app_words())
    held_out, prospect_like = english_words(10_000, 50_000), prospect_like_words()
    known, unguarded = date_words.all_date_words(), date_typos.build_typo_reader(common_words=())
    return Figures(
        rates, missed,
        read_as_date_words(english), len(english), read_as_date_words(vocabulary), len(vocabulary),
        read_as_date_words(held_out), len(held_out), read_as_date_words(prospect_like), len(prospect_like),
        [w for w in english if w not in known and unguarded.match(w) is not None],
    )  # fmt: skip
