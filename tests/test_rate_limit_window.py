"""`LocalWindow`, the key's rate-limit window in one process, on a fake clock: nothing here really waits.

Sleeping only moves the fake clock on (and is recorded); threads that wait for answers in flight are
woken by those answers, never by time passing."""

from __future__ import annotations

import threading
from collections.abc import Mapping

import pytest

from bot.saleshandy import LocalWindow, RateLimitError, RateLimitWindow
from tests.conftest import FakeClock

MAX_WAIT = 60.0


def window_on(clock: FakeClock) -> LocalWindow:
    return LocalWindow(sleep=clock.sleep, clock=clock.time)


def answer(remaining: int, reset_in: float = 30.0) -> Mapping[str, str]:
    return {"x-ratelimit-remaining": str(remaining), "x-ratelimit-reset": str(reset_in)}


def test_a_fresh_window_lets_a_request_go_at_once(fake_clock: FakeClock) -> None:
    window = window_on(fake_clock)
    ticket = window.acquire(max_wait=MAX_WAIT)
    window.release(ticket, status=200, headers=answer(remaining=5))
    window.acquire(max_wait=MAX_WAIT)
    assert fake_clock.sleeps == []


def test_a_429_makes_the_next_request_wait_its_retry_after(fake_clock: FakeClock) -> None:
    window = window_on(fake_clock)
    window.release(window.acquire(max_wait=MAX_WAIT), status=429, headers={"retry-after": "7"})
    window.acquire(max_wait=MAX_WAIT)
    assert fake_clock.sleeps == [7.0]


def test_a_used_up_window_is_waited_out_until_its_reset(fake_clock: FakeClock) -> None:
    window = window_on(fake_clock)
    window.release(window.acquire(max_wait=MAX_WAIT), status=200, headers=answer(remaining=0, reset_in=30))
    window.acquire(max_wait=MAX_WAIT)
    assert fake_clock.sleeps == [30.0]


def test_too_long_a_wait_is_a_rate_limit_error_at_once(fake_clock: FakeClock) -> None:
    window = window_on(fake_clock)
    window.release(window.acquire(max_wait=MAX_WAIT), status=200, headers=answer(remaining=0, reset_in=600))

    with pytest.raises(RateLimitError) as caught:
        window.acquire(max_wait=MAX_WAIT)

    assert caught.value.retry_after == 600
    assert caught.value.status_code is None  # the window's own refusal: nothing was sent
    assert fake_clock.sleeps == []


def test_time_passing_ends_the_wait_without_sleeping(fake_clock: FakeClock) -> None:
    window = window_on(fake_clock)
    window.release(window.acquire(max_wait=MAX_WAIT), status=200, headers=answer(remaining=0, reset_in=30))
    fake_clock.now += 31  # the rep took a while to send the next one
    window.acquire(max_wait=MAX_WAIT)
    assert fake_clock.sleeps == []


def test_a_request_that_got_no_answer_frees_its_room_and_changes_nothing(fake_clock: FakeClock) -> None:
    window = window_on(fake_clock)
    window.release(window.acquire(max_wait=MAX_WAIT), status=200, headers=answer(remaining=1))
    window.release(window.acquire(max_wait=MAX_WAIT), status=None, headers={})  # never connected
    window.acquire(max_wait=MAX_WAIT)
    assert fake_clock.sleeps == []


def test_a_request_waits_for_the_answers_in_flight_when_they_may_use_the_last_room(
    fake_clock: FakeClock,
) -> None:
    second_asked = threading.Event()

    def clock() -> float:
        if threading.current_thread().name == "second":
            second_asked.set()  # it is in `acquire`, deciding whether it may go
        return fake_clock.time()

    window = LocalWindow(sleep=fake_clock.sleep, clock=clock)
    window.release(window.acquire(max_wait=MAX_WAIT), status=200, headers=answer(remaining=1))
    in_flight = window.acquire(max_wait=MAX_WAIT)  # may take the last room
    second_went = threading.Event()

    def second() -> None:
        window.acquire(max_wait=MAX_WAIT)
        second_went.set()

    waiter = threading.Thread(target=second, name="second")
    waiter.start()
    assert second_asked.wait(5)
    assert not second_went.wait(0.05)  # held back while the answer is out
    window.release(in_flight, status=200, headers=answer(remaining=0, reset_in=30))
    waiter.join(timeout=5)
    assert second_went.is_set()
    assert fake_clock.sleeps == [30.0]  # the answer said the window was used up: its reset waited out


def test_threads_together_never_send_more_than_the_window_has_room_for(fake_clock: FakeClock) -> None:
    """Eight threads race for a window with room for two: exactly two go, none meets a 429."""
    window = window_on(fake_clock)
    window.release(window.acquire(max_wait=MAX_WAIT), status=200, headers=answer(remaining=2, reset_in=600))
    api = FakeLimit(remaining=2, senders=8)
    went: list[bool] = []

    def rep() -> None:
        went.append(api.try_send(window))

    threads = [threading.Thread(target=rep) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert sorted(went) == [False] * 6 + [True] * 2
    assert api.refused == 0
    assert fake_clock.sleeps == []


class FakeLimit:
    """The API's side of the window: `remaining` requests, then 429s. A request it lets through is
    answered only once every sender has asked the window for room, so they all overlap."""

    def __init__(self, remaining: int, *, senders: int) -> None:
        self._remaining = remaining
        self._senders = senders
        self._asked = 0
        self._everyone_asked = threading.Event()
        self._lock = threading.Lock()
        self.refused = 0

    def try_send(self, window: RateLimitWindow) -> bool:
        with self._lock:
            self._asked += 1
            if self._asked == self._senders:
                self._everyone_asked.set()
        try:
            ticket = window.acquire(max_wait=MAX_WAIT)
        except RateLimitError:
            return False
        self._everyone_asked.wait(timeout=5)
        with self._lock:
            if self._remaining == 0:
                self.refused += 1
                status, headers = 429, {"retry-after": "600"}
            else:
                self._remaining -= 1
                status, headers = 200, dict(answer(self._remaining, reset_in=600))
        window.release(ticket, status=status, headers=headers)
        return status == 200
