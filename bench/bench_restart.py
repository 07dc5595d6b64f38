"""Work survives the process: one `/task` naming 1,000 prospects, and the process doing it dies mid-way.

Run from the repository root: `python bench/bench_restart.py` (all four runs, under 2 minutes; only
loopback traffic); `--only sqlite`, `--only postgresql`, `--only kill-worker`, `--only stop-all` (repeatable)
pick databases and cases.

The app runs as the Procfile serves it (gunicorn, 3 workers, its flags, a loopback port) with
SALESHANDY_CHUNK_SIZE=25, against a fake Slack and a fake Saleshandy in this process that answers in
200 ms and allows 20 requests per 10 s window: 1,000 prospects are 40 requests. Once the fake has
received half of them (the 20th in flight), one of two things happens:

- kill-worker: the worker holding the submission's lease (the pid in `submissions.lease_owner`, read
  from the same database) is SIGKILLed. gunicorn boots a new worker; the lease expires (20 s at most
  after its last renewal) and a surviving worker takes the submission over.
- stop-all: the gunicorn master gets SIGTERM (a deploy, a platform stopping the dyno) and SIGKILL 10 s
  later if still alive; then it is started again on the same database.

Two more cases run only when named (`--only kill-worker-waiting`, `--only stop-all-waiting`): the same
crashes 0.6 s after the 20th request arrived, once it is answered and the worker waits for the next
rate-limit window (nothing in flight at the API). `--window 20` lengthens the fake's window, so that
wait outlasts the 6 s a stopping worker gives its work.

Each case runs on a SQLite file and on a PostgreSQL database of its own (created on
127.0.0.1:5432, dropped at the end). Printed for each: tasks created (in the fake Saleshandy), prospects
with exactly one result line in the Slack thread, prospects created twice (must be 0), prospects with
no line (must be 0), prospects with more than one line (must be 0), prospects reported unknown (the
chunk in flight at the crash: at most one chunk, 25, expected; and how many of them Saleshandy really
created), and seconds from the kill (or the restart) to the last result line. Exit status 1 when a must
fails; the gunicorn logs are then kept and their folder printed.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from bench._harness import (
    APP_SPEC,
    USERS,
    SaleshandyWatch,
    Server,
    bench_database,
    command,
    driver_for,
    kill_orphans,
    log_problems,
    new_fake_saleshandy,
    new_fake_slack,
    prospect_id,
    run_matrix,
    send_all,
    start_server,
    stop_server,
    thread_result_lines,
    wait_until,
)
from bot.parsing.prospects import looks_like_prospect_id

PROSPECTS = 1000
CHUNK_SIZE = 25
LATENCY = 0.2
LIMIT = 20
WINDOW = 10.0
WORKERS = 3
CRASH_AT_REQUEST = 20
"""The crash comes once the fake has received this many create requests (the last one in flight)."""
KILL_AFTER_TERM_SECONDS = 10.0
"""Platforms SIGKILL what is still alive this long after SIGTERM."""
FINISH_TIMEOUT = 120.0
CASES = ("kill-worker", "stop-all")
WAITING_CASES = ("kill-worker-waiting", "stop-all-waiting")
"""Not run by default: the same crashes once the 20th request has been answered, while the worker waits
for the next rate-limit window (nothing in flight at the API)."""
WAITING_AFTER_ANSWER = 0.6
"""For the -waiting cases: seconds after the 20th request arrived (answered 200 ms later)."""
DATABASES = ("sqlite", "postgresql")


@dataclass
class Outcome:
    case: str
    database: str
    tasks: int = 0
    exactly_one_line: int = 0
    created_twice: int = 0
    no_line: int = 0
    several_lines: int = 0
    unknown: int = 0
    unknown_with_task: int = 0
    """Of the prospects reported unknown, those Saleshandy did create a task for (the chunk was sent)."""
    failed: int = 0
    seconds_to_last_line: float = math.nan
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def lease_rows(engine_url: str) -> tuple[list[dict[str, object]], Counter[str]]:
    """The submissions (lease owner, epoch, state, take-overs) and their chunks' states, as stored."""
    engine = create_engine(engine_url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            rows = [dict(r) for r in connection.execute(text(
                "SELECT id, state, lease_owner, lease_until, lease_epoch, resumes FROM submissions"
            )).mappings()]
            chunks = Counter({
                f"{state}@{attempt}": int(n) for state, attempt, n in connection.execute(text(
                    "SELECT state, attempt, count(*) FROM submission_chunks GROUP BY state, attempt"
                ))
            })
    finally:
        engine.dispose()
    return rows, chunks


def lease_holder_pid(engine_url: str) -> int | None:
    rows, _ = lease_rows(engine_url)
    owners = [str(r["lease_owner"]) for r in rows if r["lease_owner"]]
    return int(owners[0].split(":")[1]) if owners else None


def run_case(case: str, database: str, workdir: Path, *, window: float = WINDOW) -> Outcome:
    outcome = Outcome(case, database)
    ids = [prospect_id(n) for n in range(PROSPECTS)]
    assert all(looks_like_prospect_id(pid) for pid in ids)
    extra = {"SALESHANDY_CHUNK_SIZE": str(CHUNK_SIZE)}
    servers: list[Server] = []
    began = time.perf_counter()
    with new_fake_saleshandy() as saleshandy, new_fake_slack() as slack, \
            bench_database(database, workdir, label=f"restart_{case}") as url:
        try:
            server = start_server(APP_SPEC, slack, saleshandy, workdir=workdir, database_url=url,
                                  workers=WORKERS, extra_env=extra, log_name="gunicorn-1.log")
            servers.append(server)
            with driver_for(server.url, slack) as driver:
                warm = send_all(server.port, [command(driver, "help", user=USERS[0]) for _ in range(6)],
                                concurrency=3)
                assert all(s.status == 200 for s in warm), warm
                saleshandy.set_latency(LATENCY)
                saleshandy.set_rate_limit(LIMIT, window_seconds=window)
                watch = SaleshandyWatch(saleshandy)
                request = command(driver, "call tomorrow " + " ".join(ids), user=USERS[1])
                sent_at = time.time()
                [ack] = send_all(server.port, [request], timeout=10)
                assert ack.status == 200, ack
            if case.endswith("-waiting"):
                wait_until(lambda: len(watch.create_times) >= CRASH_AT_REQUEST
                           and time.time() - watch.create_times[CRASH_AT_REQUEST - 1] >= WAITING_AFTER_ANSWER,
                           timeout=60, what=f"{CRASH_AT_REQUEST} create requests answered")
            else:
                wait_until(lambda: len(watch.create_times) >= CRASH_AT_REQUEST, timeout=60,
                           what=f"{CRASH_AT_REQUEST} create requests")
            holder = lease_holder_pid(url)
            workers_before = server.worker_pids()
            if case.startswith("kill-worker"):
                if holder is None or holder not in workers_before:
                    raise RuntimeError(f"lease holder {holder} is not one of the workers {workers_before}")
                os.kill(holder, signal.SIGKILL)
                crash_at = time.time()
                since, since_what = crash_at, "the kill"
                requests_at_crash = len(saleshandy.create_requests)
                outcome.notes.append(
                    f"SIGKILL worker {holder} (lease holder) {crash_at - sent_at:.1f} s after the command, "
                    f"{requests_at_crash} requests received"
                )
                wait_until(lambda: len(server.worker_pids()) >= WORKERS
                           and server.log_text().count("Booting worker") > WORKERS,
                           timeout=30, what="gunicorn to boot a new worker")
                outcome.notes.append(
                    f"gunicorn forked a replacement worker within {time.time() - crash_at:.1f} s of the "
                    f"kill; "
                    f"workers now {server.worker_pids()}"
                )
            else:
                server.process.send_signal(signal.SIGTERM)
                crash_at = time.time()
                requests_at_crash = len(saleshandy.create_requests)
                try:
                    server.process.wait(timeout=KILL_AFTER_TERM_SECONDS)
                    stopped = (f"exited by itself in {time.time() - crash_at:.1f} s "
                               f"(code {server.process.returncode})")
                except subprocess.TimeoutExpired:
                    server.process.kill()
                    server.process.wait()
                    stopped = f"still alive after {KILL_AFTER_TERM_SECONDS:.0f} s: SIGKILLed"
                orphans = kill_orphans(workers_before)
                outcome.notes.append(
                    f"SIGTERM master {crash_at - sent_at:.1f} s after the command ({requests_at_crash} "
                    f"requests received, lease held by worker {holder}); master {stopped}"
                    + (f"; workers still alive then, SIGKILLed: {orphans}" if orphans else "")
                )
                requests_while_stopping = len(saleshandy.create_requests) - requests_at_crash
                rows, chunks = lease_rows(url)
                outcome.notes.append(
                    f"while stopping: {requests_while_stopping} more request(s) sent; stored then: "
                    f"{_describe_rows(rows)}; chunks {dict(chunks)}"
                )
                since_what = "the restart"
                since = time.time()
                server = start_server(APP_SPEC, slack, saleshandy, workdir=workdir, database_url=url,
                                      workers=WORKERS, extra_env=extra, log_name="gunicorn-2.log")
                servers.append(server)
                outcome.notes.append(f"restarted; every worker up {time.time() - since:.1f} s later")
            after_crash = requests_at_crash
            try:
                wait_until(lambda: len({r.prospect for r in thread_result_lines(slack)}) >= PROSPECTS
                           and lease_rows(url)[0][0]["state"] == "done",
                           timeout=FINISH_TIMEOUT, what="a result line for every prospect")
            except TimeoutError as error:
                outcome.problems.append(str(error))
            time.sleep(2.0)  # anything sent or posted twice would show now
            creates = saleshandy.create_requests
            first_after = watch.create_times[after_crash] if len(watch.create_times) > after_crash else None
            rows, chunks = lease_rows(url)
        finally:
            for s in servers:
                stop_server(s, grace=15)
        lines = thread_result_lines(slack)
        tasks = saleshandy.tasks
        logs = "\n".join(s.log_text() for s in servers)

    created = Counter(t.prospect_id for t in tasks)
    per_prospect = Counter(line.prospect for line in lines)
    outcome.tasks = len(tasks)
    outcome.exactly_one_line = sum(per_prospect[pid] == 1 for pid in ids)
    outcome.created_twice = sum(n > 1 for n in created.values())
    outcome.no_line = sum(per_prospect[pid] == 0 for pid in ids)
    outcome.several_lines = sum(per_prospect[pid] > 1 for pid in ids)
    unknown = {line.prospect for line in lines if line.mark == "❔"}
    outcome.unknown = len(unknown)
    outcome.unknown_with_task = len(unknown & set(created))
    outcome.failed = len({line.prospect for line in lines if line.mark == "❌"})
    if lines:
        outcome.seconds_to_last_line = max(line.at for line in lines) - since
    task_of = {t.prospect_id: t.task_id for t in tasks}
    wrong = [ln for ln in lines if ln.mark == "✅" and task_of.get(ln.prospect) != ln.task_id]
    sent = Counter(pid for r in creates for pid in r.body["prospectIds"])
    outcome.notes.append(
        f"create requests: {len(creates)} ({requests_at_crash} before the crash), answered 429: "
        f"{watch.answered_429}; prospects sent twice: {sum(n > 1 for n in sent.values())}; "
        f"'✅' lines whose task id is not the fake's: {len(wrong)}"
    )
    if first_after is not None:
        outcome.notes.append(f"first create request after the crash: {first_after - crash_at:.1f} s after it")
    takeovers = re.findall(r"resuming submission \S+ \(take-over (\d+)\)", logs)
    outcome.notes.append(
        f"stored at the end: {_describe_rows(rows)}; chunks {dict(chunks)}; take-overs logged: "
        f"{len(takeovers)}; threads with results: {len({ln.thread for ln in lines})}"
    )
    outcome.notes.append(f"app logs: {log_problems(logs) or 'no tracebacks, errors or timeouts'}")
    for line in dict.fromkeys(_error_lines(logs)):
        outcome.notes.append(f"  {line}")
    outcome.notes.append(f"(run: {time.perf_counter() - began:.0f} s; times measured from {since_what})")
    if outcome.created_twice:
        outcome.problems.append(f"{outcome.created_twice} prospects created twice")
    if outcome.no_line:
        outcome.problems.append(f"{outcome.no_line} prospects with no result line")
    if outcome.several_lines:
        outcome.problems.append(f"{outcome.several_lines} prospects with more than one result line")
    if wrong:
        outcome.problems.append(f"{len(wrong)} '✅' lines with a task id the fake did not give")
    return outcome


def _error_lines(log: str) -> list[str]:
    """The log's ERROR and WARNING lines, timestamps and pids left out (so repeats fold into one)."""
    lines = []
    for line in log.splitlines():
        if " ERROR " in line or " WARNING " in line or "[ERROR]" in line or "[WARNING]" in line:
            line = re.sub(r"^(\[[^]]*\] )+|^\S+ \S+ ", "", line)
            lines.append(re.sub(r"\b\d{3,}\b", "N", line)[:200])
    return lines


def _describe_rows(rows: list[dict[str, object]]) -> str:
    return "; ".join(
        f"state={r['state']} epoch={r['lease_epoch']} take-overs={r['resumes']} "
        f"owner={'none' if not r['lease_owner'] else 'pid ' + str(r['lease_owner']).split(':')[1]}"
        for r in rows
    ) or "no submission"


def print_outcome(o: Outcome) -> None:
    since = "restart" if o.case.startswith("stop-all") else "kill"
    print(f"[{o.case} · {o.database}] {'OK' if o.ok else 'FAILED: ' + '; '.join(o.problems)}")
    print(f"  tasks created: {o.tasks}; prospects with exactly one result line: "
          f"{o.exactly_one_line}/{PROSPECTS}")
    print(f"  created twice: {o.created_twice} (must be 0); no line: {o.no_line} (must be 0); "
          f"more than one line: {o.several_lines} (must be 0)")
    print(f"  reported unknown: {o.unknown} (≤ {CHUNK_SIZE} expected: the chunk in flight), of which "
          f"Saleshandy did create {o.unknown_with_task}; failed: {o.failed}")
    print(f"  seconds from the {since} to the last result line: {o.seconds_to_last_line:.1f}")
    for note in o.notes:
        print(f"    {note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep-logs", action="store_true", help="keep the gunicorn logs (and say where)")
    parser.add_argument("--window", type=float, default=WINDOW,
                        help=f"the fake's rate-limit window in seconds (default {WINDOW:.0f})")
    parser.add_argument("--only", action="append", choices=[*CASES, *WAITING_CASES, *DATABASES], default=[],
                        help="run only these cases and/or databases (repeatable); the -waiting cases run "
                        "only when named")
    args = parser.parse_args()
    cases = [c for c in (*CASES, *WAITING_CASES) if c in args.only] or list(CASES)
    databases = [d for d in DATABASES if d in args.only] or list(DATABASES)
    print(f"{PROSPECTS} prospects in one /task, chunks of {CHUNK_SIZE} = {math.ceil(PROSPECTS / CHUNK_SIZE)} "
          f"requests; fake Saleshandy answering in {LATENCY * 1000:.0f} ms, {LIMIT} requests per "
          f"{args.window:.0f} s; gunicorn with {WORKERS} workers; crash once {CRASH_AT_REQUEST} requests "
          f"were received", flush=True)

    def run_one(case: str, database: str, workdir: Path) -> bool:
        try:
            outcome = run_case(case, database, workdir, window=args.window)
        except Exception as error:  # the run itself broke: say so, keep going
            outcome = Outcome(case, database, problems=[f"{type(error).__name__}: {error}"])
        print_outcome(outcome)
        return outcome.ok

    runs = [(case, database) for database in databases for case in cases]
    run_matrix("bench-restart-", runs, run_one, keep_logs=args.keep_logs)


if __name__ == "__main__":
    main()
