"""What reps paste, made readable: Unicode NFKC (full-width `８ＰｖＢ` is `8PvB`, `ﬁ` is `fi`), invisible and
bidirectional characters removed (zero-width spaces and joiners, left-to-right and right-to-left marks
and embeddings, byte-order marks, soft hyphens, control characters). Words are cleaned one at a time,
so a refused word can still be shown as it was typed, its invisible characters made visible. Text too
long to show whole is shortened the same way everywhere (`shorten`).
"""

from __future__ import annotations

import re
import unicodedata

_ALSO_INVISIBLE = frozenset(
    "\u034f\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0" + "".join(map(chr, range(0xFE00, 0xFE10)))
)
"""Invisible though not Unicode format characters: a grapheme joiner, Hangul and braille blanks, variation
selectors."""
_PLAIN_ASCII = re.compile(r"[\x20-\x7e\t\n\r]*")
ELLIPSIS = "…"


def is_invisible(char: str) -> bool:
    """A character that shows nothing (or only changes the direction of what follows)."""
    category = unicodedata.category(char)
    if category == "Cf" or char in _ALSO_INVISIBLE:
        return True
    return category == "Cc" and not char.isspace()


def clean_word(word: str) -> str:
    """`word` as it reads: invisible characters dropped, then NFKC."""
    if _PLAIN_ASCII.fullmatch(word):
        return word
    visible = "".join(char for char in word if not is_invisible(char))
    return unicodedata.normalize("NFKC", visible)


def show_invisible(word: str) -> str:
    """`word` with each invisible character written out, `8PvBmrB7P7[U+200B]`: brackets, not angle
    brackets, so the result needs no escaping in Slack's mrkdwn or plain text."""
    if _PLAIN_ASCII.fullmatch(word):
        return word
    return "".join(f"[U+{ord(char):04X}]" if is_invisible(char) else char for char in word)


def shorten(text: str, limit: int, *, whole_words: bool = False) -> str:
    """`text` if it has at most `limit` characters, else its head and "…" in `limit` characters
    (ending at a word's end with `whole_words`, when that keeps at least half)."""
    if len(text) <= limit:
        return text
    return cut(text, limit - len(ELLIPSIS), whole_words=whole_words)


def cut(text: str, keep: int, *, whole_words: bool = False) -> str:
    """The first `keep` characters of `text` (trailing blanks dropped) and "…": the one way text too
    long to show whole is shown, here and in Slack."""
    head = text[:keep]
    if whole_words:
        space = head.rfind(" ")
        if space > keep // 2:
            head = head[:space]
        head = head.rstrip(" ,;:—-")  # no dangling separator before the "…"
    return head.rstrip() + ELLIPSIS
