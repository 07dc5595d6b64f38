"""How fast the app acks a burst of Slack requests, served as the Procfile serves it, next to a bare
slack-bolt app that only acks, served by the same command line in the same run.

Run from the repository root: `python bench/bench_acks.py` (about 30 s; only loopback traffic).

Two gunicorns run with the Procfile's flags on loopback ports: the app, its environment pointing at a
fake Slack and a fake Saleshandy (answering in 300 ms) served by this process, and
`bench/bare_bolt_app.py`. After a warm-up, bursts of 50 and then 200 signed requests go out at once,
three rounds of each, alternating app and bare (the app's background work finished before the bare
burst): half `/task` commands that create a task at once, half submissions of a valid task modal
(opened with `/task` first; each submission under a view id of its own). Printed: the time from sending
each request to its HTTP response (the ack) as p50/p95/p99/max over the rounds, requests answered other
than 200, not answered within 10 s, or answered after Slack's 3 s; the p99 ratio app/bare (goal ≤ 1.5×,
and far under 3 s); how long the background work took (until every result was posted in Slack); and
whether Saleshandy got exactly one create request per submission.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import bare_bolt_app
from bench._harness import (
    APP_SPEC,
    BARE_SPEC,
    SLACK_ACK_SECONDS,
    USERS,
    Prepared,
    Sent,
    Server,
    command,
    driver_for,
    gunicorn,
    listen_overflows,
    log_problems,
    new_fake_saleshandy,
    new_fake_slack,
    open_modal,
    percentile,
    prospect_id,
    send_all,
    view_submission,
    wait_until,
)
from bot.slack import ids
from bot_testing.saleshandy import FakeSaleshandy
from bot_testing.slack import FakeSlack
from bot_testing.slack_driver import SlackDriver

SALESHANDY_LATENCY = 0.3
BURSTS = (50, 200)
ROUNDS = 3
WARM_UP = 30
"""Requests (6 at a time) before measuring, so each worker has served a few: imports done, pools open."""
POSTS_PER_SUBMISSION = 2
"""A /task command and a submission from /task's modal each post a parent message and one results reply."""
BACKGROUND_TIMEOUT = 90.0


class Mix:
    """Half commands that create a task at once, half modal submissions; every one names its own prospect."""

    def __init__(self, driver: SlackDriver, view: dict[str, object], numbers: itertools.count[int]) -> None:
        self.driver, self.view, self.numbers = driver, view, numbers
        self.prospects: list[str] = []

    def requests(self, count: int) -> list[Prepared]:
        prepared = []
        for index in range(count):
            n = next(self.numbers)
            prospect, user = prospect_id(n), USERS[n % len(USERS)]
            self.prospects.append(prospect)
            if index % 2 == 0:
                text = f"call tomorrow high {prospect} note: bench"
                prepared.append(command(self.driver, text, user=user))
            else:
                prepared.append(view_submission(
                    self.driver, self.view, view_id=f"VBENCH{n:06d}", prospect=prospect, user=user
                ))
        return prepared


def summarize(sent: list[Sent]) -> dict[str, float]:
    answered = [s.seconds for s in sent if s.status is not None]
    nan = float("nan")
    return {
        "p50": percentile(answered, 0.50) if answered else nan,
        "p95": percentile(answered, 0.95) if answered else nan,
        "p99": percentile(answered, 0.99) if answered else nan,
        "max": max(answered) if answered else nan,
        "non200": sum(s.status is not None and s.status != 200 for s in sent),
        "none": sum(s.status is None for s in sent),
        "late": sum(s.status is not None and s.seconds > SLACK_ACK_SECONDS for s in sent),
    }


HEADER = "  {:<16}{:>8} {:>8} {:>8} {:>8}  {:>8} {:>9} {:>8}".format(
    "", "p50 ms", "p95 ms", "p99 ms", "max ms", "non-200", "no answer", "over 3 s"
)


def row(name: str, figures: dict[str, float]) -> str:
    ms = " ".join(f"{figures[k] * 1000:8.0f}" for k in ("p50", "p95", "p99", "max"))
    return f"  {name:<16}{ms}  {figures['non200']:8.0f} {figures['none']:9.0f} {figures['late']:8.0f}"


def posts(slack: FakeSlack) -> int:
    return len(slack.calls("chat.postMessage"))


def warm_up(server: Server, mix: Mix) -> None:
    warm = send_all(server.port, mix.requests(WARM_UP), concurrency=6)
    assert all(s.status == 200 for s in warm), Counter((s.status, s.error) for s in warm)


