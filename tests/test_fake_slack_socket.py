"""The fake Slack's Socket Mode, driven by slack_sdk's own built-in SocketModeClient (the one Bolt's
SocketModeHandler uses), so the fake speaks what the real client understands."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from bot_testing.slack import FakeSlack
from bot_testing.slack_socket import FakeSocketMode

# Grouped: one process runs the module, so its module-scoped fixture starts once.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("fake_socket_mode")]

BOT_TOKEN = "xoxb-socket-test"
APP_TOKEN = "xapp-1-A0FAKE-socket-test"
PING_INTERVAL = 0.05
"""The fake pings this often, so slack_sdk's client lets a connection go at once instead of in up to 3 s."""


class Clock:
    """The fake's clock, moved by hand: an envelope is due again only when a test moves it on."""

    def __init__(self) -> None:
        self.now = 1_764_300_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="module")
def module_fake(clock: Clock) -> Iterator[FakeSlack]:
    with FakeSlack(BOT_TOKEN, app_token=APP_TOKEN, clock=clock) as fake:
        fake.socket_mode.ping_interval = PING_INTERVAL
        yield fake


@pytest.fixture
def fake(module_fake: FakeSlack) -> FakeSlack:
    """The module's fake, its records fresh; its ack timeout and its close after a `disconnect` are
    Slack's (3 s, 10 s) on the clock the tests move by hand."""
    module_fake.reset()
    return module_fake


class EchoApp:
    """A Socket Mode client that acks every envelope with `{"echo": <type>}` and remembers them."""

    def __init__(self, fake: FakeSlack) -> None:
        self.received: list[SocketModeRequest] = []
        self.client = SocketModeClient(APP_TOKEN, web_client=WebClient(base_url=fake.api_url))
        self.client.socket_mode_request_listeners.append(self._handle)  # type: ignore[arg-type]

    def _handle(self, client: SocketModeClient, request: SocketModeRequest) -> None:
        self.received.append(request)
        client.send_socket_mode_response(SocketModeResponse(request.envelope_id, {"echo": request.type}))


@pytest.fixture(scope="module")
def _connected_echo_app(module_fake: FakeSlack) -> Iterator[EchoApp]:
    app = EchoApp(module_fake)
    app.client.connect()
    yield app
    app.client.close()


@pytest.fixture
def echo_app(fake: FakeSlack, _connected_echo_app: EchoApp) -> EchoApp:
    """One client connected for the module (closing one takes the SDK up to 1 s), its record fresh."""
    _connected_echo_app.received.clear()
    return _connected_echo_app


