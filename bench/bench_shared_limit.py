"""One Saleshandy rate limit shared by every worker: several `/task` commands at once, on several
gunicorn workers, against one API key's limit.

Run from the repository root: `python bench/bench_shared_limit.py` (both phases on SQLite and on
PostgreSQL, about 4.5 minutes; only loopback traffic); `--only sqlite` or `--only postgresql` (about
2 minutes each), `--only burst` or `--only tight` pick databases and phases.

The app runs as the Procfile serves it (gunicorn, 3 workers, its flags, a loopback port) against a fake
Slack and a fake Saleshandy in this process, answering in 200 ms; SALESHANDY_MAX_RATE_LIMIT_WAIT_SECONDS
is left at its default (60 s). The workers share the key's window through the database
(`bot.store.ratelimits.SharedWindow`), each database a fresh one of its own (a SQLite file, or a
PostgreSQL database created on 127.0.0.1:5432 and dropped at the end).

- burst: 6 concurrent commands of 250 prospects each, chunks of 25 (60 requests), limit 20 per 10 s.
- tight: 6 concurrent commands of 25 prospects each, chunks of 5 (30 requests), limit 3 per 10 s:
  every request waits for a window, up to ~90 s in all, longer than the 60 s the app waits at once.

Printed for each: requests answered 429 (must be 0), total time from the first command sent to the last
result line posted, and its ratio to the rate limit's ideal (requests / limit × window + one request's
latency, as if the requests were spread evenly; and the tighter (⌈requests / limit⌉ − 1) × window + latency,
the last window's requests sent at its start); prospects created twice (must be 0), prospects without
exactly one result line (must be 0), valid prospects failed or unknown (must be 0; every ID here is valid).
Exit status 1 when a must fails; the gunicorn logs are then kept and their folder printed.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
import threading
import time
from collections import Counter
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from bench._harness import (
    APP_SPEC,
    CHANNEL,
    USERS,
    ResultLine,
    SaleshandyWatch,
    Sent,
    bench_database,
    command,
    driver_for,
    log_problems,
    new_fake_saleshandy,
    new_fake_slack,
    prospect_id,
    run_matrix,
    send_all,
    start_server,
    stop_server,
    thread_result_lines,
)
from bot.parsing.prospects import looks_like_prospect_id
from bot_testing.saleshandy import CreatedTask, ReceivedRequest
from bot_testing.slack import FakeSlack

LATENCY = 0.2
WORKERS = 3
FINISH_TIMEOUT = 150.0
DATABASES = ("sqlite", "postgresql")


@dataclass(frozen=True)
class Phase:
    name: str
    commands: int
    prospects_each: int
    chunk_size: int
    limit: int
    window: float

    @property
    def requests(self) -> int:
        return self.commands * math.ceil(self.prospects_each / self.chunk_size)

    @property
    def even_ideal(self) -> float:
        """requests / (limit per window) + one request's latency."""
        return self.requests / self.limit * self.window + LATENCY

    @property
    def tight_ideal(self) -> float:
        """Every window used from its start: (⌈requests / limit⌉ − 1) windows, then one latency."""
        return (math.ceil(self.requests / self.limit) - 1) * self.window + LATENCY


PHASES = (
    Phase("burst", commands=6, prospects_each=250, chunk_size=25, limit=20, window=10.0),
    Phase("tight", commands=6, prospects_each=25, chunk_size=5, limit=3, window=10.0),
)


@dataclass
class Result:
    phase: Phase
    database: str
    lines: dict[str, str] = field(default_factory=dict)
    figures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def submission_owners(url: str) -> dict[str, str]:
    """submission id → pid of the process holding its lease now ('' when nobody does)."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT id, lease_owner FROM submissions")).all()
    finally:
        engine.dispose()
    return {sid: (owner.split(":")[1] if owner else "") for sid, owner in rows}


def stored_summary(url: str) -> str:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            states: Counter[str] = Counter(dict(connection.execute(
                text("SELECT state, count(*) FROM submissions GROUP BY state")).all()))
            resumed = connection.execute(text("SELECT count(*) FROM submissions WHERE resumes > 0")).scalar()
            chunks: Counter[str] = Counter(dict(connection.execute(
                text("SELECT state, count(*) FROM submission_chunks GROUP BY state")).all()))
    finally:
        engine.dispose()
    return f"submissions {dict(states)} ({resumed} taken over); chunks {dict(chunks)}"


class WindowTrace:
    """With --trace-window: the shared `rate_limit_windows` row polled every 20 ms, each change written
    (with the time) to `window-trace.txt` in the run's folder, next to the gunicorn log."""

    def __init__(self, url: str, path: Path) -> None:
        self._url, self._path = url, path
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> WindowTrace:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        engine = create_engine(self._url, poolclass=NullPool)
        last: tuple[object, ...] | None = None
        with self._path.open("w") as out:
            while not self._stop.wait(0.02):
                row: tuple[object, ...] | None
                try:
                    with engine.connect() as connection:
                        found = connection.execute(text(
                            "SELECT window_limit, available, window_ends, not_before, seq "
                            "FROM rate_limit_windows"
                        )).first()
                    row = None if found is None else tuple(found)
                except Exception as error:  # a table not made yet, a lock: try again
                    row = (type(error).__name__,)
                if row != last:
                    now = time.time()
                    # Moments shown as seconds from now; the columns in the SELECT's order.
                    shown = [f"{v - now:+.2f}s" if isinstance(v, float) and v > 1e9 else v
                             for v in (row or ())]
                    stamp = time.strftime("%H:%M:%S", time.localtime(now)) + f"{now % 1:.3f}"[1:]
                    out.write(f"{stamp} {shown}\n")
                    last = row
        engine.dispose()


