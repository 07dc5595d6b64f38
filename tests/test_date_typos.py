"""The date-typo rule, measured (the rates the README quotes; `pytest -s` prints them), and its parts."""

from __future__ import annotations

import importlib.util
import random
import string
from pathlib import Path

import pytest

from bot.parsing.date_typos import build_typo_reader, normalise
from bot.parsing.english_near_dates import COMMON_WORDS_NEAR_DATES
from tests.date_typo_samples import Figures, measure

# Grouped: one process runs the module, so its module-scoped fixture starts once.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("date_typo_figures")]

_MAKER = Path(__file__).resolve().parent.parent / "bench" / "make_english_near_dates.py"


@pytest.fixture(scope="module")
def figures() -> Figures:
    return measure()


def test_typos_are_read_at_the_measured_rates(figures: Figures) -> None:
    print("\n" + "\n".join(figures.lines()))
    for ((low, _), edits), (read, made) in figures.rates.items():
        if low >= 6:
            assert read / made >= (0.95 if edits == 1 else 0.80), (low, edits)
    assert figures.rate(1) >= 0.95 and figures.rate(2) >= 0.80


def test_no_word_of_the_app_and_almost_no_common_word_is_read_as_a_date(figures: Figures) -> None:
    assert figures.vocabulary == []
    assert len(figures.english) <= 0.001 * figures.english_count
    assert figures.prospect_like == []
    assert len(figures.held_out) <= 0.01 * figures.held_out_count  # the rule's own rate, unprotected


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
