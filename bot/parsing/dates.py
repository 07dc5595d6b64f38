"""Due dates from fuzzy text. (Being written.)"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from bot.parsing.errors import ParseError


def parse_due_date(text: str, *, today: datetime.date, day_first: bool = False) -> datetime.date:
    raise ParseError(f"not understood: {text!r}")


def match_due_date(
    words: Sequence[str], start: int, *, today: datetime.date, day_first: bool = False
) -> tuple[datetime.date, int] | None:
    return None
