"""Shared by the serving benchmarks: gunicorn started exactly as the Procfile says, on loopback, against
fakes in the bench process (started and stopped, or killed, by pid; any worker count, any DATABASE_URL);
a database of the bench's own (SQLite file, or a PostgreSQL database created and dropped); signed Slack
requests sent all at once; the result lines posted in Slack threads; what the fake Saleshandy saw;
percentiles.

Not a benchmark itself; `bench/bench_acks.py`, `bench/bench_bulk.py`, `bench/bench_memory.py`,
`bench/bench_lookup.py`, `bench/bench_restart.py` and `bench/bench_shared_limit.py` use it.
"""

from __future__ import annotations

import asyncio
import math
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from sqlalchemy import create_engine, make_url, text  # noqa: E402

from bot.slack import ids  # noqa: E402
from bot_testing.saleshandy import FakeSaleshandy, Fault, ReceivedRequest  # noqa: E402
from bot_testing.slack import FakeSlack  # noqa: E402
from bot_testing.slack_driver import SlackDriver, fill_view, interaction_body  # noqa: E402

TOKEN = "xoxb-bench-5d2c91"
SECRET = "bench-signing-secret-0e7a"
SALESHANDY_KEY = "bench-saleshandy-key"
APP_SPEC = "bot.slack.server:create_wsgi_app()"
BARE_SPEC = "bench.bare_bolt_app:create_wsgi_app()"
SLACK_ACK_SECONDS = 3.0
CHANNEL = "C0BENCH"
USERS = tuple(f"U0BENCH{n:02d}" for n in range(10))
"""Reps sending the commands; each has a time zone in the fake Slack (users.info answers, and is cached)."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def procfile_command(port: int, *, spec: str = APP_SPEC, workers: int | None = None) -> list[str]:
    """The Procfile's `web:` line, on a loopback port; `spec` replaces the app, `workers` the count."""
    line = (ROOT / "Procfile").read_text().strip()
    assert line.startswith("web: "), line
    command = line.removeprefix("web: ").replace("$PORT", str(port)).replace("0.0.0.0", "127.0.0.1")
    words = shlex.split(command)
    assert words[-1] == APP_SPEC, f"the Procfile serves {words[-1]!r}, not {APP_SPEC!r}"
    words[-1] = spec
    if workers is not None:  # the Procfile leaves the count to WEB_CONCURRENCY (gunicorn_conf): 3 unset
        words[1:1] = ["--workers", str(workers)]
    words[0] = str(Path(sys.executable).with_name(words[0]))
    return words


FAKE_BACKLOG = 1024


@contextmanager
def new_fake_slack() -> Iterator[FakeSlack]:
    """A running fake Slack that knows the bench's channel and users."""
    slack = FakeSlack(bot_token=TOKEN)
    slack.add_channel(CHANNEL, "bench")
    for user in USERS:
        slack.add_user(user, tz="Europe/Berlin")
    with slack:
        widen_backlog(slack)
        yield slack


@contextmanager
def new_fake_saleshandy() -> Iterator[FakeSaleshandy]:
    """A running fake Saleshandy taking the bench's key."""
    with FakeSaleshandy(SALESHANDY_KEY) as saleshandy:
        widen_backlog(saleshandy)
        yield saleshandy


def widen_backlog(fake: FakeSlack | FakeSaleshandy) -> None:
    """Both fakes are `http.server` servers, whose listen backlog is 5: under a burst, connections from
    the app's 48 background threads overflow it, the kernel drops their SYNs, and each waits a 1 s SYN
    retransmit (a users.info on the ack path then times out). Slack and Saleshandy queue far more, so
    the bench re-listens the fakes' sockets with a real server's backlog (private attribute: the fakes
    have no setting for it)."""
    server = fake._server
    assert server is not None
    server.socket.listen(FAKE_BACKLOG)


def listen_overflows() -> int:
    """The kernel's count of connections dropped because a listen queue was full (TcpExt ListenOverflows)."""
    lines = [line.split() for line in Path("/proc/net/netstat").read_text().splitlines()
             if line.startswith("TcpExt:")]
    return int(dict(zip(lines[0], lines[1], strict=True)).get("ListenOverflows", 0))


@dataclass
class Server:
    """A running gunicorn: its base URL, master process and log file."""

    url: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def worker_pids(self) -> list[int]:
        """gunicorn's workers: the master's children (read from /proc)."""
        children = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == self.process.pid:
                children.append(int(entry.name))
        return sorted(children)


