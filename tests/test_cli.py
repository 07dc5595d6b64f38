"""`python -m bot …` run as a user runs it: real HTTP to the fake Saleshandy. The entry point itself runs
as a real process once; everything else runs `bot.cli.main` in this process (with the same clean
environment, and logging as a new interpreter has it), which costs a fraction of a new interpreter."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from bot.cli import main
from bot_testing.saleshandy import FakeSaleshandy
from tests.conftest import SALESHANDY_TEST_KEY

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent


def run_bot(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SALESHANDY_", "DATABASE_URL"))
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env=clean | (env or {}),
        capture_output=True,
        text=True,
        timeout=60,
    )


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`main(args)` in this process, as `run_bot` would run it: the same clean environment, in a folder
    with no `.env`, logging as in a new interpreter (what the app logs lands in the caught stderr, not in
    pytest's log capture), its output and exit code caught. The process's logging, SIGTERM handler,
    environment and working folder are left as they were found, and no thread `main` started is left."""
    stdout, stderr = io.StringIO(), io.StringIO()
    threads = set(threading.enumerate())
    with (
        _environment(env or {}),
        _logging_as_in_a_new_interpreter(),
        contextlib.redirect_stdout(stdout),
        contextlib.redirect_stderr(stderr),
    ):
        try:
            code = main(list(args))
        except SystemExit as exit_:  # argparse's usage errors
            code = exit_.code if isinstance(exit_.code, int) else 2
    for thread in set(threading.enumerate()) - threads:
        thread.join(timeout=5)
        assert not thread.is_alive(), f"`main` left the thread {thread.name} running"
    command = ["python", "-m", "bot", *args]
    return subprocess.CompletedProcess(command, code, stdout.getvalue(), stderr.getvalue())


@contextlib.contextmanager
def _logging_as_in_a_new_interpreter() -> Iterator[None]:
    """No root handlers and the root at WARNING while inside, as in a new interpreter, so the app's
    `configure_logging()` (`logging.basicConfig`) installs its own handler; then every logger's handlers,
    filters, level and `disabled` (Bolt copies the root's onto its own loggers), and the SIGTERM handler
    (`bot.slack.server.run` sets it), as they were."""
    root = logging.getLogger()
    saved = {name: _logger_state(logger) for name, logger in _loggers()}
    sigterm = signal.getsignal(signal.SIGTERM)
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for name, logger in _loggers():
            level, handlers, filters, disabled = saved.get(name, _NEW_LOGGER)
            for handler in set(logger.handlers) - set(handlers):
                handler.close()
            logger.handlers[:], logger.filters[:], logger.disabled = handlers, filters, disabled
            logger.setLevel(level)
        if sigterm is not None:
            signal.signal(signal.SIGTERM, sigterm)


_LoggerState = tuple[int, list[logging.Handler], list[Any], bool]
_NEW_LOGGER: _LoggerState = (logging.NOTSET, [], [], False)


def _loggers() -> list[tuple[str, logging.Logger]]:
    named = [(n, x) for n, x in logging.Logger.manager.loggerDict.items() if isinstance(x, logging.Logger)]
    return [("", logging.getLogger()), *named]


def _logger_state(logger: logging.Logger) -> _LoggerState:
    return logger.level, list(logger.handlers), list(logger.filters), logger.disabled


@contextlib.contextmanager
def _environment(env: dict[str, str]) -> Iterator[None]:
    saved, folder = dict(os.environ), os.getcwd()
    for name in [k for k in os.environ if k.startswith(("SLACK_", "SALESHANDY_", "DATABASE_URL"))]:
        del os.environ[name]
    os.environ.update(env)
    with tempfile.TemporaryDirectory() as empty:
        os.chdir(empty)
        try:
            yield
        finally:
            os.chdir(folder)
            os.environ.clear()
            os.environ.update(saved)


def test_parse_prints_the_exact_body() -> None:
    done = run_bot("parse", "call follow-up tomorrow high 8PvBmrB7P7", "--today", "2026-04-22")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "prospectIds": ["8PvBmrB7P7"],
        "taskType": "13",
        "dueDate": "2026-04-23",
        "priority": "2",
    }


