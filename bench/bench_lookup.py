"""One `/task` naming 50 prospects by email, against a slow, rate-limited Saleshandy: how long the email
lookups take next to the fastest the rate limit allows, and whether each email costs exactly one search.

Run from the repository root: `python bench/bench_lookup.py` (about 20 s; only loopback traffic).

The app runs as the Procfile serves it (gunicorn, its flags, a loopback port) against a fake Slack and a
fake Saleshandy in this process that knows 50 prospects (one email each), answers every request in
200 ms and allows 20 requests per 5 s window (then 429), counting searches and creates alike. 50 distinct
emails are 50 searches, so the limit binds: three windows. Printed: the ack; the lookup phase (first
search received by the fake to the last search answered, timed inside the fake); the ideal the rate
limit allows (every request in flight at once, and the app's own number of lookups at once); the ratio;
the search requests sent (must be 50: one per distinct email, none sent again after a 429) and the 429s;
and the checks: all 50 emails resolved, one create request whose body holds exactly the 50 IDs, one
result line per prospect showing its name and email beside its ID.
"""

from __future__ import annotations

import math
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._harness import (
    APP_SPEC,
    SALESHANDY_KEY,
    USERS,
    command,
    driver_for,
    gunicorn,
    log_problems,
    new_fake_slack,
    prospect_id,
    send_all,
    widen_backlog,
)
from bench.bench_bulk import concurrent_ideal, thread_lines
from bot.service.runner import LOOKUP_THREADS
from bot_testing.saleshandy import FakeSaleshandy, ReceivedRequest
from bot_testing.saleshandy_rules import SEARCH_PATH
from bot_testing.slack import FakeSlack

EMAILS = 50
LATENCY = 0.2
LIMIT = 20
WINDOW = 5.0
TIMEOUT = 90.0


def email_of(n: int) -> str:
    return f"lead{n:02d}@bench-prospects.example.com"


