"""What the task form needs kept on our side: the prospects a form could not hold (Slack's field takes
3,000 characters; a 300-row paste does not fit), and each rep's last known time zone."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Sequence

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError

from bot.domain import ProspectRef
from bot.store.database import StoreUnavailableError
from bot.store.schema import kept_prospects, rep_zones

KEPT_FOR_SECONDS = 7 * 24 * 3600.0
"""A form left open for a week is forgotten with what it kept."""


class KeptProspects:
    """Prospects kept for a form, under a token the form carries in its metadata."""

    def __init__(self, engine: Engine, *, clock: Callable[[], float] = time.time) -> None:
        self._engine = engine
        self._clock = clock

    def keep(self, prospects: Sequence[ProspectRef]) -> str:
        token = uuid.uuid4().hex
        now = self._clock()
        try:
            with self._engine.begin() as connection:
                connection.execute(
                    delete(kept_prospects).where(kept_prospects.c.created_at < now - KEPT_FOR_SECONDS)
                )
                connection.execute(
                    insert(kept_prospects).values(
                        token=token,
                        prospects_json=json.dumps([p.model_dump() for p in prospects]),
                        created_at=now,
                    )
                )
        except OperationalError as error:
            raise StoreUnavailableError("the database is unavailable") from error
        return token

    def get(self, token: str) -> tuple[ProspectRef, ...] | None:
        """The prospects kept under `token`; None when there are none (expired, or never kept)."""
        try:
            with self._engine.connect() as connection:
                text = connection.execute(
                    select(kept_prospects.c.prospects_json).where(kept_prospects.c.token == token)
                ).scalar_one_or_none()
        except OperationalError as error:
            raise StoreUnavailableError("the database is unavailable") from error
        return None if text is None else tuple(ProspectRef(**p) for p in json.loads(text))


class RepZones:
    """The last time zone Slack told for each rep, for when Slack cannot be asked."""

    def __init__(self, engine: Engine, *, clock: Callable[[], float] = time.time) -> None:
        self._engine = engine
        self._clock = clock

    def remember(self, user_id: str, zone: str) -> None:
        now = self._clock()
        try:
            with self._engine.begin() as connection:
                changed = connection.execute(
                    update(rep_zones).where(rep_zones.c.user_id == user_id).values(zone=zone, updated_at=now)
                ).rowcount
                if not changed:
                    connection.execute(insert(rep_zones).values(user_id=user_id, zone=zone, updated_at=now))
        except IntegrityError:
            pass  # another process remembered it at the same moment
        except OperationalError as error:
            raise StoreUnavailableError("the database is unavailable") from error

    def last_known(self, user_id: str) -> str | None:
        try:
            with self._engine.connect() as connection:
                zone = connection.execute(
                    select(rep_zones.c.zone).where(rep_zones.c.user_id == user_id)
                ).scalar_one_or_none()
        except OperationalError as error:
            raise StoreUnavailableError("the database is unavailable") from error
        return None if zone is None else str(zone)
