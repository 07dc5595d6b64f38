"""The Procfile's command, run for real: gunicorn serving the app on loopback, against the fakes."""

from __future__ import annotations

import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.fakes.saleshandy import FakeSaleshandy
from bot.fakes.slack import FakeSlack
from bot.fakes.slack_driver import SlackDriver
from tests.conftest import SALESHANDY_TEST_KEY

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


@pytest.fixture
def gunicorn_app(fake_saleshandy: FakeSaleshandy, tmp_path: Path) -> Iterator[tuple[str, FakeSlack]]:
    with FakeSlack(bot_token=TOKEN) as slack:
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SALESHANDY_"))} | {
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": slack.api_url,
            "SALESHANDY_API_KEY": SALESHANDY_TEST_KEY,
            "SALESHANDY_API_URL": fake_saleshandy.base_url,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        }
        process = subprocess.Popen(
            procfile_command(port), cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_healthy(url, process)
            yield url, slack
        finally:
            process.send_signal(signal.SIGTERM)
            output, _ = process.communicate(timeout=30)
            assert TOKEN.encode() not in output and SALESHANDY_TEST_KEY.encode() not in output


def _wait_until_healthy(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read().decode() if process.stdout else ""
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
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
