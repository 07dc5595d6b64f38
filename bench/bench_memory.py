"""Peak memory of one app worker after 1,000 commands, next to a bare slack-bolt app's after the same.

Run from the repository root: `python bench/bench_memory.py` (about 30 s; only loopback traffic).

Each app runs in a single gunicorn worker, otherwise with the Procfile's command line (gthread, 8
threads), against a fake Slack and a fake Saleshandy in this process. 1,000 signed `/task` commands
that each create a task go out 8 at a time; the app's background work (a Saleshandy call and two
Slack posts per command) is waited for. Printed for each: the worker's RSS after boot, after 250, 500
and 1,000 commands (growth between 500 and 1,000 would hint at a leak), and its peak RSS (VmHWM from
/proc/<worker pid>/status, the worker found as gunicorn's child); and the ratio app/bare of the peaks.
"""

from __future__ import annotations

import itertools
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._harness import (
    APP_SPEC,
    BARE_SPEC,
    USERS,
    command,
    driver_for,
    gunicorn,
    log_problems,
    new_fake_saleshandy,
    new_fake_slack,
    prospect_id,
    send_all,
    vm_status,
    wait_until,
)
from bot_testing.saleshandy import FakeSaleshandy
from bot_testing.slack import FakeSlack

COMMANDS = 1000
CHECKPOINTS = (250, 500, 1000)
CONCURRENCY = 8
POSTS_PER_COMMAND = 2


def measure(spec: str, slack: FakeSlack, saleshandy: FakeSaleshandy,
            numbers: itertools.count[int]) -> tuple[dict[str, int], list[str]]:
    figures: dict[str, int] = {}
    notes: list[str] = []
    does_work = spec == APP_SPEC
    with gunicorn(spec, slack, saleshandy if does_work else None, workers=1) as server, \
            driver_for(server.url, slack) as driver:
        [worker] = server.worker_pids()
        figures["boot"] = vm_status(worker)["VmRSS"]
        posts_before = len(slack.calls("chat.postMessage"))
        sent = 0
        started = time.perf_counter()
        for checkpoint in CHECKPOINTS:
            requests = []
            for _ in range(checkpoint - sent):
                n = next(numbers)
                text = f"call tomorrow high {prospect_id(n)} note: memory bench"
                requests.append(command(driver, text, user=USERS[n % len(USERS)]))
            answers = send_all(server.port, requests, concurrency=CONCURRENCY)
            statuses = Counter(a.status for a in answers)
            if statuses != {200: len(requests)}:
                notes.append(f"{spec}: answers other than 200 before {checkpoint}: {dict(statuses)}")
            sent = checkpoint
            if does_work:
                expected = posts_before + POSTS_PER_COMMAND * sent
                wait_until(lambda n=expected: len(slack.calls("chat.postMessage")) >= n,
                           timeout=120, what=f"results of {sent} commands")
            figures[str(checkpoint)] = vm_status(worker)["VmRSS"]
        figures["peak"] = vm_status(worker)["VmHWM"]
        notes.append(f"{spec}: {COMMANDS} commands (and their background work) in "
                     f"{time.perf_counter() - started:.1f} s; log: "
                     f"{log_problems(server.log_text()) or 'no tracebacks, errors or timeouts'}")
        if does_work:
            notes.append(f"{spec}: Saleshandy create requests so far: {len(saleshandy.create_requests)}")
    return figures, notes


def mib(kib: int) -> str:
    return f"{kib / 1024:6.1f} MiB"


def main() -> None:
    began = time.perf_counter()
    numbers = itertools.count()
    with new_fake_saleshandy() as saleshandy, new_fake_slack() as slack:
        saleshandy.set_rate_limit(1_000_000, window_seconds=60)  # memory, not rate limits, here
        app, app_notes = measure(APP_SPEC, slack, saleshandy, numbers)
        bare, bare_notes = measure(BARE_SPEC, slack, saleshandy, numbers)
    print(f"RSS of one gunicorn worker (gthread, 8 threads) serving {COMMANDS} signed /task commands "
          f"{CONCURRENCY} at a time")
    print(f"  {'':<10}{'boot':>10} {'after 250':>10} {'after 500':>10} {'after 1000':>10} {'peak':>10}")
    for name, figures in (("app", app), ("bare bolt", bare)):
        cells = " ".join(f"{mib(figures[key]):>10}" for key in ("boot", "250", "500", "1000", "peak"))
        print(f"  {name:<10}{cells}")
    more = (app["peak"] - bare["peak"]) / 1024
    print(f"  peak app/bare: {app['peak'] / bare['peak']:.2f}× ({more:.1f} MiB more); "
          f"app growth from 500 to 1000 commands: {(app['1000'] - app['500']) / 1024:+.1f} MiB, "
          f"bare: {(bare['1000'] - bare['500']) / 1024:+.1f} MiB")
    for note in app_notes + bare_notes:
        print(note)
    print(f"(whole run: {time.perf_counter() - began:.0f} s)")


if __name__ == "__main__":
    main()