def test_parse_reads_today_in_the_given_zone_and_day_first() -> None:
    done = run_cli("parse", "demo 8PvBmrB7P7 4/5/2027", "--tz", "Asia/Tokyo", "--day-first")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["dueDate"] == "2027-05-04"


def test_parse_reports_every_problem_and_exits_2() -> None:
    done = run_cli("parse", "tomorrow blah", "--today", "2026-04-22")
    assert done.returncode == 2
    assert done.stdout == ""
    assert "No task type given" in done.stderr
    assert "No prospect given" in done.stderr
    assert "“blah”" in done.stderr


def saleshandy_env(fake: FakeSaleshandy, tmp_path: Path) -> dict[str, str]:
    return {
        "SALESHANDY_API_URL": fake.base_url,
        "SALESHANDY_API_KEY": SALESHANDY_TEST_KEY,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
    }


def test_create_sends_to_the_api_and_prints_one_line_per_prospect(
    fake_saleshandy: FakeSaleshandy, tmp_path: Path
) -> None:
    done = run_cli(
        "create",
        "demo 8PvBmrB7P7 INVALIDqZ9k -- x",
        "--today",
        "2026-04-22",
        env=saleshandy_env(fake_saleshandy, tmp_path),
    )
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[0].startswith("created  8PvBmrB7P7: ")
    assert lines[1].startswith("failed   INVALIDqZ9k: ")
    assert [r.body for r in fake_saleshandy.create_requests] == [
        {
            "prospectIds": ["8PvBmrB7P7", "INVALIDqZ9k"],
            "taskType": "12",
            "dueDate": "2026-04-22",
            "taskNote": "x",
        },
    ]
    assert SALESHANDY_TEST_KEY not in done.stdout + done.stderr


