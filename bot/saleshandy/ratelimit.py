"""Reading rate-limit headers (docs/saleshandy-api.md, "Behaviour seen in practice"). Pure: `now` is
passed."""

from __future__ import annotations

import datetime
import email.utils
import math
from collections.abc import Mapping

_EPOCH_SECONDS_FLOOR = 1_000_000_000
"""A number this large (Sept 2001 in epoch seconds) is a timestamp, not a wait: nobody is asked to
wait 31 years. Below it, a number is seconds to wait."""
_EPOCH_MILLISECONDS_FLOOR = 1_000_000_000_000


def seconds_until_reset(value: str, *, now: float) -> float | None:
    """Seconds from `now` (epoch seconds) until the moment `value` names, or None if unreadable.

    Accepts what rate-limit headers carry in the wild: a number of seconds to wait ("30", "1.5"),
    epoch seconds or milliseconds ("1767225600"), ISO 8601 ("2026-01-01T00:00:00Z"; naive means UTC)
    and HTTP dates ("Thu, 01 Jan 2026 00:00:00 GMT"). A moment already past gives 0.
    """
    text = value.strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        moment = _parse_date(text)
        return None if moment is None else max(0.0, moment.timestamp() - now)
    if not math.isfinite(number) or number < 0:
        return None
    if number >= _EPOCH_MILLISECONDS_FLOOR:
        return max(0.0, number / 1000 - now)
    if number >= _EPOCH_SECONDS_FLOOR:
        return max(0.0, number - now)
    return number


def _parse_date(text: str) -> datetime.datetime | None:
    moment: datetime.datetime | None
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        try:
            moment = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment


def retry_after_seconds(headers: Mapping[str, str], *, now: float) -> float | None:
    """How long a 429 asks us to wait: `retry-after`, else `x-ratelimit-reset`, else None."""
    for name in ("retry-after", "x-ratelimit-reset"):
        value = headers.get(name)
        if value is not None:
            seconds = seconds_until_reset(value, now=now)
            if seconds is not None:
                return seconds
    return None


def exhausted_window_wait(headers: Mapping[str, str], *, now: float) -> float | None:
    """On a successful answer: seconds until the window resets if none are left in it, else None."""
    remaining = headers.get("x-ratelimit-remaining")
    if remaining is None:
        return None
    try:
        if float(remaining.strip()) > 0:
            return None
    except ValueError:
        return None
    reset = headers.get("x-ratelimit-reset")
    return None if reset is None else seconds_until_reset(reset, now=now)
