"""The one place that reads the clock: "today" as a rep in a given time zone sees it."""

from __future__ import annotations

import datetime
import zoneinfo

UNKNOWN_ZONE_HINT = "use an IANA name like Europe/Berlin"


def is_known_zone(name: str) -> bool:
    """Whether `name` is an IANA time zone this machine knows."""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def today_in(zone: str, *, now: datetime.datetime | None = None) -> datetime.date:
    """The date it is now (or at `now`, an aware datetime) in the IANA time zone `zone`."""
    moment = now or datetime.datetime.now(datetime.UTC)
    return moment.astimezone(zoneinfo.ZoneInfo(zone)).date()
