"""One rate-limit window per key, shared by processes through the database (SQLite and PostgreSQL), on
a fake clock: what one process's answers teach, every process obeys."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.saleshandy import RateLimitError
from bot.store import SharedWindow, open_database
from tests.conftest import FakeClock

pytestmark = pytest.mark.both_databases

KEY = "sh-live-key-2b7e0c51f9"


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = open_database(database_url)
    yield engine
    engine.dispose()


def window(engine: Engine, clock: FakeClock, key: str = KEY) -> SharedWindow:
    return SharedWindow(engine, key=key, sleep=clock.sleep, clock=clock.time)


def answer(remaining: int, reset_in: int, limit: int = 3) -> dict[str, str]:
    return {
        "x-ratelimit-limit": str(limit),
        "x-ratelimit-remaining": str(remaining),
        "x-ratelimit-reset": str(reset_in),
    }


def test_two_processes_share_one_window_and_wait_for_its_reset(engine: Engine) -> None:
    clock = FakeClock(start=1_800_000_000.0)
    first, second = window(engine, clock), window(engine, clock)
    for remaining in (2, 1, 0):  # the first process uses the whole window of 3
        ticket = first.acquire(max_wait=60)
        first.release(ticket, status=201, headers=answer(remaining, reset_in=10))
    ticket = second.acquire(max_wait=60)  # the other process waits for the reset it never saw
    assert clock.sleeps == [10.0]
    second.release(ticket, status=201, headers=answer(2, reset_in=10))


def test_requests_in_flight_are_counted_before_their_answers_come(engine: Engine) -> None:
    clock = FakeClock(start=1_800_000_000.0)
    shared = window(engine, clock)
    first = shared.acquire(max_wait=60)
    first_answer = answer(2, reset_in=10)
    shared.release(first, status=201, headers=first_answer)  # the window: 3, one used
    taken = [shared.acquire(max_wait=60) for _ in range(2)]  # two more, not answered yet
    assert clock.sleeps == []
    late = window(engine, clock)
    ticket = late.acquire(max_wait=60)  # none left: those two in flight used the window up
    assert clock.sleeps == [10.0]
    for t in (*taken, ticket):
        shared.release(t, status=201, headers=answer(2, reset_in=10))


def test_a_429_makes_every_process_wait_its_retry_after(engine: Engine) -> None:
    clock = FakeClock(start=1_800_000_000.0)
    first, second = window(engine, clock), window(engine, clock)
    ticket = first.acquire(max_wait=60)
    first.release(ticket, status=429, headers={"retry-after": "7"})
    second.release(second.acquire(max_wait=60), status=201, headers=answer(2, reset_in=10))
    assert clock.sleeps == [7.0]


def test_a_wait_longer_than_allowed_is_a_rate_limit_error_nothing_sent(engine: Engine) -> None:
    clock = FakeClock(start=1_800_000_000.0)
    shared = window(engine, clock)
    shared.release(shared.acquire(max_wait=60), status=429, headers={"retry-after": "120"})
    with pytest.raises(RateLimitError) as raised:
        shared.acquire(max_wait=60)
    assert raised.value.retry_after == pytest.approx(120)


def test_keys_have_windows_of_their_own_and_no_key_is_stored(engine: Engine) -> None:
    clock = FakeClock(start=1_800_000_000.0)
    used_up = window(engine, clock)
    used_up.release(used_up.acquire(max_wait=60), status=201, headers=answer(0, reset_in=10))
    other = window(engine, clock, key="another-reps-key-77")
    other.release(other.acquire(max_wait=60), status=201, headers=answer(2, reset_in=10))
    assert clock.sleeps == []
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT * FROM rate_limit_windows")).all()
    assert len(rows) == 2 and KEY not in str(rows) and "another-reps-key-77" not in str(rows)
    assert KEY not in repr(used_up)


def test_before_any_answer_one_request_goes_first_and_its_answer_opens_the_window(engine: Engine) -> None:
    """A first burst from several processes must not overshoot a window nobody knows yet."""
    clock = FakeClock(start=1_800_000_000.0)
    first, second = window(engine, clock), window(engine, clock)
    probe = first.acquire(max_wait=60)
    with pytest.raises(RateLimitError):
        second.acquire(max_wait=0.1)  # waits for the probe's answer (here: not that long)
    first.release(probe, status=201, headers=answer(2, reset_in=10))
    second.release(second.acquire(max_wait=60), status=201, headers=answer(1, reset_in=10))
    assert clock.sleeps == []


def test_a_new_windows_first_answer_cannot_raise_the_room_taken_since_it_began(engine: Engine) -> None:
    """Answers come back in any order: the room after a roll-over is the limit less what was taken."""
    clock = FakeClock(start=1_800_000_000.0)
    shared = window(engine, clock)
    shared.release(shared.acquire(max_wait=60), status=201, headers=answer(0, reset_in=10))
    clock.now += 10  # the window rolls over: 3 again
    first, second, third = (shared.acquire(max_wait=60) for _ in range(3))
    shared.release(third, status=201, headers=answer(2, reset_in=10))  # counted before the other two
    late = window(engine, clock)
    late.release(late.acquire(max_wait=60), status=201, headers=answer(2, reset_in=10))
    assert clock.sleeps == [10.0]  # the fourth waited for the next window
    for ticket in (first, second):
        shared.release(ticket, status=201, headers=answer(0, reset_in=10))
