"""Socket Mode end to end, run as a user runs it: `python -m bot` with SLACK_APP_TOKEN set, connected over a
real WebSocket to the fake Slack, showing over the socket what the HTTP tests show over HTTP.

One app process serves the whole module (it starts in a couple of seconds); each test resets the fakes'
records, and the app keeps its connection.
"""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.domain import TaskType
from bot.slack import ids
from bot_testing.saleshandy import FakeSaleshandy
from bot_testing.slack import FakeSlack, RecordedCall
from bot_testing.slack_driver import fill_view
from bot_testing.slack_socket import FakeSocketMode
from bot_testing.slack_socket_driver import SocketModeDriver
from tests.conftest import SALESHANDY_TEST_KEY
from tests.e2e.conftest import (
    CHANNEL,
    SLACK_BOT_TOKEN,
    SLACK_SIGNING_SECRET,
    WAIT,
    app_calls,
    assert_everything_posted_is_valid_block_kit,
    input_element,
    message_text,
    opened_view,
    today_in,
    wait_for_creates,
    wait_until,
)

# Grouped: one process runs the module, so its module-scoped fixture starts once.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("socket_mode_app")]

SLACK_APP_TOKEN = "xapp-1-A0FAKE-e2e-3c9d5b71"
STARTUP = 30.0
"""Longest wait for the app process to connect; it takes a second or two when the machine is idle."""
SETTLE = 0.3
"""How long to watch for something the app must not do after an ack."""
PING_INTERVAL = 0.05
"""The fake pings the app this often, so slack_sdk's client lets a connection go (replaced after a
`disconnect`, or closed as the app stops) at once instead of in up to 3 s."""
LOST_ACK_TIMEOUT = 1.0
"""Slack's 3 s before it delivers an unacknowledged envelope again, shortened (the app acks in
milliseconds)."""
PROXY_VARIABLES = {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}
"""slack_sdk routes its WebSocket through any proxy named here, even to loopback."""


@dataclass
class SocketApp:
    slack: FakeSlack
    saleshandy: FakeSaleshandy
    driver: SocketModeDriver
    startup_calls: list[RecordedCall]
    """The Web API calls the app made while starting."""

    @property
    def socket(self) -> FakeSocketMode:
        return self.slack.socket_mode


def app_env(slack: FakeSlack, saleshandy: FakeSaleshandy, database: Path, app_token: str) -> dict[str, str]:
    """The environment of `python -m bot`: every setting from here, none from the machine."""
    inherited = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "SALESHANDY_")) and k.lower() not in PROXY_VARIABLES
    }
    return inherited | {
        "SLACK_BOT_TOKEN": SLACK_BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SLACK_SIGNING_SECRET,
        "SLACK_APP_TOKEN": app_token,
        "SLACK_API_URL": slack.api_url,
        "SALESHANDY_API_KEY": SALESHANDY_TEST_KEY,
        "SALESHANDY_API_URL": saleshandy.base_url,
        "SALESHANDY_TIMEOUT_SECONDS": "2",
        "DATABASE_URL": f"sqlite:///{database}",
        "DEFAULT_TIMEZONE": "Europe/Berlin",
        "PYTHONUNBUFFERED": "1",
    }


