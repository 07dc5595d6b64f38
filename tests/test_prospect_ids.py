"""The ID rule, measured (the rates the README quotes) and its invariants under hypothesis."""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.parsing.prospect_ids import looks_like_prospect_id
from bot.parsing.prospects import parse_prospect_refs, prospect_from_word
from tests.id_samples import english_words, not_ids, random_ids

BASE62 = string.digits + string.ascii_letters


def test_random_ids_are_read_and_other_words_are_not_at_the_measured_rates() -> None:
    ids = random_ids()
    id_rate = sum(map(looks_like_prospect_id, ids)) / len(ids)
    groups = not_ids()
    mistaken = {name: sum(map(looks_like_prospect_id, words)) for name, words in groups.items()}
    total = sum(len(words) for words in groups.values())
    mistaken_rate = sum(mistaken.values()) / total
    print(f"\nrandom base62 IDs (8–10) read as IDs: {id_rate:.2%} of {len(ids):,}")
    for name, count in mistaken.items():
        print(f"  {name}: {count / len(groups[name]):.2%} taken as IDs")
    print(f"words that are not IDs taken as IDs: {mistaken_rate:.2%} of {total:,}")
    assert id_rate >= 0.995
    assert mistaken_rate <= 0.005
    assert mistaken["app vocabulary"] == 0 and mistaken["10,000 English words"] == 0


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=BASE62, min_size=6, max_size=16))
def test_the_form_takes_every_id_free_text_takes(word: str) -> None:
    if looks_like_prospect_id(word):
        prospect = prospect_from_word(word, lenient_ids=True)
        assert prospect is not None and prospect.id == word


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(min_size=1, max_size=30).filter(lambda w: not w.isalnum() or not w.isascii()),
        st.text(alphabet=string.digits, min_size=1, max_size=20),
        st.text(alphabet=BASE62, max_size=5),
        st.text(alphabet=BASE62, min_size=17, max_size=40),
        st.from_regex(r"(?:[QH][1-4])?(?:FY|CY)(?:[0-9]{2}|20[0-9]{2})(?:[QH][1-4])?", fullmatch=True),
    )
)
def test_never_an_id_other_characters_digits_alone_other_lengths_fiscal_periods(word: str) -> None:
    assert not looks_like_prospect_id(word)


@settings(max_examples=300, deadline=None)
@given(  # deferred: the word list is read when the test runs, not in every process that collects it
    st.deferred(lambda: st.sampled_from(english_words())),
    st.sampled_from([str.lower, str.capitalize, str.upper]),
)
def test_common_english_words_as_typed_are_never_ids(word: str, case: object) -> None:
    assert not looks_like_prospect_id(case(word))  # type: ignore[operator]


@settings(max_examples=200, deadline=None)
@given(
    st.deferred(lambda: st.sampled_from(random_ids(500))),
    st.sampled_from(["`{}`", "*{}*", "_{}_", "({})", "{},", "{}."]),
)
def test_an_id_is_read_whatever_a_rep_wraps_it_in(word: str, wrapping: str) -> None:
    if looks_like_prospect_id(word):
        scan = parse_prospect_refs(wrapping.format(word))
        assert [p.id for p in scan.prospects] == [word] and scan.unrecognised == ()
