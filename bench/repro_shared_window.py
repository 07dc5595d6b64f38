"""Deterministic reproductions of the shared rate-limit window handing out more tickets than the limit
(what `bench/bench_shared_limit.py --only tight` shows as requests answered 429). Not a benchmark.

Run from the repository root: `python bench/repro_shared_window.py` (a second or two; a SQLite file per
case in a temporary folder; a fake clock, nothing sleeps, no network). Each case drives
`bot.store.ratelimits.SharedWindow` with the answers a window of 3 requests per 10 s gives, from one
thread, and counts the tickets it grants in one window. Exit status 1 when any case grants more than 3.

- after-429: a 429 with retry-after 10 s, then six requests ask at once when the wait is over.
- stale-blind: a request that once found the window's end unknown (the 0.2 s after a new window's
  tickets went out, before their answers) keeps that moment as the start of its "blind" wait forever:
  once BLIND_WAIT_SECONDS have passed, the next such 0.2 s makes it forget the window and go anyway.
- first-answer: the first answer of a new window sets the room left outright; when the API counted a
  later ticket's request before an earlier one's (still on its way), that room is one too many.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.saleshandy import SaleshandyError
from bot.store import SharedWindow, open_database

LIMIT = 3
_now = [1_000_000.0]


def clock() -> float:
    return _now[0]


def advance(seconds: float) -> None:
    _now[0] += seconds


def answer(remaining: int, **extra: str) -> dict[str, str]:
    return {"x-ratelimit-limit": str(LIMIT), "x-ratelimit-remaining": str(remaining),
            "x-ratelimit-reset": "10", **extra}


def new_window(folder: Path, name: str, sleep: Callable[[float], None] = advance) -> SharedWindow:
    engine = open_database(f"sqlite:///{folder / name}.sqlite3")
    return SharedWindow(engine, key="repro-key", clock=clock, sleep=sleep)


def learn_a_window(window: SharedWindow) -> None:
    """Three requests answered 201 (remaining 2, 1, 0); then that window ends."""
    tickets = [window.acquire(max_wait=60) for _ in range(LIMIT)]
    for n, ticket in enumerate(tickets):
        window.release(ticket, status=201, headers=answer(LIMIT - 1 - n))
    advance(10.0)


def granted_at_once(window: SharedWindow, asking: int) -> int:
    granted = 0
    for _ in range(asking):
        try:
            window.acquire(max_wait=0.0)
        except SaleshandyError:
            break
        granted += 1
    return granted


def after_429(folder: Path) -> tuple[int, str]:
    window = new_window(folder, "after-429")
    tickets = [window.acquire(max_wait=60) for _ in range(LIMIT + 1)]
    for n, ticket in enumerate(tickets[:LIMIT]):
        window.release(ticket, status=201, headers=answer(LIMIT - 1 - n))
    window.release(tickets[LIMIT], status=429, headers=answer(0, **{"retry-after": "10"}))
    advance(10.0)
    granted = granted_at_once(window, 6)
    return granted, f"six ask when the 429's wait is over: {granted} granted at once"


def stale_blind(folder: Path) -> tuple[int, str]:
    """Three other requests take each new window's tickets first, their answers always back 0.2 s
    later, for 8 windows; then they stop. A correct fourth gets in only then, alone in its window."""
    others: list[int] = []
    windows = [1]
    windows_with_others = 8

    def sleep(seconds: float) -> None:
        advance(seconds)
        if others:  # the answers of the three in flight come back
            for n, ticket in enumerate(others):
                window.release(ticket, status=201, headers=answer(LIMIT - 1 - n))
            others.clear()
        elif windows[0] < windows_with_others:  # a window's end: the three take the new one's tickets
            windows[0] += 1
            others.extend(window.acquire(max_wait=60) for _ in range(LIMIT))
        else:
            windows[0] += 1

    window = new_window(folder, "stale-blind")
    learn_a_window(window)
    others.extend(window.acquire(max_wait=60) for _ in range(LIMIT))
    window._sleep = sleep  # type: ignore[attr-defined]  # the three others act while the fourth sleeps
    started = clock()
    window.acquire(max_wait=60)
    beside = LIMIT if others else 0
    return beside + 1, (f"a fourth request waiting on the same windows got in {clock() - started:.1f} s "
                        f"later, in window {windows[0]}, with {beside} others in it")


def first_answer(folder: Path) -> tuple[int, str]:
    window = new_window(folder, "first-answer")
    learn_a_window(window)
    tickets = [window.acquire(max_wait=60) for _ in range(LIMIT)]
    window.release(tickets[1], status=201, headers=answer(LIMIT - 1))  # counted before tickets[0]'s
    granted = LIMIT + granted_at_once(window, 3)
    return granted, f"tickets in the window after its first answer came out of order: {granted}"


def main() -> None:
    failed = False
    with tempfile.TemporaryDirectory(prefix="repro-window-") as tmp:
        for name, case in (("after-429", after_429), ("stale-blind", stale_blind),
                           ("first-answer", first_answer)):
            granted, said = case(Path(tmp))
            verdict = "OK" if granted <= LIMIT else f"OVER THE LIMIT ({granted} > {LIMIT})"
            print(f"{name}: {said} — {verdict}")
            failed |= granted > LIMIT
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
