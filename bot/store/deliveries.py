"""Acting once on a delivery Slack may send twice: an event it retries when it got no 200 within 3 s, a
request replayed, a button pressed twice. The first process to record a key acts; every copy after it,
in any process, is told it was handled."""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import delete, insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError

from bot.store.database import StoreUnavailableError
from bot.store.schema import handled_deliveries

REMEMBERED_FOR_SECONDS = 24 * 3600.0
"""Slack retries an event three times within minutes; a day is far beyond any copy still to come."""


class HandledDeliveries:
    def __init__(self, engine: Engine, *, clock: Callable[[], float] = time.time) -> None:
        self._engine = engine
        self._clock = clock

    def first_time(self, key: str, *, team_id: str | None = None, within: float | None = None) -> bool:
        """True for the first delivery recorded under `key`, False for any copy of it. With `within`, a
        copy that comes more than `within` seconds later counts as a new delivery (a second press of a
        button an hour later is meant; one 300 ms later is a double click)."""
        now = self._clock()
        forget_before = now - (REMEMBERED_FOR_SECONDS if within is None else within)
        try:
            with self._engine.begin() as connection:
                connection.execute(
                    delete(handled_deliveries).where(
                        handled_deliveries.c.key == key, handled_deliveries.c.handled_at < forget_before
                    )
                )
                connection.execute(
                    delete(handled_deliveries).where(
                        handled_deliveries.c.handled_at < now - REMEMBERED_FOR_SECONDS
                    )
                )
            with self._engine.begin() as connection:
                connection.execute(
                    insert(handled_deliveries).values(key=key, team_id=team_id, handled_at=now)
                )
        except IntegrityError:
            return False
        except OperationalError as error:
            raise StoreUnavailableError("the database is unavailable") from error
        return True

    def forget(self, key: str) -> None:
        """Let the next copy act: the first one could not finish (e.g. Slack refused the unfurl)."""
        try:
            with self._engine.begin() as connection:
                connection.execute(delete(handled_deliveries).where(handled_deliveries.c.key == key))
        except OperationalError as error:
            raise StoreUnavailableError("the database is unavailable") from error