def server_env(
    slack: FakeSlack,
    saleshandy: FakeSaleshandy | None,
    *,
    database_url: str,
    extra_env: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The app's environment: ours minus any Slack/Saleshandy/database settings, pointed at the fakes."""
    env = {
        k: v for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "SALESHANDY_", "DATABASE_URL", "DEFAULT_TIMEZONE"))
    }
    env |= {
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.api_url,
        "SALESHANDY_API_KEY": SALESHANDY_KEY,
        "SALESHANDY_API_URL": saleshandy.base_url if saleshandy else "http://127.0.0.1:9/v1",
        "DATABASE_URL": database_url,
        **(extra_env or {}),
    }
    return env


def start_server(
    spec: str,
    slack: FakeSlack,
    saleshandy: FakeSaleshandy | None,
    *,
    workdir: Path,
    database_url: str | None = None,
    workers: int | None = None,
    extra_env: Mapping[str, str] | None = None,
    port: int | None = None,
    log_name: str = "gunicorn.log",
) -> Server:
    """Start the Procfile's gunicorn in `workdir` (its log there too) and wait until every worker is up.
    The caller stops it (`stop_server`) or kills it. `database_url`: a SQLite file in `workdir` if None."""
    port = port or free_port()
    env = server_env(
        slack, saleshandy,
        database_url=database_url or f"sqlite:///{workdir / 'bench.sqlite3'}",
        extra_env=extra_env,
    )
    log = workdir / log_name
    with log.open("wb") as sink:
        process = subprocess.Popen(
            procfile_command(port, spec=spec, workers=workers),
            cwd=workdir, env=env, stdout=sink, stderr=subprocess.STDOUT,
        )
    server = Server(f"http://127.0.0.1:{port}", port, process, log)
    try:
        _wait_until_healthy(server, workers or 3)
    except BaseException:
        stop_server(server, grace=5)
        raise
    return server


def stop_server(server: Server, *, grace: float = 30.0) -> int:
    """SIGTERM the master (a graceful stop), SIGKILL it after `grace` seconds if still alive; then any
    of its workers still alive (orphans of a killed master) are killed by pid. Returns its exit code."""
    workers = server.worker_pids()
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)
    try:
        server.process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
    kill_orphans(workers)
    return int(server.process.returncode)


def kill_orphans(pids: Sequence[int]) -> list[int]:
    """SIGKILL those of `pids` (workers of a master that is gone) still alive; the pids killed."""
    killed = []
    for pid in pids:
        if pid_alive(pid):
            try:
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
            except ProcessLookupError:
                pass
    return killed


