"""Text too long to show whole: one rule (`shorten`), and its escaped form for mrkdwn (`escape_within`)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain import NOTE_MAX_CHARS
from bot.parsing.clean_text import shorten
from bot.slack.blocks.text import escape_mrkdwn, escape_within
from bot.slack.limits import TEXT_MAX_CHARS


def test_text_that_fits_is_left_alone_and_longer_text_ends_in_an_ellipsis() -> None:
    assert shorten("call Jane", 9) == "call Jane"
    assert shorten("call Jane tomorrow", 10) == "call Jane…"
    assert shorten("Jane Doe · Acme · jane@acme.com", 24) == "Jane Doe · Acme · jane@…"


def test_whole_words_ends_at_a_word_without_a_dangling_separator() -> None:
    assert shorten("Pick a date, then press Create", 16, whole_words=True) == "Pick a date…"
    assert shorten("Unreadable:" + "x" * 40, 20, whole_words=True) == "Unreadable:" + "x" * 8 + "…"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab &<>", max_size=80), st.integers(min_value=1, max_value=60))
def test_escaped_text_keeps_within_the_limit_and_never_cuts_an_entity(text: str, limit: int) -> None:
    shown = escape_within(text, limit)
    assert len(shown) <= limit
    if shown != escape_mrkdwn(text):
        assert shown.endswith("…")
        escaped_heads = {escape_mrkdwn(text[:end]) for end in range(len(text) + 1)}
        assert shown[:-1] in escaped_heads  # never "&am…"


def test_any_note_the_request_takes_fits_in_a_slack_text_object() -> None:
    assert NOTE_MAX_CHARS <= TEXT_MAX_CHARS