def test_emails_without_a_key_are_named_as_problems_never_dropped() -> None:
    done = run_cli("parse", "call jane@acme.com 8PvBmrB7P7", "--today", "2026-04-22")
    assert done.returncode == 2, done.stderr
    assert "jane@acme.com" in done.stderr and "SALESHANDY_API_KEY" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_parse_looks_emails_up_when_a_key_is_set(fake_saleshandy: FakeSaleshandy, tmp_path: Path) -> None:
    fake_saleshandy.add_prospect("Ja9Ne0Doe1", email="jane@acme.com", first_name="Jane")
    done = run_cli(
        "parse",
        "call jane@acme.com nobody@acme.com",
        "--today",
        "2026-04-22",
        env=saleshandy_env(fake_saleshandy, tmp_path),
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["prospectIds"] == ["Ja9Ne0Doe1"]
    assert "nobody@acme.com: no prospect with this email" in done.stderr
    assert fake_saleshandy.create_requests == []


def test_create_looks_emails_up_and_reports_each_through_the_same_workflow(
    fake_saleshandy: FakeSaleshandy, tmp_path: Path
) -> None:
    fake_saleshandy.add_prospect("Ja9Ne0Doe1", email="jane@acme.com", first_name="Jane", last_name="Doe")
    done = run_cli(
        "create",
        "call jane@acme.com nobody@acme.com 8PvBmrB7P7",
        "--today",
        "2026-04-22",
        env=saleshandy_env(fake_saleshandy, tmp_path),
    )
    assert done.returncode == 1, done.stderr  # one email matched no prospect
    lines = done.stdout.splitlines()
    assert lines[0].startswith("created  8PvBmrB7P7: ")
    assert lines[1].startswith("created  Jane Doe · jane@acme.com: ")
    assert lines[2] == "failed   nobody@acme.com: no prospect with this email in Saleshandy"
    assert [r.body["prospectIds"] for r in fake_saleshandy.create_requests] == [["8PvBmrB7P7", "Ja9Ne0Doe1"]]


def test_create_without_a_key_says_where_to_get_one() -> None:
    done = run_cli("create", "demo 8PvBmrB7P7")
    assert done.returncode == 2
    assert "SALESHANDY_API_KEY" in done.stderr and "Settings → API" in done.stderr


def test_running_the_app_without_credentials_names_them_and_offers_the_demo() -> None:
    done = run_cli()
    assert done.returncode == 2
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SALESHANDY_API_KEY"):
        assert name in done.stderr
    assert "python -m bot demo" in done.stderr


@pytest.mark.parametrize("transport", [[], ["--socket-mode"]], ids=["http", "socket-mode"])
def test_the_demo_plays_every_path_against_the_fakes(transport: list[str]) -> None:
    done = run_cli("demo", *transport)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    # First the rep connects in App Home: the Home tab, the modal, the Home tab saying connected.
    connect_scene = out.split("━━ 2.")[0]
    assert "━━ 1. A rep opens the app's Home tab and connects their own Saleshandy account" in connect_scene
    assert "[ Connect Saleshandy ]" in connect_scene
    assert "Slack shows the modal “Connect Saleshandy”" in connect_scene
    assert connect_scene.split("the Home tab now says:")[1].count("Your Saleshandy account is connected") == 1
    # Then every task is made with the rep's own key, which the output never shows (nor any part of it).
    assert out.count("→ Saleshandy received POST /v1/tasks/create, made with ann's own key") == 7
    assert "another key" not in out
    assert "1 created · 1 failed" in out
    assert "Retry: 2 created" in out
    assert "[ Retry unknown (2) ]" in out  # a 503: the tasks may exist, so not called failed
    assert "Priya Rao" in out
    # Last, a workflow runs the step: results in the message's thread, the step completed with its outputs.
    step_scene = out.split("━━ 7.")[1]
    assert "Slack runs the step (function_executed)" in step_scene and "Omar Haddad" in step_scene
    assert "runner: ann (a user_context, which no workflow builder can set)" in step_scene
    assert 'functions.completeSuccess) with outputs for the next steps: {"created_count": 1, ' in step_scene
    assert "xwfp-" not in out + done.stderr  # the step's own token is never shown
    # A prospect link's preview shows only its ID, and its button opens the form with the message's links.
    assert "the channel sees: *Saleshandy prospect* `Hb3Nq8Lz` [ Create task ]" in out
    link_scene = out.split("━━ 5.")[1].split("━━ 6.")[0]
    assert '"prospectIds": ["Hb3Nq8Lz", "Kt4Wv9Xc"]' in link_scene and "Omar Haddad" in link_scene
    assert '"taskType": "13"' in link_scene  # they asked for a call back: Call · follow-up
    for secret in (
        "demo-saleshandy-key", "demo-ann-own-saleshandy-key", "ann-own", "xoxb-demo-token", "xapp-demo-token",
        "demo-signing-secret",
    ):
        assert secret not in out + done.stderr
    if transport:
        assert "apps.connections.open" in out and "connected to ws://127.0.0.1:" in out
        assert "Slack sent 3 events_api, 8 interactive, 3 slash_commands envelopes over the WebSocket" in out
        assert "the app acked 14 of them" in out
        assert "Socket Mode envelope" in out


def test_an_unknown_zone_is_a_clear_usage_error() -> None:
    done = run_cli("parse", "demo 8PvBmrB7P7", "--tz", "Mars/Olympus")
    assert done.returncode == 2
    assert "unknown time zone 'Mars/Olympus'" in done.stderr and "Traceback" not in done.stderr


def test_an_empty_key_counts_as_missing() -> None:
    done = run_cli("create", "demo 8PvBmrB7P7", env={"SALESHANDY_API_KEY": "  "})
    assert done.returncode == 2 and "SALESHANDY_API_KEY" in done.stderr


def test_a_token_slack_rejects_stops_start_up_with_one_clear_line(fake_saleshandy: FakeSaleshandy) -> None:
    from bot_testing.slack import FakeSlack

    with FakeSlack(bot_token="xoxb-the-right-one") as slack:
        done = run_cli(
            env={
                "SLACK_BOT_TOKEN": "xoxb-revoked-4242",
                "SLACK_SIGNING_SECRET": "s",
                "SLACK_API_URL": slack.api_url,
                "SALESHANDY_API_KEY": SALESHANDY_TEST_KEY,
                "SALESHANDY_API_URL": fake_saleshandy.base_url,
            }
        )
    assert done.returncode == 2
    assert "Slack did not accept SLACK_BOT_TOKEN" in done.stderr and "Traceback" not in done.stderr
    assert "xoxb-revoked-4242" not in done.stderr + done.stdout


def test_starting_the_app_here_leaves_this_process_as_it_found_it(fake_saleshandy: FakeSaleshandy) -> None:
    """A refused app token stops start-up only after `main` configured logging, `run` set the SIGTERM
    handler and the Socket Mode client filtered its logger (Bolt's app logger): `run_cli` puts each back."""
    from bot_testing.slack import FakeSlack

    def process_state() -> tuple[object, ...]:
        root, bolt = logging.getLogger(), logging.getLogger("slack_bolt.App")  # the Socket Mode client's
        levels = {name: logging.getLogger(name).level for name in ("httpx", "slack_bolt", "slack_bolt.App")}
        sigterm = signal.getsignal(signal.SIGTERM)
        return list(root.handlers), root.level, levels, list(bolt.filters), bolt.disabled, sigterm

    before = process_state()
    with FakeSlack(bot_token="xoxb-ok", app_token="xapp-the-right-one") as slack:
        done = run_cli(
            env={
                "SLACK_BOT_TOKEN": "xoxb-ok",
                "SLACK_SIGNING_SECRET": "s",
                "SLACK_APP_TOKEN": "xapp-revoked-4242",
                "SLACK_API_URL": slack.api_url,
                "SALESHANDY_API_KEY": SALESHANDY_TEST_KEY,
                "SALESHANDY_API_URL": fake_saleshandy.base_url,
            }
        )
    assert done.returncode == 2 and "Slack did not accept SLACK_APP_TOKEN" in done.stderr, done.stderr
    assert process_state() == before


def test_a_database_driver_that_is_not_installed_is_named(fake_saleshandy: FakeSaleshandy) -> None:
    from bot_testing.slack import FakeSlack

    with FakeSlack(bot_token="xoxb-ok") as slack:
        done = run_cli(
            env={
                "SLACK_BOT_TOKEN": "xoxb-ok",
                "SLACK_SIGNING_SECRET": "s",
                "SLACK_API_URL": slack.api_url,
                "SALESHANDY_API_KEY": SALESHANDY_TEST_KEY,
                "DATABASE_URL": "postgres://u:p@127.0.0.1:1/x",
            }
        )
    assert done.returncode == 2
    assert "pip install -e '.[postgres]'" in done.stderr or "cannot be opened" in done.stderr
    assert "Traceback" not in done.stderr


def test_rotate_keys_re_encrypts_every_kept_key_under_the_first(tmp_path: Path) -> None:
    from cryptography.fernet import Fernet

    from bot.store import SaleshandyKeys, SecretBox, open_database

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    url = f"sqlite:///{tmp_path / 'keys.sqlite3'}"
    engine = open_database(url)
    SaleshandyKeys(engine, SecretBox([old])).put("T1", "U1", SecretStr("sh-rotated-key-1"))
    done = run_cli("rotate-keys", env={"DATABASE_URL": url, "ENCRYPTION_KEYS": f"{new},{old}"})
    assert done.returncode == 0, done.stderr
    assert "1 Saleshandy key(s) re-encrypted" in done.stdout
    assert SaleshandyKeys(engine, SecretBox([new])).get("T1", "U1") == SecretStr("sh-rotated-key-1")
    engine.dispose()
    done = run_cli("rotate-keys", env={"DATABASE_URL": url, "ENCRYPTION_KEYS": ""})
    assert done.returncode == 2 and "Fernet.generate_key()" in done.stderr