def pid_alive(pid: int) -> bool:
    """True while `pid` runs (a zombie, dead but not yet reaped, counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in {"Z", "X"}


@contextmanager
def gunicorn(
    spec: str,
    slack: FakeSlack,
    saleshandy: FakeSaleshandy | None,
    *,
    workers: int | None = None,
    extra_env: Mapping[str, str] | None = None,
) -> Iterator[Server]:
    """Serve `spec` with the Procfile's command line (in a temporary directory, with a fresh database
    unless `extra_env` gives DATABASE_URL)."""
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        server = start_server(
            spec, slack, saleshandy, workdir=Path(tmp), workers=workers, extra_env=extra_env
        )
        try:
            yield server
        finally:
            stop_server(server)


def _wait_until_healthy(server: Server, workers: int) -> None:
    deadline = time.monotonic() + 60
    with httpx.Client(trust_env=False, timeout=2) as http:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{server.log_text()[-3000:]}")
            try:
                healthy = http.get(f"{server.url}/healthz").status_code == 200
            except httpx.TransportError:
                healthy = False
            # Every worker booted: each one has imported the app and built it before it answers.
            booted = server.log_text().count("Booting worker") >= workers
            if healthy and booted and len(server.worker_pids()) >= workers:
                return
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not become healthy in 60 s:\n{server.log_text()[-3000:]}")


# ---- requests ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Prepared:
    """One signed request, ready to go: what it is, its body and headers."""

    kind: str
    body: bytes
    headers: dict[str, str]


def driver_for(server_url: str, slack: FakeSlack) -> SlackDriver:
    return SlackDriver(server_url, SECRET, slack)


def prospect_id(n: int) -> str:
    """Hash-like IDs the /task parser takes for prospect IDs (checked by the benches)."""
    return f"Pv8Bm{n:05d}Q"


def command(driver: SlackDriver, text: str, *, user: str) -> Prepared:
    fields = driver.slash_command_fields(text, user_id=user, channel_id=CHANNEL)
    body = urlencode(fields).encode()
    return Prepared("command", body, driver.signed_headers(body))


def view_submission(driver: SlackDriver, view: dict[str, object], *, view_id: str, prospect: str,
                    user: str) -> Prepared:
    """A submission of the task modal `view` (as the fake stored it) under a view id of its own."""
    values = fill_view(view, {ids.TASK_TYPE_ACTION_ID: "12", ids.PROSPECTS_ACTION_ID: prospect})
    payload = driver.view_submission_payload({**view, "id": view_id}, values, user_id=user)
    body = interaction_body(payload)
    return Prepared("view", body, driver.signed_headers(body))


def open_modal(driver: SlackDriver, slack: FakeSlack) -> dict[str, object]:
    """`/task` with no text opens the modal; returns the view as the fake stored it."""
    before = len(slack.calls("views.open"))
    response = driver.slash_command("", user_id=USERS[0], channel_id=CHANNEL)
    assert response.status_code == 200, response.text
    call = slack.wait_for("views.open", count=before + 1, timeout=10)[-1]
    assert call.ok, call.response
    return slack.view(call.response_json["view"]["id"])


@dataclass(frozen=True)
class Sent:
    kind: str
    status: int | None
    """HTTP status, or None when no answer came (connection error or timeout)."""
    seconds: float
    error: str | None = None


async def _send_one(port: int, request: Prepared, timeout: float) -> Sent:
    started = time.perf_counter()
    writer = None
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            head = [
                "POST /slack/events HTTP/1.1",
                f"Host: 127.0.0.1:{port}",
                f"Content-Length: {len(request.body)}",
                "Connection: close",
                *(f"{name}: {value}" for name, value in request.headers.items()),
            ]
            writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + request.body)
            await writer.drain()
            raw_head = await reader.readuntil(b"\r\n\r\n")
            lines = raw_head.decode("latin-1").split("\r\n")
            status = int(lines[0].split(" ", 2)[1])
            lengths = [int(line.split(":", 1)[1]) for line in lines[1:]
                       if line.lower().startswith("content-length:")]
            length = lengths[0] if lengths else None
            if length is None:
                await reader.read()
            else:
                await reader.readexactly(length)
            return Sent(request.kind, status, time.perf_counter() - started)
    except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as error:
        return Sent(request.kind, None, time.perf_counter() - started, type(error).__name__)
    finally:
        if writer is not None:
            writer.close()


def send_all(port: int, requests: Sequence[Prepared], *, concurrency: int | None = None,
             timeout: float = 10.0) -> list[Sent]:
    """Send `requests` at once (or `concurrency` at a time); each one's time from send to response."""

    async def run() -> list[Sent]:
        if concurrency is None:
            return list(await asyncio.gather(*(_send_one(port, r, timeout) for r in requests)))
        gate = asyncio.Semaphore(concurrency)

        async def gated(request: Prepared) -> Sent:
            async with gate:
                return await _send_one(port, request, timeout)

        return list(await asyncio.gather(*(gated(r) for r in requests)))

    return asyncio.run(run())


# ---- figures -------------------------------------------------------------------------------------


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (`fraction` 0.99 for p99): a value that was actually measured."""
    ordered = sorted(values)
    rank = math.ceil(fraction * len(ordered) - 1e-9)
    return ordered[min(max(rank, 1), len(ordered)) - 1]


def wait_until(condition: Callable[[], object], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.02)


def log_problems(text: str) -> dict[str, int]:
    """Counts of worrying lines in a gunicorn log."""
    needles = {
        "tracebacks": "Traceback (most recent call last)",
        "ERROR lines": "ERROR",
        "'database is locked'": "database is locked",
        "worker timeouts": "WORKER TIMEOUT",
        "'did not call ack'": "ack()",
    }
    return {label: text.count(needle) for label, needle in needles.items() if needle in text}


def vm_status(pid: int) -> dict[str, int]:
    """VmRSS / VmHWM (peak RSS) / VmSize of a process, in KiB, from /proc/<pid>/status."""
    fields: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in {"VmRSS", "VmHWM", "VmSize"}:
            fields[name] = int(value.split()[0])
    return fields


# ---- databases -----------------------------------------------------------------------------------

POSTGRES_ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
"""A PostgreSQL server the benches may create (and drop) databases on."""


@contextmanager
def bench_database(kind: str, workdir: Path, *, label: str) -> Iterator[str]:
    """A database of its own for one run: a SQLite file in `workdir`, or a PostgreSQL database with a
    unique name (`bench_<label>_<pid>_<random>`) created on POSTGRES_ADMIN_URL's server and dropped at
    the end (connections still open to it are ended by the DROP). Yields its SQLAlchemy URL."""
    if kind == "sqlite":
        yield f"sqlite:///{workdir / f'{label}.sqlite3'}"
        return
    if kind != "postgresql":
        raise ValueError(f"unknown database kind {kind!r}")
    name = f"bench_{re.sub(r'[^a-z0-9_]', '_', label.lower())}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


# ---- results in the Slack thread -----------------------------------------------------------------

RESULT_LINE = re.compile(r"^(✅|❌|❔) \*(Pv8Bm\d{5}Q)\*(?: — task (\S+))?")
"""A prospect's result line (prospects named by bare ID, as `prospect_id` makes them)."""