def run_phase(phase: Phase, database: str, workdir: Path, *, trace_window: bool = False) -> Result:
    result = Result(phase, database)
    began = time.perf_counter()
    batches = [
        [prospect_id(n * phase.prospects_each + k) for k in range(phase.prospects_each)]
        for n in range(phase.commands)
    ]
    ids = [pid for batch in batches for pid in batch]
    assert all(looks_like_prospect_id(pid) for pid in ids) and len(set(ids)) == len(ids)
    extra = {"SALESHANDY_CHUNK_SIZE": str(phase.chunk_size)}
    with new_fake_saleshandy() as saleshandy, new_fake_slack() as slack, \
            bench_database(database, workdir, label=f"shared_limit_{phase.name}") as url:
        server = start_server(APP_SPEC, slack, saleshandy, workdir=workdir, database_url=url,
                              workers=WORKERS, extra_env=extra, log_name="gunicorn.log")
        try:
            with driver_for(server.url, slack) as driver:
                warm = send_all(server.port, [command(driver, "help", user=USERS[0]) for _ in range(6)],
                                concurrency=3)
                assert all(s.status == 200 for s in warm), warm
                saleshandy.set_latency(LATENCY)
                saleshandy.set_rate_limit(phase.limit, window_seconds=phase.window)
                watch = SaleshandyWatch(saleshandy)
                requests = [command(driver, "call tomorrow " + " ".join(batch), user=USERS[1 + n])
                            for n, batch in enumerate(batches)]
                trace: AbstractContextManager[object] = (
                    WindowTrace(url, workdir / "window-trace.txt") if trace_window else nullcontext()
                )
                with trace:
                    started = time.time()
                    acks = send_all(server.port, requests, timeout=10)
                    owners, finished = _wait_for_results(url, slack, len(ids))
            if not finished:
                result.problems.append(f"not every prospect had a result line after {FINISH_TIMEOUT:.0f} s")
            time.sleep(2.0)  # anything sent or posted twice would show now
            stored = stored_summary(url)
        finally:
            stop_server(server)
        lines = thread_result_lines(slack)
        headlines = Counter(_headlines(slack))
        tasks = saleshandy.tasks
        creates = saleshandy.create_requests
        log = server.log_text()
    for headline, n in headlines.items():
        result.notes.append(f"{n} result message(s) headed: {headline}")
    return _figures(result, phase, ids, started, acks, owners, watch, lines, tasks, creates, log, stored,
                    began)


def _headlines(slack: FakeSlack) -> list[str]:
    """The '⚠️ …' headline of each results message (said once for a reason shared by many prospects)."""
    found = []
    for message in slack.messages(CHANNEL):
        for block in message.get("blocks") or []:
            body = (block.get("text") or {}).get("text") if block.get("type") == "section" else None
            if isinstance(body, str):
                found += [line for line in body.split("\n") if line.startswith("⚠️")]
    return found


def _wait_for_results(url: str, slack: FakeSlack, prospects: int) -> tuple[dict[str, str], bool]:
    """Wait until every prospect has a result line; meanwhile note which worker holds each submission."""
    owners: dict[str, str] = {}
    deadline = time.monotonic() + FINISH_TIMEOUT
    while time.monotonic() < deadline:
        for sid, pid in submission_owners(url).items():
            if pid:
                owners.setdefault(sid, pid)
        if len({line.prospect for line in thread_result_lines(slack)}) >= prospects:
            return owners, True
        time.sleep(0.25)
    return owners, False


