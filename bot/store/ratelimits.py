"""One rate-limit window per Saleshandy key, shared by every process through the database.

Each request takes a numbered ticket from the key's row (under the row's lock) and one unit of what is
`available` in the current window; each answer says what the API has left (`x-ratelimit-remaining`),
which may not count the requests sent after it yet: so what is available is at most the remaining
less the tickets taken since. A request that dies with its process has still used its room, which is
the safe side. When the window's end (`x-ratelimit-reset`) passes, the window's limit is available
again. A 429 makes everyone wait its `retry-after`.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, OperationalError

from bot.saleshandy.errors import RateLimitError, RateLimiterUnavailableError, WaitInterruptedError
from bot.saleshandy.ratelimit import retry_after_seconds
from bot.saleshandy.window import limit_of_window, remaining_in_window, window_end
from bot.store.schema import rate_limit_windows as windows

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.2
"""How often a request waiting on answers (not on a known reset) looks again."""
BLIND_WAIT_SECONDS = 30.0
"""How long to wait, with no room left, for a window whose end no answer has told yet, before trying
anyway: longer than a request takes to be answered (the read timeout, 20 s by default), whose answer
would tell. Trying is safe (a 429 creates nothing) but a flood of them is not polite."""
SAME_WINDOW_SECONDS = 1.0
"""Answers of one window give its end rounded differently: ends closer than this are one window."""


def key_id(api_key: str) -> str:
    """The row's name for a key: a digest, so the database never holds the key."""
    return hashlib.sha256(f"saleshandy-rate-limit:{api_key}".encode()).hexdigest()[:40]


