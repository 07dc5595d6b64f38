"""Whose "today" is it? The Slack user's, from `users.info`, cached per user."""

from __future__ import annotations

import datetime
import logging
import threading
import time
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.clock import is_known_zone, today_in

logger = logging.getLogger(__name__)

ZONE_CACHE_SECONDS = 6 * 3600
"""People rarely change zones; a few hours of staleness is cheaper than a users.info call per command."""


class UserTimeZones:
    def __init__(
        self,
        client: WebClient,
        *,
        default_zone: str,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._default_zone = default_zone
        self._clock = clock
        self._zones: dict[str, tuple[str, float]] = {}
        self._user_locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def zone_of(self, user_id: str) -> str:
        """The user's IANA zone, or the configured default when Slack does not say or cannot be asked."""
        # One lookup per user at a time: a rep's burst of commands asks Slack once, not once each.
        with self._lock:
            user_lock = self._user_locks.setdefault(user_id, threading.Lock())
        with user_lock:
            cached = self._zones.get(user_id)
            if cached is not None and cached[1] > self._clock():
                return cached[0]
            zone = self._ask_slack(user_id)
            if zone is None:
                return self._default_zone
            self._zones[user_id] = (zone, self._clock() + ZONE_CACHE_SECONDS)
            return zone

    def today_for(self, user_id: str, *, now: datetime.datetime | None = None) -> datetime.date:
        return today_in(self.zone_of(user_id), now=now)

    def _ask_slack(self, user_id: str) -> str | None:
        try:
            response = self._client.users_info(user=user_id)
        except SlackApiError as error:
            logger.warning("users.info failed for %s: %s", user_id, error.response.get("error"))
            return None
        except OSError as error:
            logger.warning("users.info unreachable for %s: %s", user_id, type(error).__name__)
            return None
        zone = (response.get("user") or {}).get("tz")
        return zone if isinstance(zone, str) and is_known_zone(zone) else None