@dataclass(frozen=True)
class ResultLine:
    mark: str
    """✅ created, ❌ failed, ❔ unknown."""
    prospect: str
    task_id: str | None
    at: float
    """The reply's ts in the fake Slack (epoch seconds): when it was posted."""
    thread: str
    text: str
    """The whole line (with the reason of a ❌ or ❔)."""


def thread_result_lines(slack: FakeSlack, channel: str = CHANNEL) -> list[ResultLine]:
    """Every prospect's result line in the threads of `channel` (thread replies, not parents), in order."""
    found: list[ResultLine] = []
    for message in slack.messages(channel):
        thread = message.get("thread_ts")
        if not thread or thread == message.get("ts"):
            continue
        for block in message.get("blocks") or []:
            if block.get("type") != "section":
                continue
            body = (block.get("text") or {}).get("text")
            if not isinstance(body, str):
                continue
            for line in body.split("\n"):
                match = RESULT_LINE.match(line)
                if match:
                    found.append(ResultLine(match.group(1), match.group(2), match.group(3),
                                            float(message["ts"]), str(thread), line))
    return found


class SaleshandyWatch:
    """What the fake Saleshandy does from now on, as seen from inside it (its methods wrapped): when each
    create request arrived, how many requests it answered 429, and how many requests each of its
    rate-limit windows counted (in order; a window the app left partly unused shows below the limit)."""

    def __init__(self, saleshandy: FakeSaleshandy) -> None:
        self.create_times: list[float] = []
        self.answered_429 = 0
        self.window_uses: list[int] = []
        record, count = saleshandy.record, saleshandy.count

        def recording(request: ReceivedRequest) -> tuple[Fault | None, threading.Event]:
            if request.method == "POST" and request.path.endswith("/tasks/create"):
                self.create_times.append(time.time())
            return record(request)

        def counting(key: str) -> tuple[dict[str, str], float | None]:
            headers, over = count(key)
            if key == saleshandy.api_key:
                if over is not None:
                    self.answered_429 += 1
                used = int(headers["x-ratelimit-limit"]) - int(headers["x-ratelimit-remaining"])
                if (over is None and used == 1) or not self.window_uses:
                    self.window_uses.append(used)
                elif over is None:
                    self.window_uses[-1] = max(self.window_uses[-1], used)
            return headers, over

        saleshandy.record = recording  # type: ignore[method-assign]
        saleshandy.count = counting  # type: ignore[method-assign]


def run_matrix(
    prefix: str,
    runs: Sequence[tuple[str, str]],
    run_one: Callable[[str, str, Path], bool],
    *,
    keep_logs: bool = False,
) -> None:
    """Run `run_one(name, database, workdir)` for each (name, database) in its own folder, and exit 1
    if any said it failed (or broke: a run that raises is a failure, and the next one still runs). The
    folders, with the gunicorn logs, are kept when anything failed or `keep_logs`."""
    began = time.perf_counter()
    root = Path(tempfile.mkdtemp(prefix=prefix))
    failed = False
    for name, database in runs:
        workdir = root / f"{name}-{database}"
        workdir.mkdir()
        failed |= not run_one(name, database, workdir)
        sys.stdout.flush()
    print(f"(whole run: {time.perf_counter() - began:.0f} s)")
    if failed or keep_logs:
        print(f"gunicorn logs kept in {root}")
    else:
        shutil.rmtree(root, ignore_errors=True)
    if failed:
        sys.exit(1)
