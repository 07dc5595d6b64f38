"""One `/task` naming 1,000 prospects, against a rate-limited Saleshandy: how close to the fastest the
rate limit allows, and whether every prospect ends in exactly one outcome.

Run from the repository root: `python bench/bench_bulk.py` (about 20 s; only loopback traffic).

The app runs as the Procfile serves it (gunicorn, its flags, a loopback port) with
SALESHANDY_CHUNK_SIZE=25, against a fake Slack and a fake Saleshandy in this process that answers in
200 ms and allows 20 requests per 10 s window (then 429). 1,000 prospects in chunks of 25 are 40
requests, so the limit binds: two windows. Printed: the ack, the Saleshandy phase and the total time
until the last result was posted in Slack; the ideal the rate limit allows (computed from limit,
window, requests and latency: for a client sending one request at a time, as the app does, and for one
sending them all at once); the ratios; the requests sent (and any 429s); and the checks: 1,000 tasks
in the fake, no prospect created twice, and the results posted in the Slack thread naming each
prospect exactly once, with the task id the fake created for it.
"""

from __future__ import annotations

import math
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._harness import (
    APP_SPEC,
    USERS,
    command,
    driver_for,
    gunicorn,
    log_problems,
    new_fake_saleshandy,
    new_fake_slack,
    prospect_id,
    send_all,
)
from bot.parsing.prospects import looks_like_prospect_id
from bot_testing.slack import FakeSlack

PROSPECTS = 1000
CHUNK_SIZE = 25
LATENCY = 0.2
LIMIT = 20
WINDOW = 10.0
TIMEOUT = 120.0
_ID = re.compile(r"Pv8Bm\d{5}Q")
_LINE = re.compile(r"^(\S+) \*(Pv8Bm\d{5}Q)\*(?: — task (\S+))?")


def sequential_ideal(requests: int, *, limit: int, window: float, latency: float) -> float:
    """Fastest finish for requests sent one after another, each answered in `latency` and counted
    when answered (as the fake counts them), the window opening at the first one counted."""
    clock = 0.0
    window_start: float | None = None
    used = 0
    for _ in range(requests):
        counted = clock + latency
        if window_start is not None and counted >= window_start + window:
            window_start, used = None, 0
        if window_start is not None and used >= limit:
            counted = window_start + window  # send just late enough to land in the next window
            window_start, used = None, 0
        if window_start is None:
            window_start = counted
        used += 1
        clock = counted
    return clock


def concurrent_ideal(requests: int, *, limit: int, window: float, latency: float) -> float:
    """Fastest finish with any number of requests in flight: `limit` per window, the last answered."""
    return (math.ceil(requests / limit) - 1) * window + latency


def thread_lines(slack: FakeSlack) -> list[str]:
    """Every line of the results replies (thread replies), from their section blocks."""
    lines: list[str] = []
    for call in slack.calls("chat.postMessage"):
        if not call.params.get("thread_ts"):
            continue
        for block in call.params.get("blocks") or []:
            text: Any = (block.get("text") or {}).get("text") if block.get("type") == "section" else None
            if isinstance(text, str):
                lines += text.split("\n")
    return lines