def _wait_until(condition: object, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_apps_connections_open_takes_only_the_app_token(fake: FakeSlack) -> None:
    client = WebClient(base_url=fake.api_url)
    url = client.apps_connections_open(app_token=APP_TOKEN)["url"]
    assert url.startswith(fake.socket_mode.address + "/link/?ticket=")
    for token, error in (
        ("xapp-1-A0FAKE-wrong", "invalid_auth"),
        (BOT_TOKEN, "not_allowed_token_type"),
    ):
        with pytest.raises(SlackApiError) as refused:
            client.apps_connections_open(app_token=token)
        assert refused.value.response["error"] == error
    with pytest.raises(SlackApiError) as refused:
        WebClient(token=APP_TOKEN, base_url=fake.api_url).chat_postMessage(channel="C1", text="hi")
    assert refused.value.response["error"] == "not_allowed_token_type"
    assert [c.method for c in fake.calls()] == ["apps.connections.open"] * 3 + ["chat.postMessage"]
    assert all(APP_TOKEN not in str(c) for c in fake.calls())


def test_without_an_app_token_there_is_no_socket_mode() -> None:
    with FakeSlack(BOT_TOKEN) as fake:
        with pytest.raises(SlackApiError) as refused:
            WebClient(base_url=fake.api_url).apps_connections_open(app_token=APP_TOKEN)
        assert refused.value.response["error"] == "invalid_auth"
        with pytest.raises(RuntimeError):
            fake.socket_mode  # noqa: B018


def test_a_ticket_opens_one_connection_and_the_connection_is_greeted(fake: FakeSlack) -> None:
    url = WebClient(base_url=fake.api_url).apps_connections_open(app_token=APP_TOKEN)["url"]
    with connect(url) as first:
        hello = json.loads(first.recv(timeout=5))
        with pytest.raises(InvalidStatus) as refused:
            connect(url)
    assert refused.value.response.status_code == 403
    assert hello["type"] == "hello" and hello["connection_info"] == {"app_id": "A0FAKE"}
    assert hello["num_connections"] >= 1 and "approximate_connection_time" in hello["debug_info"]
    assert [f.message for f in fake.socket_mode.sent("hello")] == [hello]


def test_each_kind_of_envelope_is_acked_with_its_answer(fake: FakeSlack, echo_app: EchoApp) -> None:
    socket = fake.socket_mode
    command = socket.send_slash_command({"command": "/task", "text": "help"})
    shortcut = socket.send_interaction({"type": "message_action", "callback_id": "x"})
    submission = socket.send_interaction({"type": "view_submission", "view": {}})
    event = socket.send_event({"type": "app_mention", "text": "hi"})

    for envelope in (command, shortcut, submission, event):
        (ack,) = socket.wait_for_acks(envelope.envelope_id)
        assert ack.payload == {"echo": envelope.type} and not ack.lost
    frames = {f.envelope_id: f.message for f in socket.sent() if f.envelope_id}
    assert frames[command.envelope_id] == {
        "envelope_id": command.envelope_id,
        "payload": {"command": "/task", "text": "help"},
        "type": "slash_commands",
        "accepts_response_payload": True,
        "retry_attempt": 0,
        "retry_reason": "",
    }
    assert frames[shortcut.envelope_id]["accepts_response_payload"] is False
    assert frames[submission.envelope_id]["accepts_response_payload"] is True
    assert frames[event.envelope_id]["type"] == "events_api"
    assert frames[event.envelope_id]["payload"]["event"] == {"type": "app_mention", "text": "hi"}
    # Every envelope reached the app (slack_sdk hands them to its listener threads: in any order).
    assert sorted(r.envelope_id for r in echo_app.received) == sorted(
        e.envelope_id for e in (command, shortcut, submission, event)
    )


def _let_time_pass(socket: FakeSocketMode, clock: Clock, seconds: float) -> None:
    """Move the fake's clock on, and let its delivery loop see it."""
    clock.now += seconds
    socket.wait_for_delivery_pass()


def test_an_envelope_whose_ack_is_lost_comes_again_until_acked(
    fake: FakeSlack, echo_app: EchoApp, clock: Clock
) -> None:
    socket = fake.socket_mode
    socket.wait_for_connections(1)
    socket.lose_next_acks(2)
    event = socket.send_event({"type": "app_mention"})

    for count in (1, 2):
        socket.wait_for_acks(event.envelope_id, count=count)
        _let_time_pass(socket, clock, socket.ack_timeout)
    acks = socket.wait_for_acks(event.envelope_id, count=3)
    assert [a.lost for a in acks] == [True, True, False]
    sent = socket.sent("events_api", envelope_id=event.envelope_id)
    assert [(f.message["retry_attempt"], f.message["retry_reason"]) for f in sent] == [
        (0, ""), (1, "timeout"), (2, "timeout"),
    ]
    _let_time_pass(socket, clock, socket.ack_timeout * 2)
    assert len(socket.sent(envelope_id=event.envelope_id)) == 3  # acked: never sent again


def test_delivery_gives_up_after_the_retries(fake: FakeSlack, echo_app: EchoApp, clock: Clock) -> None:
    socket = fake.socket_mode
    socket.wait_for_connections(1)
    socket.lose_next_acks(10)
    event = socket.send_event({"type": "app_mention"})
    for count in (1, 2, 3):
        socket.wait_for_acks(event.envelope_id, count=count)
        _let_time_pass(socket, clock, socket.ack_timeout)
    socket.wait_for_acks(event.envelope_id, count=4)
    _let_time_pass(socket, clock, socket.ack_timeout * 2)
    assert [f.message["retry_attempt"] for f in socket.sent(envelope_id=event.envelope_id)] == [0, 1, 2, 3]


@pytest.mark.parametrize("reason", ["refresh_requested", "warning"])
def test_after_a_disconnect_the_client_reconnects_and_envelopes_go_to_the_new_connection(
    fake: FakeSlack, echo_app: EchoApp, reason: str
) -> None:
    socket = fake.socket_mode
    before = len(socket.wait_for_connections(1))
    old = socket.disconnect(reason)
    (told,) = socket.sent("disconnect")
    assert told.message["reason"] == reason and told.connection == old.id

    socket.wait_for_connections(before + 1)
    socket.wait_until_closed(old.id)
    assert len(fake.calls("apps.connections.open")) == 1  # a new URL for the new connection
    event = socket.send_event({"type": "app_mention"})
    (ack,) = socket.wait_for_acks(event.envelope_id)
    assert ack.connection == before + 1
