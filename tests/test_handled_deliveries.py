"""Acting once on a delivery Slack may send again: the first copy is told to act, every later copy not,
across processes (one engine each, the same database)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy.engine import Engine

from bot.store import HandledDeliveries, open_database
from bot.store.deliveries import REMEMBERED_FOR_SECONDS

pytestmark = pytest.mark.both_databases


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def engines(database_url: str) -> Iterator[tuple[Engine, Engine]]:
    first, second = open_database(database_url), open_database(database_url)
    yield first, second
    first.dispose()
    second.dispose()


def test_the_first_copy_acts_and_a_retried_copy_in_another_process_does_not(
    engines: tuple[Engine, Engine],
) -> None:
    clock = Clock()
    here, there = (HandledDeliveries(engine, clock=clock) for engine in engines)
    assert here.first_time("event:Ev1", team_id="T1") is True
    clock.now += 3.5  # Slack's retry after its 3 s
    assert there.first_time("event:Ev1", team_id="T1") is False
    assert there.first_time("event:Ev2", team_id="T1") is True


def test_copies_racing_in_threads_let_exactly_one_act(engines: tuple[Engine, Engine]) -> None:
    deliveries = [HandledDeliveries(engine) for engine in engines]
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda i: deliveries[i % 2].first_time("press:U1:C1:1.2"), range(16)))
    assert answers.count(True) == 1


def test_within_makes_a_later_press_a_new_one_and_a_quick_one_a_double_click(
    engines: tuple[Engine, Engine],
) -> None:
    clock = Clock()
    handled = HandledDeliveries(engines[0], clock=clock)
    assert handled.first_time("press:U1:C1:1.2", within=5) is True
    clock.now += 0.3
    assert handled.first_time("press:U1:C1:1.2", within=5) is False
    clock.now += 60
    assert handled.first_time("press:U1:C1:1.2", within=5) is True


def test_forgetting_lets_the_next_copy_act_and_old_keys_are_dropped(engines: tuple[Engine, Engine]) -> None:
    clock = Clock()
    handled = HandledDeliveries(engines[0], clock=clock)
    assert handled.first_time("event:Ev1") is True
    handled.forget("event:Ev1")
    assert handled.first_time("event:Ev1") is True
    clock.now += REMEMBERED_FOR_SECONDS + 1
    assert handled.first_time("event:Ev1") is True  # a day later the key was dropped with the old ones