def main() -> None:
    began = time.perf_counter()
    ids = [prospect_id(n) for n in range(PROSPECTS)]
    assert all(looks_like_prospect_id(pid) for pid in ids), "the parser would not take these IDs"
    requests = math.ceil(PROSPECTS / CHUNK_SIZE)
    with new_fake_saleshandy() as saleshandy, new_fake_slack() as slack:
        extra = {"SALESHANDY_CHUNK_SIZE": str(CHUNK_SIZE)}
        with gunicorn(APP_SPEC, slack, saleshandy, extra_env=extra) as server, \
                driver_for(server.url, slack) as driver:
            warm = send_all(server.port, [command(driver, "help", user=USERS[0]) for _ in range(6)],
                            concurrency=3)
            assert all(s.status == 200 for s in warm), warm
            saleshandy.set_latency(LATENCY)
            saleshandy.set_rate_limit(LIMIT, window_seconds=WINDOW)  # also forgets any window so far
            text = "call tomorrow " + " ".join(ids)
            request = command(driver, text, user=USERS[1])
            started = time.time()
            [ack] = send_all(server.port, [request], timeout=10)
            first_create = last_create = None
            seen = 0
            deadline = time.monotonic() + TIMEOUT
            while time.monotonic() < deadline:
                count = len(saleshandy.create_requests)
                if count and first_create is None:
                    first_create = time.time()
                if count != seen:
                    seen, last_create = count, time.time()
                if len(set(_ID.findall("\n".join(thread_lines(slack))))) >= PROSPECTS:
                    break
                time.sleep(0.02)
            time.sleep(1.0)  # anything sent or posted twice would show now
            posts = [c for c in slack.calls("chat.postMessage") if c.params.get("thread_ts")]
            last_post = max((c.at for c in posts), default=float("nan"))
            log = server.log_text()
        creates = saleshandy.create_requests
        tasks = saleshandy.tasks

    sent_ids = Counter(pid for r in creates for pid in r.body["prospectIds"])
    created = Counter(t.prospect_id for t in tasks)
    task_of = {t.prospect_id: t.task_id for t in tasks}
    lines = [m for m in (_LINE.match(line) for line in thread_lines(slack)) if m]
    mentioned = Counter(pid for line in thread_lines(slack) for pid in _ID.findall(line))
    wrong_task = [m.group(2) for m in lines if m.group(1) != "✅" or task_of.get(m.group(2)) != m.group(3)]
    http_429 = log.count("HTTP 429")
    waits = re.findall(r"rate-limit window used up; waiting ([\d.]+)s", log)

    ideal_seq = sequential_ideal(requests, limit=LIMIT, window=WINDOW, latency=LATENCY)
    ideal_all = concurrent_ideal(requests, limit=LIMIT, window=WINDOW, latency=LATENCY)
    saleshandy_phase = (last_create or started) + LATENCY - (first_create or started)
    total = last_post - started
    print(f"{PROSPECTS} prospects in one /task, chunks of {CHUNK_SIZE} = {requests} requests; "
          f"fake Saleshandy answering in {LATENCY * 1000:.0f} ms, {LIMIT} requests per {WINDOW:.0f} s window")
    print(f"  ack: HTTP {ack.status} in {ack.seconds * 1000:.0f} ms")
    print(f"  Saleshandy phase (first create request to last answer, ±20 ms): {saleshandy_phase:.2f} s")
    print(f"  total, command sent to last result posted in Slack: {total:.2f} s")
    print(f"  ideal the rate limit allows, one request at a time: {ideal_seq:.2f} s "
          f"((⌈{requests}/{LIMIT}⌉−1)×{WINDOW:.0f} s + the last window's requests × {LATENCY} s)")
    print(f"  ideal with every request in flight at once: {ideal_all:.2f} s "
          f"((⌈{requests}/{LIMIT}⌉−1)×{WINDOW:.0f} s + {LATENCY} s)")
    print(f"  ratio total/ideal: {total / ideal_seq:.2f}× (one at a time), {total / ideal_all:.2f}× (all at "
          f"once); Saleshandy phase/ideal (one at a time): {saleshandy_phase / ideal_seq:.2f}×")
    print(f"  requests sent: {len(creates)} (expected {requests}); answered 429: {http_429}; "
          f"waits for an exhausted window: {', '.join(w + ' s' for w in waits) or 'none'}")
    ok = (
        len(tasks) == PROSPECTS and set(created) == set(ids) and max(created.values()) == 1
        and set(sent_ids) == set(ids) and max(sent_ids.values()) == 1
        and len(lines) == PROSPECTS and set(mentioned) == set(ids) and max(mentioned.values()) == 1
        and not wrong_task
    )
    print(f"  exactly one outcome per prospect: {'OK' if ok else 'FAILED'} — tasks in the fake: {len(tasks)} "
          f"({sum(n > 1 for n in created.values())} prospects twice); prospects sent twice: "
          f"{sum(n > 1 for n in sent_ids.values())}; result lines in the thread: {len(lines)} in "
          f"{len(posts)} replies, prospects named: {len(mentioned)} "
          f"({sum(n > 1 for n in mentioned.values())} more than once, {PROSPECTS - len(mentioned)} never); "
          f"lines not '✅ … task <the fake's id>': {len(wrong_task)}")
    print(f"  app log: {log_problems(log) or 'no tracebacks, errors or timeouts'}")
    print(f"(whole run: {time.perf_counter() - began:.0f} s)")


if __name__ == "__main__":
    main()
