"""Rep text as pasted: quotes of every kind, invisible and bidirectional characters, full-width forms."""

from __future__ import annotations

import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain import DraftField
from bot.parsing import parse_command, parse_prospect_refs
from bot.parsing.clean_text import clean_word, show_invisible
from bot.parsing.form import parse_form
from bot.parsing.prospect_ids import looks_like_prospect_id
from tests.id_samples import random_ids

TODAY = datetime.date(2026, 11, 30)
IDS = [w for w in random_ids(300) if looks_like_prospect_id(w)]
QUOTES = [('"', '"'), ("'", "'"), ("“", "”"), ("‘", "’"), ("`", "`"), ("```", "```"), ("„", "“"), ("«", "»")]
INVISIBLE = [
    "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u2060", "\ufeff", "\u202e", "\u2066", "\u00ad",
]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(IDS), st.sampled_from(IDS), st.sampled_from(QUOTES))
def test_a_quoted_id_is_that_prospect_never_the_note(quoted: str, bare: str, quotes: tuple[str, str]) -> None:
    opening, closing = quotes
    draft = parse_command(f"call {opening}{quoted}{closing} tomorrow {bare}", today=TODAY)
    assert [p.id for p in draft.prospects] == list(dict.fromkeys([quoted, bare]))
    assert draft.note is None and draft.problems == ()


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(QUOTES), st.sampled_from(["bring the deck", "ask re: pricing", "Q4FY26 budget", "hi"]))
def test_a_quoted_phrase_is_the_note(quotes: tuple[str, str], phrase: str) -> None:
    opening, closing = quotes
    draft = parse_command(f"call {opening}{phrase}{closing} 8PvBmrB7P7", today=TODAY)
    assert draft.note == phrase and [p.id for p in draft.prospects] == ["8PvBmrB7P7"]


def test_quoted_emails_and_links_are_prospects_and_apostrophes_are_no_quotes() -> None:
    draft = parse_command(
        "call “jane@acme.com” 'https://my.saleshandy.com/prospects/Pr9xQ2Lm' note: Jane's deck", today=TODAY
    )
    assert draft.emails == ("jane@acme.com",) and [p.id for p in draft.prospects] == ["Pr9xQ2Lm"]
    assert draft.note == "Jane's deck"


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(IDS), st.lists(st.tuples(st.integers(0, 10), st.sampled_from(INVISIBLE)), max_size=3))
def test_invisible_characters_anywhere_in_an_id_leave_the_id(
    prospect_id: str, inserts: list[tuple[int, str]]
) -> None:
    typed = prospect_id
    for at, char in inserts:
        typed = typed[:at] + char + typed[at:]
    draft = parse_command(f"demo {typed} tomorrow", today=TODAY)
    assert [p.id for p in draft.prospects] == [prospect_id] and draft.problems == ()
    form = parse_prospect_refs(typed)
    assert [p.id for p in form.prospects] == [prospect_id]


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(IDS))
def test_full_width_text_reads_as_its_ascii(prospect_id: str) -> None:
    text = f"call follow-up tomorrow high {prospect_id}"
    full_width = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" for c in text)
    assert parse_command(full_width, today=TODAY) == parse_command(text, today=TODAY)


def test_a_refused_word_shows_its_invisible_characters_in_command_and_form() -> None:
    draft = parse_command("call 8PvBmrB7P7 bo\u200bb\u200f", today=TODAY)
    [problem] = draft.problems
    assert "“bo[U+200B]b[U+200F]”" in problem.message and problem.text == "bob"
    form = parse_form(
        task_type_code="15", prospects_text="8PvBmrB7P7 x\u2066yz", due_date=None, priority_code=None,
        note=None, today=TODAY,
    )
    [problem] = form.problems
    assert problem.field is DraftField.PROSPECTS and "“x[U+2066]yz”" in problem.message


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_cleaning_is_idempotent_and_shows_nothing_when_nothing_is_invisible(word: str) -> None:
    assert clean_word(clean_word(word)) == clean_word(word)
    shown = show_invisible(word)
    assert not set("<>&") & (set(shown) - set(word))  # nothing for Slack's mrkdwn to read
