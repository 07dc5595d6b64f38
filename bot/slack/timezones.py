"""Whose "today" is it? The Slack user's, from `users.info`, cached per user; when Slack cannot be asked,
the zone it last told for that rep (kept in the database), and only then the configured default."""

from __future__ import annotations

import datetime
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.clock import is_known_zone, today_in

logger = logging.getLogger(__name__)

ZONE_CACHE_SECONDS = 6 * 3600
"""People rarely change zones; a few hours of staleness is cheaper than a users.info call per command."""


LATEST_ZONE = "Etc/GMT-14"
"""The zone whose date turns first (UTC+14, Kiritimati): no rep's today is later than its today."""


def may_be_past_for_someone(due: datetime.date, *, now: datetime.datetime | None = None) -> bool:
    """True when `due` is already past in some time zone at `now`: for a rep whose zone nobody knows,
    such a date is shown in the form, never sent."""
    return due < today_in(LATEST_ZONE, now=now)


class ZoneMemory(Protocol):
    def remember(self, user_id: str, zone: str) -> None: ...

    def last_known(self, user_id: str) -> str | None: ...


@dataclass(frozen=True)
class ZoneReading:
    zone: str
    known: bool
    """False when neither Slack nor our memory knew the rep's zone: `zone` is the configured default."""

    def today(self, *, now: datetime.datetime | None = None) -> datetime.date:
        return today_in(self.zone, now=now)


class UserTimeZones:
    def __init__(
        self,
        client: WebClient,
        *,
        default_zone: str,
        clock: Callable[[], float] = time.monotonic,
        memory: ZoneMemory | None = None,
        later: Callable[[Callable[[], None]], None] = lambda job: job(),
        for_team: Callable[[str], WebClient] | None = None,
    ) -> None:
        self._client = client
        self._for_team = for_team
        """Many workspaces: the client (the team's bot token) to ask about a member of `team_id`."""
        self._memory = memory
        self._later = later
        """Runs the memory's write off the request's path (the ack may be waiting)."""
        self._default_zone = default_zone
        self._clock = clock
        self._zones: dict[str, tuple[str, float]] = {}
        self._user_locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def zone_of(self, user_id: str) -> str:
        """The user's IANA zone, or the configured default when nobody can say."""
        return self.reading_for(user_id).zone

    def reading_for(self, user_id: str, *, team_id: str | None = None) -> ZoneReading:
        """The user's zone as Slack tells it (cached), else as Slack last told it, else the default."""
        # One lookup per user at a time: a rep's burst of commands asks Slack once, not once each.
        with self._lock:
            user_lock = self._user_locks.setdefault(user_id, threading.Lock())
        with user_lock:
            cached = self._zones.get(user_id)
            if cached is not None and cached[1] > self._clock():
                return ZoneReading(cached[0], known=True)
            zone = self._ask_slack(user_id, team_id)
            if zone is None:
                return self._remembered(user_id)
            self._zones[user_id] = (zone, self._clock() + ZONE_CACHE_SECONDS)
            self._remember(user_id, zone)
            return ZoneReading(zone, known=True)

    def today_for(self, user_id: str, *, now: datetime.datetime | None = None) -> datetime.date:
        return today_in(self.zone_of(user_id), now=now)

    def _remembered(self, user_id: str) -> ZoneReading:
        try:
            zone = self._memory.last_known(user_id) if self._memory is not None else None
        except Exception:  # the database away: the default zone, said as such
            logger.warning("could not read the last known zone of %s", user_id, exc_info=True)
            zone = None
        if zone is not None and is_known_zone(zone):
            return ZoneReading(zone, known=True)
        return ZoneReading(self._default_zone, known=False)

    def _remember(self, user_id: str, zone: str) -> None:
        memory = self._memory
        if memory is None:
            return

        def write() -> None:
            try:
                memory.remember(user_id, zone)
            except Exception:
                logger.warning("could not keep the zone of %s", user_id, exc_info=True)

        self._later(write)

    def _ask_slack(self, user_id: str, team_id: str | None) -> str | None:
        try:
            client = self._for_team(team_id) if self._for_team is not None and team_id else self._client
            response = client.users_info(user=user_id)
        except SlackApiError as error:
            logger.warning("users.info failed for %s: %s", user_id, error.response.get("error"))
            return None
        except OSError as error:
            logger.warning("users.info unreachable for %s: %s", user_id, type(error).__name__)
            return None
        zone = (response.get("user") or {}).get("tz")
        return zone if isinstance(zone, str) and is_known_zone(zone) else None