def check_exactly_once(saleshandy: FakeSaleshandy, slack: FakeSlack, prospects: list[str]) -> str:
    creates = saleshandy.create_requests
    per_id = Counter(pid for r in creates for pid in r.body["prospectIds"])
    twice = sorted(pid for pid, n in per_id.items() if n > 1)
    missing = sorted(set(prospects) - set(per_id))
    tasks = Counter(t.prospect_id for t in saleshandy.tasks)
    expected_posts = POSTS_PER_SUBMISSION * len(prospects)
    ok = (len(creates) == len(prospects) and not twice and not missing and set(per_id) == set(prospects)
          and sorted(tasks) == sorted(prospects) and posts(slack) == expected_posts)
    return (
        f"exactly one create per submission: {'OK' if ok else 'FAILED'} — {len(prospects)} submissions "
        f"(warm-up included), {len(creates)} create requests, {len(tasks)} prospects with a task, "
        f"{len(twice)} prospects sent twice, {len(missing)} never sent; "
        f"chat.postMessage calls: {posts(slack)} (expected {expected_posts})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--app-spec", default=APP_SPEC,
                        help=f"what gunicorn serves as the app (default: the Procfile's {APP_SPEC}); "
                             "to measure a candidate change from a module on PYTHONPATH")
    app_spec = parser.parse_args().app_spec
    assert bare_bolt_app.TASK_MODAL_CALLBACK_ID == ids.TASK_MODAL_CALLBACK_ID
    assert bare_bolt_app.TASK_COMMAND == ids.TASK_COMMAND
    began = time.perf_counter()
    overflows = listen_overflows()
    numbers = itertools.count()
    app: dict[int, list[list[Sent]]] = {size: [] for size in BURSTS}
    bare: dict[int, list[list[Sent]]] = {size: [] for size in BURSTS}
    background: dict[int, list[tuple[float, float]]] = {size: [] for size in BURSTS}
    notes: list[str] = []
    with new_fake_saleshandy() as saleshandy, new_fake_slack() as slack:
        saleshandy.set_latency(SALESHANDY_LATENCY)
        with (
            gunicorn(app_spec, slack, saleshandy) as app_server,
            gunicorn(BARE_SPEC, slack, None) as bare_server,
            driver_for(app_server.url, slack) as app_driver,
            driver_for(bare_server.url, slack) as bare_driver,
        ):
            view = open_modal(app_driver, slack)
            app_mix, bare_mix = Mix(app_driver, view, numbers), Mix(bare_driver, view, numbers)
            warm_up(app_server, app_mix)
            warm_up(bare_server, bare_mix)
            for size, _ in itertools.product(BURSTS, range(ROUNDS)):
                wait_until(lambda: posts(slack) >= POSTS_PER_SUBMISSION * len(app_mix.prospects),
                           timeout=BACKGROUND_TIMEOUT, what="the app's results")
                requests = app_mix.requests(size)
                started = time.time()
                app[size].append(send_all(app_server.port, requests))
                acked = time.time() - started
                try:
                    wait_until(lambda: posts(slack) >= POSTS_PER_SUBMISSION * len(app_mix.prospects),
                               timeout=BACKGROUND_TIMEOUT, what="every result posted")
                except TimeoutError as error:
                    notes.append(f"burst of {size}: {error} (chat.postMessage calls: {posts(slack)})")
                last_post = max(c.at for c in slack.calls("chat.postMessage"))
                background[size].append((acked, last_post - started))
                bare[size].append(send_all(bare_server.port, bare_mix.requests(size)))
            time.sleep(0.5)  # anything posted twice would show now
            notes.append(check_exactly_once(saleshandy, slack, app_mix.prospects))
            for name, server in (("app", app_server), ("bare", bare_server)):
                problems = log_problems(server.log_text())
                notes.append(f"{name} log: {problems or 'no tracebacks, errors or timeouts'}")
    if app_spec != APP_SPEC:
        print(f"app served: {app_spec} (not the Procfile's {APP_SPEC})")
    print(f"ack latency, gunicorn as in the Procfile (3 workers × 8 threads), fake Saleshandy at "
          f"{SALESHANDY_LATENCY * 1000:.0f} ms; half /task commands, half modal submissions; "
          f"{ROUNDS} rounds per size, app and bare alternating")
    for size in BURSTS:
        ours_all = [s for sent in app[size] for s in sent]
        theirs_all = [s for sent in bare[size] for s in sent]
        ours, theirs = summarize(ours_all), summarize(theirs_all)
        print(f"\n{size} requests at once × {ROUNDS} rounds ({len(ours_all)} requests per server)")
        print(HEADER)
        print(row("app", ours))
        for kind in ("command", "view"):
            print(row(f"  app {kind}s", summarize([s for s in ours_all if s.kind == kind])))
        print(row("bare bolt", theirs))
        per_round = ", ".join(
            f"{summarize(a)['p99'] * 1000:.0f}/{summarize(b)['p99'] * 1000:.0f}"
            for a, b in zip(app[size], bare[size], strict=True)
        )
        print(f"  p99 per round, app/bare ms: {per_round}")
        ratio = ours["p99"] / theirs["p99"]
        median_ratio = (statistics.median(s.seconds for s in ours_all)
                        / statistics.median(s.seconds for s in theirs_all))
        print(f"  p99 app/bare: {ratio:.2f}× ({'within' if ratio <= 1.5 else 'OVER'} the 1.5× goal); "
              f"app p99 {ours['p99'] * 1000:.0f} ms of Slack's 3000 ms; median app/bare {median_ratio:.2f}×")
        print("  background (app): " + "; ".join(
            f"acks back in {acked:.2f} s, every result posted {done:.2f} s after the burst began"
            for acked, done in background[size]
        ))
        errors = Counter(s.error for s in ours_all + theirs_all if s.error)
        if errors:
            print(f"  no answer because: {dict(errors)}")
    print()
    for note in notes:
        print(note)
    print(f"connections dropped on a full listen queue during the run (any process): "
          f"{listen_overflows() - overflows}")
    print(f"(whole run: {time.perf_counter() - began:.0f} s)")


if __name__ == "__main__":
    main()
