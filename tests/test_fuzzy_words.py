"""The rule for reading slips (`bot.parsing.fuzzy_words`) on small vocabularies, against a reference."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.parsing.fuzzy_words import FuzzyWords, cost, distance, edits_allowed


def _reference_osa(a: str, b: str) -> int:
    """Optimal string alignment, the textbook way (Wikipedia, "Damerau–Levenshtein distance")."""
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


_SHORT = st.text(alphabet="abcde", max_size=8)


@settings(max_examples=500, deadline=None)
@given(_SHORT, _SHORT, st.integers(min_value=0, max_value=2))
def test_distance_is_the_optimal_string_alignment_up_to_the_limit(a: str, b: str, limit: int) -> None:
    assert distance(a, b, limit) == min(_reference_osa(a, b), limit + 1)
    assert cost(a, b, limit) >= 4 * distance(a, b, limit)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="abcdef", min_size=1, max_size=9), min_size=1, max_size=12), _SHORT)
def test_the_deletion_index_finds_every_word_within_reach(vocabulary: list[str], word: str) -> None:
    reader = FuzzyWords({w: w for w in vocabulary}, targets=vocabulary)
    within = {w for w in vocabulary if _reference_osa(word, w) <= edits_allowed(len(w))}
    at_most_one_far_change = {w for w in within if cost(word, w, 2) % 4 <= 1}
    assert set(reader.near(word)) == at_most_one_far_change


def test_a_slip_between_two_meanings_is_not_read_and_the_nearer_one_wins() -> None:
    reader = FuzzyWords(
        {"tuesday": "tue", "tues": "tue", "thursday": "thu", "wednesday": "wed", "weekday": "unit"},
        targets={"tuesday", "tues", "thursday", "wednesday", "weekday"},
        abbreviable={"tuesday", "thursday", "weekday"},
    )
    assert reader.match("tursday") is None  # Thursday with h dropped, Tuesday with e→r (neighbours)
    assert reader.match("tuesdy") == "tuesday"  # the nearest word of that meaning
    assert reader.match("wensday") == "wednesday"  # two dropped; weekday needs two far changes
    assert reader.match("thur") == "thursday" and reader.match("tue") == "tuesday"  # abbreviations
    assert reader.match("tu") is None and reader.match("t") is None  # too short to say which
    assert reader.match("blursday") is None  # two letters changed to keys far from the ones meant
