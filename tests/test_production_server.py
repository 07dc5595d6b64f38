"""The Procfile's command, run for real: gunicorn serving the app on loopback, against the fakes."""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from bot_testing.saleshandy import FakeSaleshandy
from bot_testing.slack import FakeSlack
from bot_testing.slack_driver import SlackDriver
from tests.conftest import SALESHANDY_TEST_KEY
from tests.helpers.fakes import tls_context

# Grouped: one process runs the module, so its module-scoped fixture starts once.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("gunicorn")]

ROOT = Path(__file__).resolve().parent.parent
TOKEN, SECRET = "xoxb-gunicorn-3c9e", "gunicorn-signing-secret-77"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def procfile_command(port: int) -> list[str]:
    line = (ROOT / "Procfile").read_text().strip()
    assert line.startswith("web: ")
    command = line.removeprefix("web: ").replace("$PORT", str(port)).replace("0.0.0.0", "127.0.0.1")
    words = shlex.split(command)
    words[0] = str(Path(sys.executable).with_name(words[0]))
    return words


def gunicorn_env(
    slack: FakeSlack, saleshandy: FakeSaleshandy, database: Path, **extra: str
) -> dict[str, str]:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SALESHANDY_", "DATABASE_URL"))
    }
    return clean | {
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.api_url,
        "SALESHANDY_API_KEY": SALESHANDY_TEST_KEY,
        "SALESHANDY_API_URL": saleshandy.base_url,
        "DATABASE_URL": f"sqlite:///{database}",
        **extra,
    }


def start_gunicorn(port: int, env: dict[str, str], folder: Path) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        procfile_command(port), cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    _wait_until_healthy(f"http://127.0.0.1:{port}", process)
    return process


def stop_gunicorn(process: subprocess.Popen[bytes]) -> bytes:
    """SIGTERM, as a platform stops it, and its output; it must be gone within the platforms' 10 s."""
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=10)
    assert TOKEN.encode() not in output and SALESHANDY_TEST_KEY.encode() not in output
    return output


@pytest.fixture(scope="module")
def _gunicorn(
    _running_fake_saleshandy: FakeSaleshandy, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, FakeSlack]]:
    """The Procfile's server, started once for the tests that only talk to it. Two workers, not the
    default three: still more than one for `/metrics` to sum, one interpreter fewer to start."""
    folder = tmp_path_factory.mktemp("gunicorn")
    with FakeSlack(bot_token=TOKEN) as slack:
        port = free_port()
        env = gunicorn_env(slack, _running_fake_saleshandy, folder / "prod.sqlite3", WEB_CONCURRENCY="2")
        process = start_gunicorn(port, env, folder)
        try:
            yield f"http://127.0.0.1:{port}", slack
        finally:
            stop_gunicorn(process)


@pytest.fixture
def gunicorn_app(
    _gunicorn: tuple[str, FakeSlack], fake_saleshandy: FakeSaleshandy
) -> Iterator[tuple[str, FakeSlack]]:
    _gunicorn[1].reset()
    yield _gunicorn


def _wait_until_healthy(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    with httpx.Client(timeout=1, verify=tls_context()) as http:
        while time.monotonic() < deadline:
            assert process.poll() is None, process.stdout.read().decode() if process.stdout else ""
            try:
                if http.get(f"{url}/healthz").status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.05)
    raise AssertionError("gunicorn did not become healthy in 30 s")


def test_the_procfile_serves_health_checks_and_signed_slack_requests(
    gunicorn_app: tuple[str, FakeSlack], fake_saleshandy: FakeSaleshandy
) -> None:
    url, slack = gunicorn_app
    assert httpx.get(f"{url}/healthz").text == "ok"
    assert httpx.get(f"{url}/nowhere").status_code == 404
    with SlackDriver(url, SECRET, slack) as driver:
        assert driver.send_badly_signed(b"command=%2Ftask&text=demo").status_code == 401
        assert driver.slash_command("demo 8PvBmrB7P7 Pr9xQ2Lm").status_code == 200
    slack.wait_for("chat.postMessage", count=2, timeout=10)
    assert [r.body["prospectIds"] for r in fake_saleshandy.create_requests] == [["8PvBmrB7P7", "Pr9xQ2Lm"]]


def test_readiness_and_metrics_are_served_for_the_platform(
    gunicorn_app: tuple[str, FakeSlack], fake_saleshandy: FakeSaleshandy
) -> None:
    url, slack = gunicorn_app
    assert httpx.get(f"{url}/readyz").text == "ready"
    done_before = submissions_done(httpx.get(f"{url}/metrics").text)
    with SlackDriver(url, SECRET, slack) as driver:
        driver.slash_command("demo 8PvBmrB7P7")
    slack.wait_for("chat.postMessage", count=2, timeout=10)
    metrics = httpx.get(f"{url}/metrics")
    assert metrics.status_code == 200 and metrics.headers["content-type"].startswith("text/plain")
    assert submissions_done(metrics.text) == done_before + 1
    assert "saleshandy_requests_total" in metrics.text and "saleshandy_rate_limit_waits_total" in metrics.text


def submissions_done(metrics: str) -> float:
    """The `submissions{state="done"}` gauge (0 while there are none: the line is then absent)."""
    found = re.search(r'^submissions\{state="done"\} ([0-9.]+)$', metrics, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


def test_a_sigterm_mid_submission_stops_within_the_grace_period_and_the_next_start_finishes_the_work(
    fake_saleshandy: FakeSaleshandy, tmp_path: Path
) -> None:

    """What Fly, Render, Heroku and Kubernetes do at a deploy: SIGTERM, then the same app again on the same
    database. No chunk is sent twice, every prospect gets one line in the original thread."""
    prospects = [f"Pq{n}Xz{n}Rw7k" for n in range(10)]
    fake_saleshandy.set_latency(0.5)
    with FakeSlack(bot_token=TOKEN) as slack:
        env = gunicorn_env(  # one worker: the one holding the work is what the platform's SIGTERM tests
            slack, fake_saleshandy, tmp_path / "prod.sqlite3", SALESHANDY_CHUNK_SIZE="2", WEB_CONCURRENCY="1"
        )
        port = free_port()
        first = start_gunicorn(port, env, tmp_path)
        with SlackDriver(f"http://127.0.0.1:{port}", SECRET, slack) as driver:
            driver.slash_command("demo " + " ".join(prospects))
        _wait_for(lambda: len(fake_saleshandy.create_requests) >= 1)
        started = time.monotonic()
        output = stop_gunicorn(first)
        assert time.monotonic() - started < 10, output.decode()
        assert output.count(b"Booting worker") == 1, output.decode()  # WEB_CONCURRENCY is followed
        sent = len(fake_saleshandy.create_requests)
        assert 1 <= sent < 5  # the chunk in flight was finished; no new one was started

        second = start_gunicorn(free_port(), env, tmp_path)
        try:
            _wait_for(lambda: len(slack.calls("chat.postMessage")) >= 2, timeout=20)
        finally:
            stop_gunicorn(second)
    parent, results = slack.calls("chat.postMessage")
    assert results.params["thread_ts"] == parent.response_json["ts"]
    text = str(results.params["blocks"])
    assert all(text.count(pid) == 1 for pid in prospects)
    assert "restarted" in text
    assert len(fake_saleshandy.create_requests) == 5
    tasks = [t.prospect_id for t in fake_saleshandy.tasks]
    assert sorted(tasks) == sorted(prospects)  # each once


def _wait_for(condition: Callable[[], bool], *, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