def _figures(
    result: Result, phase: Phase, ids: list[str], started: float, acks: list[Sent], owners: dict[str, str],
    watch: SaleshandyWatch, lines: list[ResultLine], tasks: list[CreatedTask],
    creates: list[ReceivedRequest], log: str, stored: str, began: float,
) -> Result:
    created = Counter(t.prospect_id for t in tasks)
    per_prospect = Counter(line.prospect for line in lines)
    marks = {line.prospect: line.mark for line in lines}
    failed = sum(marks.get(pid) == "❌" for pid in ids)
    unknown = sum(marks.get(pid) == "❔" for pid in ids)
    created_twice = sum(n > 1 for n in created.values())
    not_one_line = sum(per_prospect[pid] != 1 for pid in ids)
    last_line = max((line.at for line in lines), default=math.nan)
    total = last_line - started
    client_429 = log.count("HTTP 429")
    waits = [float(w) for w in re.findall(r"sending again in ([\d.]+)s", log)]
    spread = Counter(owners.values())

    result.lines = {
        "acks": f"{Counter(a.status for a in acks)} (HTTP status: count)",
        "answered 429": f"{watch.answered_429} (must be 0; the app's log counts {client_429})",
        "total": f"{total:.1f} s from the first command sent to the last result line",
        "ideal": f"{phase.even_ideal:.1f} s = {phase.requests} requests / {phase.limit} per "
                 f"{phase.window:.0f} s + {LATENCY} s → ratio {total / phase.even_ideal:.2f}×; "
                 f"tighter {phase.tight_ideal:.1f} s = (⌈{phase.requests}/{phase.limit}⌉−1)×"
                 f"{phase.window:.0f} s + {LATENCY} s → ratio {total / phase.tight_ideal:.2f}×",
        "requests sent": f"{len(creates)} (expected {phase.requests}); Saleshandy phase "
                         + (f"{watch.create_times[-1] + LATENCY - watch.create_times[0]:.1f} s (first "
                            f"request received to last answered)" if watch.create_times else "none"),
        "requests counted per window by the fake": f"{watch.window_uses} (limit {phase.limit})",
        "valid prospects failed": f"{failed} (must be 0); unknown: {unknown} (must be 0); "
                                  f"tasks created: {len(tasks)} of {len(ids)}",
        "created twice": f"{created_twice} (must be 0); prospects without exactly one result line: "
                         f"{not_one_line} (must be 0)",
    }
    result.notes.append(
        f"submissions per worker (pid: count): {dict(spread)}; sent again after a 429/connect error: "
        f"{len(waits)}; {stored}"
    )
    reasons = Counter(re.sub(r"^\S+ \*\w+\* — ", "", line.text) for line in lines if line.mark != "✅")
    for reason, n in reasons.items():
        result.notes.append(f"{n} line(s) say: {reason}")
    result.notes.append(f"app log: {log_problems(log) or 'no tracebacks, errors or timeouts'}")
    for line in dict.fromkeys(_warning_lines(log)):
        result.notes.append(f"  {line}")
    result.notes.append(f"(run: {time.perf_counter() - began:.0f} s)")
    if watch.answered_429:
        result.problems.append(f"{watch.answered_429} requests answered 429")
    if failed or unknown:
        result.problems.append(f"{failed} valid prospects failed, {unknown} unknown")
    if created_twice:
        result.problems.append(f"{created_twice} prospects created twice")
    if not_one_line:
        result.problems.append(f"{not_one_line} prospects without exactly one result line")
    if any(a.status != 200 for a in acks):
        result.problems.append("a command was not acked with 200")
    return result


def _warning_lines(log: str) -> list[str]:
    """The log's ERROR and WARNING lines, timestamps and numbers folded (so repeats show once)."""
    lines = []
    for line in log.splitlines():
        if " ERROR " in line or " WARNING " in line or "[ERROR]" in line or "[WARNING]" in line:
            line = re.sub(r"^(\[[^]]*\] )+|^\S+ \S+ ", "", line)
            lines.append(re.sub(r"\b\d+(\.\d+)?\b", "N", line)[:200])
    return lines


def print_result(r: Result) -> None:
    p = r.phase
    verdict = "OK" if not r.problems else "FAILED: " + "; ".join(r.problems)
    print(f"[{p.name} · {r.database}] {p.commands} commands × {p.prospects_each} prospects, chunks of "
          f"{p.chunk_size} = {p.requests} requests; limit {p.limit} per {p.window:.0f} s, "
          f"{LATENCY * 1000:.0f} ms each; {WORKERS} workers — {verdict}")
    for name, value in r.lines.items():
        print(f"  {name}: {value}")
    for note in r.notes:
        print(f"    {note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    names = [p.name for p in PHASES]
    parser.add_argument("--only", action="append", choices=[*names, *DATABASES], default=[],
                        help="run only these phases and/or databases (repeatable)")
    parser.add_argument("--trace-window", action="store_true",
                        help="record every change of the shared rate-limit row (kept with the logs)")
    parser.add_argument("--keep-logs", action="store_true", help="keep the gunicorn logs (and say where)")
    args = parser.parse_args()
    phases = [p for p in PHASES if p.name in args.only] or list(PHASES)
    databases = [d for d in DATABASES if d in args.only] or list(DATABASES)

    def run_one(name: str, database: str, workdir: Path) -> bool:
        phase = next(p for p in phases if p.name == name)
        try:
            result = run_phase(phase, database, workdir, trace_window=args.trace_window)
        except Exception as error:  # the run itself broke: say so, keep going
            result = Result(phase, database, problems=[f"{type(error).__name__}: {error}"])
        print_result(result)
        return not result.problems

    runs = [(phase.name, database) for database in databases for phase in phases]
    run_matrix("bench-shared-limit-", runs, run_one, keep_logs=args.keep_logs or args.trace_window)


if __name__ == "__main__":
    main()