class TimedFakeSaleshandy(FakeSaleshandy):
    """The fake Saleshandy, noting when each request arrived and when each was answered (the fake counts
    a request against the rate limit, and answers it, once its latency has passed)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.received: list[tuple[float, ReceivedRequest]] = []
        self.answered: list[float] = []
        self._times = threading.Lock()
        super().__init__(*args, **kwargs)

    def record(self, request: ReceivedRequest) -> Any:
        with self._times:
            self.received.append((time.time(), request))
        return super().record(request)

    def count(self, key: str) -> tuple[dict[str, str], float | None]:
        headers, over_by = super().count(key)
        with self._times:
            self.answered.append(time.time())
        return headers, over_by

    def forget_times(self) -> None:
        with self._times:
            self.received.clear()
            self.answered.clear()


@contextmanager
def timed_fake_saleshandy() -> Iterator[TimedFakeSaleshandy]:
    with TimedFakeSaleshandy(SALESHANDY_KEY) as saleshandy:
        widen_backlog(saleshandy)
        yield saleshandy


def in_flight_ideal(requests: int, *, limit: int, window: float, latency: float, in_flight: int) -> float:
    """Fastest finish with `in_flight` requests at a time, `limit` counted per window (the window opening
    at its first answer, as the fake's does): each window's requests go in rounds of `in_flight`, and the
    next window's first round is answered the moment it opens."""
    windows = math.ceil(requests / limit)
    last = requests - (windows - 1) * limit
    per_window = math.ceil(limit / in_flight) * latency
    if per_window >= window:  # the limit never binds: only the rounds count
        return math.ceil(requests / in_flight) * latency
    return (windows - 1) * window + math.ceil(last / in_flight) * latency


def searched_email(request: ReceivedRequest) -> str:
    return parse_qs(request.query).get("search", [""])[0]


def result_lines(slack: FakeSlack, ids: Iterable[str]) -> dict[str, list[str]]:
    """The thread's result lines naming each ID."""
    lines = thread_lines(slack)
    return {pid: [line for line in lines if f"({pid})" in line] for pid in ids}


def main() -> None:
    began = time.perf_counter()
    ids = [prospect_id(n) for n in range(EMAILS)]
    emails = [email_of(n) for n in range(EMAILS)]
    with timed_fake_saleshandy() as saleshandy, new_fake_slack() as slack:
        with gunicorn(APP_SPEC, slack, saleshandy) as server, driver_for(server.url, slack) as driver:
            warm = send_all(server.port, [command(driver, "help", user=USERS[0]) for _ in range(6)],
                            concurrency=3)
            assert all(s.status == 200 for s in warm), warm
            for n, (pid, email) in enumerate(zip(ids, emails, strict=True)):
                saleshandy.add_prospect(pid, email=email, first_name="Lead", last_name=f"No{n:02d}",
                                        company="Bench Corp")
            saleshandy.set_latency(LATENCY)
            saleshandy.set_rate_limit(LIMIT, window_seconds=WINDOW)  # also forgets any window so far
            saleshandy.forget_times()
            # Half as Slack sends a typed address (a mailto link), half plain.
            words = [f"<mailto:{e}|{e}>" if n % 2 else e for n, e in enumerate(emails)]
            request = command(driver, "call tomorrow " + " ".join(words), user=USERS[1])
            started = time.time()
            [ack] = send_all(server.port, [request], timeout=10)
            deadline = time.monotonic() + TIMEOUT
            while time.monotonic() < deadline:
                shown = result_lines(slack, ids)
                if all(shown.values()):
                    break
                time.sleep(0.02)
            time.sleep(1.0)  # anything sent or posted twice would show now
            posts = [c for c in slack.calls("chat.postMessage") if c.params.get("thread_ts")]
            last_post = max((c.at for c in posts), default=float("nan"))
            log = server.log_text()
        received = list(saleshandy.received)
        answered = list(saleshandy.answered)

    searches = [(at, r) for at, r in received if r.method == "GET" and r.path == SEARCH_PATH]
    creates = [(at, r) for at, r in received if r.method == "POST"]
    first_create = min((at for at, _ in creates), default=math.inf)
    search_answers = [at for at in answered if at < first_create]
    first_search = min((at for at, _ in searches), default=float("nan"))
    last_answer = max(search_answers, default=float("nan"))
    lookup_phase = last_answer - first_search
    searched = [searched_email(r) for _, r in searches]
    http_429 = log.count("HTTP 429")
    ideal_all = concurrent_ideal(EMAILS, limit=LIMIT, window=WINDOW, latency=LATENCY)
    ideal_threads = in_flight_ideal(EMAILS, limit=LIMIT, window=WINDOW, latency=LATENCY,
                                    in_flight=LOOKUP_THREADS)
    shown = result_lines(slack, ids)
    named = [pid for pid, email in zip(ids, emails, strict=True)
             if len(shown[pid]) == 1 and shown[pid][0].startswith("✅")
             and "Lead No" in shown[pid][0] and email in shown[pid][0]]
    not_found = [line for line in thread_lines(slack) if line.startswith("❌")]
    bodies = [r.body for _, r in creates]

    print(f"{EMAILS} distinct emails in one /task; fake Saleshandy answering in {LATENCY * 1000:.0f} ms, "
          f"{LIMIT} requests per {WINDOW:.0f} s window; the app looks up {LOOKUP_THREADS} emails at a time")
    print(f"  ack: HTTP {ack.status} in {ack.seconds * 1000:.0f} ms")
    print(f"  command sent to first search received: {(first_search - started) * 1000:.0f} ms")
    print(f"  lookup phase (first search received to last search answered, timed in the fake): "
          f"{lookup_phase:.2f} s")
    print(f"  lookups done to create request received: {(first_create - last_answer) * 1000:.0f} ms; "
          f"command sent to last result posted in Slack: {last_post - started:.2f} s")
    print(f"  ideal the rate limit allows: {ideal_all:.2f} s with every request in flight at once "
          f"((⌈{EMAILS}/{LIMIT}⌉−1)×{WINDOW:.0f} s + {LATENCY} s); {ideal_threads:.2f} s "
          f"{LOOKUP_THREADS} at a time (the last window's {EMAILS - (math.ceil(EMAILS / LIMIT) - 1) * LIMIT} "
          f"in rounds of {LOOKUP_THREADS})")
    print(f"  ratio lookup phase/ideal: {lookup_phase / ideal_all:.2f}× (all at once), "
          f"{lookup_phase / ideal_threads:.2f}× ({LOOKUP_THREADS} at a time)")
    print(f"  search requests: {len(searches)} (expected {EMAILS}: one per distinct email); distinct emails "
          f"searched: {len(set(searched))}; searched more than once: "
          f"{sum(searched.count(e) > 1 for e in set(searched))}; answered 429: {http_429}")
    ok = (
        len(searches) == EMAILS and sorted(searched) == sorted(emails)
        and len(named) == EMAILS and not not_found
        and len(bodies) == 1 and sorted(bodies[0]["prospectIds"]) == sorted(ids)
        and len(bodies[0]["prospectIds"]) == EMAILS
    )
    print(f"  all resolved, one search each, one create with the 50 IDs: {'OK' if ok else 'FAILED'} — "
          f"resolved and shown by name and email beside the ID: {len(named)}/{EMAILS}; reported not found: "
          f"{len(not_found)}; create requests: {len(bodies)}, IDs in the body: "
          f"{len(bodies[0]['prospectIds']) if bodies else 0} "
          f"({'exactly' if bodies and sorted(bodies[0]['prospectIds']) == sorted(ids) else 'not'} the 50)")
    print(f"  app log: {log_problems(log) or 'no tracebacks, errors or timeouts'}")
    for line in [line for line in log.splitlines() if "ERROR" in line][:5]:
        print(f"    {line[:300]}")
    print(f"(whole run: {time.perf_counter() - began:.0f} s)")


if __name__ == "__main__":
    main()
