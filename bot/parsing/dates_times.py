"""Times of day and time zones next to a date: read so they can be ignored (Saleshandy tasks have a date).

`3pm`, `3:30 pm`, `15:30`, `15h`, `15h30`, `@ 3pm`, `noon`, `eod`, then maybe a zone: an abbreviation
(`PST`, `CET`, `IST`…), an offset (`+02:00`, `-0500`) or either after UTC/GMT (`UTC-5`, `GMT+1`).
Also the politeness reps end with (`pls`, `thx`), which is read and ignored the same way.
"""

from __future__ import annotations

import re

ZONE_ABBREVIATIONS = frozenset(
    {"utc", "gmt", "z", "pst", "pdt", "pt", "mst", "mdt", "mt", "cst", "cdt", "ct", "est", "edt", "et",
     "akst", "akdt", "hst", "ast", "adt", "nst", "ndt", "wet", "bst", "ist", "cet", "cest", "eet",
     "eest", "msk", "gst", "pkt", "sgt", "hkt", "jst", "kst", "awst", "acst", "acdt", "aest", "aedt", "nzst",
     "nzdt", "brt", "sast", }
)  # fmt: skip
_OFFSET = re.compile(r"(?:utc|gmt)?[+-−](?:0?[0-9]|1[0-4])(?::?[0-5][0-9])?|(?:utc|gmt)")
POLITENESS = frozenset({"pls", "plz", "please", "thx", "thanks", "thank", "ty", "tia", "cheers", "kthx"})
ISO_TIME_SUFFIX = re.compile(
    r"(?<=[0-9])t(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]+)?)?(?:z|[+-][0-9]{2}:?[0-9]{2})?$"
)
"""The time of an ISO datetime (`2026-12-03T15:00:00Z`, lower-cased), dropped to leave its date."""
HOUR_MARK = re.compile(r"(?:[01]?[0-9]|2[0-3])h(?:[0-5][0-9])?")
"""`15h`, `9h30`: the French and German way of writing the time."""


def is_zone(word: str) -> bool:
    """A time zone after a time of day: `PST`, `CET`, `+02:00`, `UTC-5` (lower-cased)."""
    return word in ZONE_ABBREVIATIONS or _OFFSET.fullmatch(word) is not None


def drop_iso_time(word: str) -> str:
    """`2026-12-03t15:00:00z` → `2026-12-03`; other words as they are."""
    return ISO_TIME_SUFFIX.sub("", word) if "t" in word else word