@pytest.fixture(scope="module")
def _socket_app(
    _running_fake_saleshandy: FakeSaleshandy, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SocketApp]:
    folder = tmp_path_factory.mktemp("socket-mode")  # the app's cwd: no .env is read
    log_path = folder / "app.log"
    with FakeSlack(SLACK_BOT_TOKEN, app_token=SLACK_APP_TOKEN) as slack, log_path.open("w") as log:
        slack.socket_mode.ping_interval = PING_INTERVAL
        env = app_env(slack, _running_fake_saleshandy, folder / "app.sqlite3", SLACK_APP_TOKEN)
        process = subprocess.Popen(
            [sys.executable, "-m", "bot"], cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            _wait_connected(slack, process, log_path)
            yield SocketApp(slack, _running_fake_saleshandy, SocketModeDriver(slack), slack.calls())
        finally:
            process.terminate()
            process.wait(timeout=10)
    shown = log_path.read_text()
    for secret in (SLACK_APP_TOKEN, SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SALESHANDY_TEST_KEY):
        assert secret not in shown, "a secret reached the app's log"


def _wait_connected(slack: FakeSlack, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP
    while not slack.socket_mode.open_connections():
        if process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"the app did not connect over Socket Mode; its output:\n{log.read_text()}")
        time.sleep(0.05)


@pytest.fixture
def app(_socket_app: SocketApp, fake_saleshandy: FakeSaleshandy) -> Iterator[SocketApp]:
    _socket_app.slack.reset()
    yield _socket_app
    assert_everything_posted_is_valid_block_kit(_socket_app.slack)


def the_only_frame(socket: FakeSocketMode, kind: str) -> dict[str, object]:
    (frame,) = socket.sent(kind)
    return frame.message


# ---- connecting --------------------------------------------------------------------------------------------


def test_the_app_opens_its_connection_with_the_app_token_and_is_greeted(_socket_app: SocketApp) -> None:
    assert [c.method for c in _socket_app.startup_calls] == ["auth.test", "apps.connections.open"]
    opened = _socket_app.startup_calls[1]
    assert opened.ok and opened.response_json["url"].startswith("ws://127.0.0.1:")
    (first, *_) = _socket_app.socket.connections()
    assert first.id == 1 and first.disconnect_reason is None


def test_a_refused_app_token_is_one_clear_line_and_a_non_zero_exit(
    _socket_app: SocketApp, tmp_path: Path
) -> None:
    slack = _socket_app.slack
    revoked = "xapp-1-A0FAKE-revoked-4242"
    env = app_env(slack, _socket_app.saleshandy, tmp_path / "app.sqlite3", revoked)
    done = subprocess.run(
        [sys.executable, "-m", "bot"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    told = [line for line in done.stderr.splitlines() if "SLACK_APP_TOKEN" in line]
    assert len(told) == 1 and told[0].startswith("Slack did not accept SLACK_APP_TOKEN (invalid_auth).")
    assert "App-Level Tokens" in told[0]
    assert "Traceback" not in done.stderr and "Failed to retrieve WSS URL" not in done.stderr
    assert revoked not in done.stderr + done.stdout


# ---- /task -------------------------------------------------------------------------------------------------


def test_a_complete_command_creates_the_tasks_and_threads_the_results(app: SocketApp) -> None:
    text = "call follow-up tomorrow high 8PvBmrB7P7 INVALIDxx1"
    ack = app.driver.slash_command(text)

    assert ack.payload is None  # an empty ack: Slack shows nothing, the results come in the channel
    envelope = the_only_frame(app.socket, "slash_commands")
    assert envelope["accepts_response_payload"] is True and envelope["envelope_id"] == ack.envelope_id
    assert envelope["payload"] == app.driver.last_payload and app.driver.last_payload["text"] == text
    parent, reply = app.slack.wait_for("chat.postMessage", count=2)
    tomorrow = today_in("America/Los_Angeles") + datetime.timedelta(days=1)
    assert [r.body for r in app.saleshandy.create_requests] == [
        {
            "prospectIds": ["8PvBmrB7P7", "INVALIDxx1"],
            "taskType": TaskType.CALL_FOLLOW_UP.code,
            "priority": "2",
            "dueDate": tomorrow.isoformat(),
        }
    ]
    assert parent.params["channel"] == CHANNEL and "thread_ts" not in parent.params
    assert reply.params["thread_ts"] == parent.response_json["ts"]
    assert "1 created · 1 failed" in message_text(reply.params)


def test_task_alone_opens_the_form(app: SocketApp) -> None:
    ack = app.driver.slash_command("")

    assert ack.payload is None
    (call,) = app.slack.wait_for("views.open")
    assert call.ok and call.params["trigger_id"] == app.driver.last_payload["trigger_id"]
    assert call.params["view"]["callback_id"] == ids.TASK_MODAL_CALLBACK_ID
    time.sleep(SETTLE)
    assert app_calls(app.slack) == ["views.open"] and app.saleshandy.requests == []


def test_help_answers_privately_through_the_acks_payload(app: SocketApp) -> None:
    ack = app.driver.slash_command("help")

    assert ack.payload is not None
    assert ack.payload.get("response_type", "ephemeral") == "ephemeral"
    shown = message_text(ack.payload)
    assert "/task &lt;type&gt; &lt;prospects&gt; [due date] [priority]" in shown
    assert "/task call follow-up tomorrow high 8PvBmrB7P7" in shown
    time.sleep(SETTLE)
    assert app_calls(app.slack) == [] and app.saleshandy.requests == []


# ---- the form ----------------------------------------------------------------------------------------------


def test_a_form_with_a_mistake_gets_its_field_errors_in_the_ack_and_a_fixed_one_creates(
    app: SocketApp,
) -> None:
    app.driver.slash_command("")
    view = opened_view(app.slack)
    answers = {ids.TASK_TYPE_ACTION_ID: TaskType.CALL_DEMO.code, ids.PROSPECTS_ACTION_ID: "8PvBmrB7P7, hello"}

    refused = app.driver.view_submission(view, fill_view(view, answers))

    assert the_only_frame(app.socket, "interactive")["accepts_response_payload"] is True
    assert refused.payload is not None and refused.payload["response_action"] == "errors"
    assert list(refused.payload["errors"]) == [ids.PROSPECTS_BLOCK_ID]
    assert "“hello”" in refused.payload["errors"][ids.PROSPECTS_BLOCK_ID]
    time.sleep(SETTLE)
    assert app.saleshandy.requests == []

    answers[ids.PROSPECTS_ACTION_ID] = "8PvBmrB7P7"
    fixed = app.driver.view_submission(view, fill_view(view, answers))

    assert fixed.payload is None  # an empty ack closes the form
    (create,) = wait_for_creates(app.saleshandy, 1)
    assert create.body["prospectIds"] == ["8PvBmrB7P7"] and create.body["taskType"] == TaskType.CALL_DEMO.code
    _, reply = app.slack.wait_for("chat.postMessage", count=2)
    assert "1 created" in message_text(reply.params)


def test_the_message_shortcut_opens_the_form_prefilled_and_answers_in_the_messages_thread(
    app: SocketApp,
) -> None:
    link = "https://my.saleshandy.com/prospects/aN7kQ2xLm4"
    message = app.slack.add_message(CHANNEL, f"Call <{link}|Ann Lee> and 8PvBmrB7P7 please")

    ack = app.driver.message_shortcut(message, callback_id=ids.MESSAGE_SHORTCUT_CALLBACK_ID)

    assert ack.payload is None
    assert the_only_frame(app.socket, "interactive")["accepts_response_payload"] is False
    view = opened_view(app.slack)
    assert input_element(view, ids.PROSPECTS_BLOCK_ID)["initial_value"] == f"{link}\n8PvBmrB7P7"
    submitted = app.driver.view_submission(view, fill_view(view, {ids.TASK_TYPE_ACTION_ID: "5"}))
    assert submitted.payload is None
    (create,) = wait_for_creates(app.saleshandy, 1)
    assert create.body["prospectIds"] == ["aN7kQ2xLm4", "8PvBmrB7P7"]
    (reply,) = app.slack.wait_for("chat.postMessage")
    assert reply.params["thread_ts"] == message["ts"] and "2 created" in message_text(reply.params)


# ---- results and retry -------------------------------------------------------------------------------------


def test_the_retry_button_resubmits_the_failures_in_the_same_thread(app: SocketApp) -> None:
    app.saleshandy.fail_next(503, "Service Unavailable")
    app.driver.slash_command("demo tomorrow 8PvBmrB7P7 Pr9xQ2Lm")
    parent, _ = app.slack.wait_for("chat.postMessage", count=2)
    thread = parent.response_json["ts"]
    with_button = [
        m for m in app.slack.messages(CHANNEL)
        if m.get("thread_ts") == thread and ids.RETRY_FAILED_ACTION_ID in str(m.get("blocks"))
    ]

    ack = app.driver.press_button(with_button[-1], ids.RETRY_FAILED_ACTION_ID)

    assert ack.payload is None
    first, retry = wait_for_creates(app.saleshandy, 2)
    assert retry.body == first.body

    def retry_results() -> list[RecordedCall]:
        posts = app.slack.calls("chat.postMessage")
        return [c for c in posts if "Retry: 2 created" in message_text(c.params)]

    wait_until(retry_results, what="the retry's results")
    assert [r.params["thread_ts"] for r in retry_results()] == [thread]


# ---- delivery ----------------------------------------------------------------------------------------------


def test_an_envelope_whose_ack_is_lost_is_delivered_again_and_acts_once(
    app: SocketApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    socket = app.socket
    monkeypatch.setattr(socket, "ack_timeout", LOST_ACK_TIMEOUT)
    socket.lose_next_acks(1)

    lost = app.driver.slash_command("call 8PvBmrB7P7 Pr9xQ2Lm")

    assert lost.lost
    acks = socket.wait_for_acks(lost.envelope_id, count=2, timeout=socket.ack_timeout + WAIT)
    assert [a.lost for a in acks] == [True, False]
    sent = socket.sent("slash_commands", envelope_id=lost.envelope_id)
    retries = [(f.message["retry_attempt"], f.message["retry_reason"]) for f in sent]
    assert retries == [(0, ""), (1, "timeout")]
    assert sent[0].message["payload"] == sent[1].message["payload"]  # the same command, trigger_id and all
    wait_for_creates(app.saleshandy, 1)
    app.slack.wait_for("chat.postMessage", count=2)
    time.sleep(SETTLE)
    assert len(app.saleshandy.create_requests) == 1
    assert len(app.slack.calls("chat.postMessage")) == 2  # one parent, one reply


def test_after_slack_asks_for_a_refresh_the_app_reconnects_and_the_next_command_works(app: SocketApp) -> None:
    socket = app.socket
    (old,) = socket.open_connections()

    socket.disconnect("refresh_requested")

    (reopened,) = app.slack.wait_for("apps.connections.open")
    assert reopened.ok
    socket.wait_for_connections(old.id + 1, timeout=WAIT)
    # slack_sdk's built-in client reads the new connection once it has let the old one go, which it does
    # when its blocking read of the old one returns: at the fake's next ping (at most 3 s without them).
    socket.wait_until_closed(old.id, timeout=WAIT)
    assert [c.id for c in socket.open_connections()] == [old.id + 1]
    ack = app.driver.slash_command("call 8PvBmrB7P7")
    assert ack.connection == old.id + 1
    (create,) = wait_for_creates(app.saleshandy, 1)
    assert create.body["prospectIds"] == ["8PvBmrB7P7"]
    app.slack.wait_for("chat.postMessage", count=2)
