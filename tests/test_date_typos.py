"""The date-typo rule: its list of common words kept up to date, and words it reads and leaves alone."""

from __future__ import annotations

import importlib.util
import random
import string
from pathlib import Path

import pytest

from bot.parsing.date_typos import build_typo_reader, normalise
from bot.parsing.english_near_dates import COMMON_WORDS_NEAR_DATES

_MAKER = Path(__file__).resolve().parent.parent / "bench" / "make_english_near_dates.py"


def test_the_list_of_common_words_near_dates_is_up_to_date() -> None:
    spec = importlib.util.spec_from_file_location("make_english_near_dates", _MAKER)
    assert spec is not None and spec.loader is not None
    maker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(maker)
    assert sorted(COMMON_WORDS_NEAR_DATES) == maker.common_words_near_dates(), (
        "run python bench/make_english_near_dates.py"
    )


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("Wendesday,", "wednesday"), ("TOMMOROW", "tomorrow"), ("thurs", "thurs"), ("Sept", "sept"),
        ("tomo", "tomorrow"), ("satur", "saturday"), ("wensday", "wednesday"), ("buisness", "business"),
        ("wkend", "weekend"), ("tUesDay", "tuesday"), ("tUesDy", "tuesdy"), ("Jzrkmgmdwa", "jzrkmgmdwa"),
        ("call", "call"), ("demo", "demo"), ("intro", "intro"), ("urgent", "urgent"), ("money", "money"),
    ],
)  # fmt: skip
def test_normalise_reads_slips_but_not_mixed_case_or_other_words(typed: str, read: str) -> None:
    assert normalise(typed) == read


def test_common_words_and_random_words_are_left_alone() -> None:
    guarded, unguarded = build_typo_reader(), build_typo_reader(common_words=())
    assert unguarded.match("match") == "march" and guarded.match("match") is None
    rng = random.Random(7)
    words = ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(4, 12))) for _ in range(5000)]
    read = [w for w in words if guarded.match(w) is not None]
    assert len(read) <= 0.002 * len(words), read