class SharedWindow:
    """`RateLimitWindow` for one key, kept in the database's `rate_limit_windows` table."""

    def __init__(
        self,
        engine: Engine,
        *,
        key: str,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        on_wait: Callable[[float], None] = lambda seconds: None,
        on_answer: Callable[[int | None], None] = lambda status: None,
        should_stop: Callable[[], bool] = lambda: False,
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        self._engine = engine
        self._key_id = key_id(key)
        self._sleep = sleep
        self._clock = clock
        self._on_wait = on_wait
        self._on_answer = on_answer
        self._should_stop = should_stop
        self._poll_seconds = poll_seconds
        self._row_exists = False

    def __repr__(self) -> str:
        return "SharedWindow()"

    def acquire(self, *, max_wait: float) -> int:
        blind_since: float | None = None
        while True:
            if self._should_stop():
                raise WaitInterruptedError()
            try:
                ticket, wait, end_known = self._try_take()
            except OperationalError as error:
                logger.warning("the shared rate-limit record is unavailable: %s", type(error).__name__)
                raise RateLimiterUnavailableError() from error
            if ticket is not None:
                return ticket
            now = self._clock()
            if not end_known:
                blind_since = now if blind_since is None else blind_since
                if now - blind_since >= BLIND_WAIT_SECONDS:
                    self._forget_window()
                    continue
            else:
                blind_since = None  # the end is known again: a later blind spell starts from zero
            if wait > max_wait:
                raise RateLimitError(retry_after=wait, status_code=None)
            self._on_wait(wait)
            self._sleep(wait)

    def release(self, ticket: int, *, status: int | None, headers: Mapping[str, str]) -> None:
        self._on_answer(status)
        now = self._clock()
        try:
            with self._engine.begin() as connection:
                row = self._locked_row(connection)
                values = _after_answer(row, ticket, status, headers, now=now)
                if values:
                    connection.execute(
                        update(windows).where(windows.c.key_id == self._key_id).values(**values)
                    )
        except OperationalError:
            logger.warning("could not record a rate-limit answer (database unavailable)", exc_info=True)

    def _try_take(self) -> tuple[int | None, float, bool]:
        """A ticket, or how long to wait and whether the window's end is known."""
        now = self._clock()
        with self._engine.begin() as connection:
            row = self._locked_row(connection)
            available, ends = row["available"], row["window_ends"]
            if ends is not None and now >= ends:
                available, ends = row["window_limit"], None  # a new window: the whole limit again
            if row["not_before"] > now:
                self._save(connection, available=available, window_ends=ends)
                return None, row["not_before"] - now, True
            if available is not None and available <= 0:
                self._save(connection, available=available, window_ends=ends)
                return None, (ends - now if ends is not None else self._poll_seconds), ends is not None
            ticket = int(row["seq"]) + 1
            self._save(
                connection,
                available=None if available is None else available - 1,
                window_ends=ends,
                seq=ticket,
            )
            return ticket, 0.0, True

    def _forget_window(self) -> None:
        try:
            with self._engine.begin() as connection:
                self._locked_row(connection)
                self._save(connection, available=None, window_ends=None)
        except OperationalError as error:
            raise RateLimiterUnavailableError() from error

    def _locked_row(self, connection: Connection) -> Any:
        """The key's row, locked for this transaction (the no-op update takes the write lock first,
        on SQLite the database's, on PostgreSQL the row's), created on first use."""
        if not self._row_exists:
            self._create_row()
        connection.execute(update(windows).where(windows.c.key_id == self._key_id).values(seq=windows.c.seq))
        return connection.execute(select(windows).where(windows.c.key_id == self._key_id)).mappings().one()

    def _create_row(self) -> None:
        try:
            with self._engine.begin() as connection:
                # One request first (available 1): its answer tells the window's limit and end, so
                # a first burst from several processes does not overshoot a window nobody knows yet.
                connection.execute(
                    insert(windows).values(key_id=self._key_id, available=1, not_before=0.0, seq=0)
                )
        except IntegrityError:
            pass  # another process made it first
        self._row_exists = True

    def _save(self, connection: Connection, **values: Any) -> None:
        connection.execute(update(windows).where(windows.c.key_id == self._key_id).values(**values))


def _after_answer(
    row: Any, ticket: int, status: int | None, headers: Mapping[str, str], *, now: float
) -> dict[str, Any]:
    """What an answer changes in the key's row."""
    values: dict[str, Any] = {}
    if status is None:
        # No answer: the room stays used, nothing learnt; but while no answer ever told the window,
        # the next request may go first in its place (or nobody would go until the blind wait ends).
        return {"available": 1} if row["window_limit"] is None and row["available"] == 0 else {}
    limit = limit_of_window(headers)
    if limit is not None:
        values["window_limit"] = limit
    ends = window_end(headers, now=now)
    if ends is not None and ends <= now:
        ends = None  # a window already over (a late answer) says nothing of the current one's end
    if status == 429:
        # The API says when to come back (retry-after): everyone waits until then, and then tries.
        # Without it, the client's own backoff paces the next try.
        wait = retry_after_seconds(headers, now=now)
        values["available"] = 0
        if wait is not None:
            # Come back then, with the window whole again (its limit, not a flood of everyone at once).
            values["not_before"] = max(float(row["not_before"]), now + wait)
            values["window_ends"] = now + wait
        return values
    remaining = remaining_in_window(headers)
    if remaining is None:
        if row["window_limit"] is None and limit is None:
            values["available"] = None  # an API that tells no limits: only its 429s can pace us
        return values
    # Tickets taken after this one may not be counted by the API yet: assume none of them is.
    room = max(0, remaining - (int(row["seq"]) - ticket))
    known_end = row["window_ends"]
    if ends is None:
        values["available"] = room if row["available"] is None else min(row["available"], room)
    elif known_end is None:
        # The first word of a new window. After a roll-over (the limit known), what was taken since it
        # began bounds the room too: answers to earlier tickets may still be on their way (the API
        # counts in any order). Before any answer (the first request alone), the answer is all we know.
        current = row["available"]
        rolled_over = row["window_limit"] is not None and current is not None
        values["available"] = min(current, room) if rolled_over else room
        values["window_ends"] = ends
    elif ends > known_end + SAME_WINDOW_SECONDS:
        values["available"], values["window_ends"] = room, ends  # a window later than the one we knew
    elif ends >= known_end - SAME_WINDOW_SECONDS:
        current = row["available"]
        values["available"] = room if current is None else min(current, room)
        values["window_ends"] = min(known_end, ends)
    # else: an answer from a window already over says nothing about this one
    return values
