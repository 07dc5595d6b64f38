"""Slack's Socket Mode, faked on loopback: the WebSocket end of `apps.connections.open`.

FakeSlack (bot_testing/slack/) checks the app-level token and hands out the URLs; this module serves
them with a real WebSocket server (the `websockets` library) speaking Slack's envelopes:

- on connect, `{"type": "hello", "num_connections": …, "debug_info": …, "connection_info": …}`;
- `{"type": "slash_commands" | "interactive" | "events_api", "envelope_id": …, "payload": …,
  "accepts_response_payload": …, "retry_attempt": …, "retry_reason": …}`, which the app acks with
  `{"envelope_id": …, "payload": {…}?}`; an envelope not acked within `ack_timeout` seconds is sent again
  with `retry_attempt` one higher (`retry_reason: "timeout"`), up to `max_retries` times;
- `{"type": "disconnect", "reason": "refresh_requested" | "warning", …}`, after which the connection is
  closed `close_after_disconnect` seconds later unless the app closed it first;
- with `ping_interval` set, a WebSocket ping on every open connection that often, as Slack pings its
  connections. slack_sdk's built-in client (Bolt's SocketModeHandler) lets a connection go, when it closes
  or replaces it after a `disconnect`, only once its blocking read returns: on a `ws://` socket that read
  times out after 3 seconds, so without frames coming in, closing the client takes up to 3 seconds.

Every frame sent and every ack received is recorded, so tests can wait for them and look at them.
"""

from __future__ import annotations

import contextlib
import copy
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.sync.server import Server, ServerConnection, serve

logger = logging.getLogger(__name__)

JsonDict = dict[str, Any]

LINK_PATH = "/link/"
ACK_TIMEOUT = 3.0
"""Slack waits 3 seconds for an ack before it counts an envelope as not delivered."""
MAX_RETRIES = 3
"""Slack retries an unacknowledged delivery three times."""
CLOSE_AFTER_DISCONNECT = 10.0
"""Slack's `warning` comes about ten seconds before it closes the connection itself."""
_TICK = 0.05  # how often the delivery loop looks for envelopes due again
_RESPONSE_PAYLOAD_INTERACTIONS = frozenset({"view_submission", "block_suggestion"})
"""Interactions whose ack may carry an answer (errors for a form, options for a select)."""


@dataclass(frozen=True)
class SentFrame:
    """A text frame the fake sent, exactly as it went over the wire."""

    connection: int
    message: JsonDict
    at: float

    @property
    def type(self) -> str:
        return str(self.message.get("type"))

    @property
    def envelope_id(self) -> str | None:
        value = self.message.get("envelope_id")
        return value if isinstance(value, str) else None


@dataclass(frozen=True)
class ReceivedAck:
    """An acknowledgement the app sent for an envelope, and the answer it carried."""

    envelope_id: str
    payload: JsonDict | None
    connection: int
    at: float
    lost: bool = False
    """Dropped on purpose (`lose_next_acks`): the fake behaves as though it never arrived."""


@dataclass
class ConnectionRecord:
    """One WebSocket connection the app opened."""

    id: int
    opened_at: float
    closed_at: float | None = None
    disconnect_reason: str | None = None
    """The `disconnect` reason the fake sent on it, if any."""

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


@dataclass(frozen=True)
class Envelope:
    """What Slack delivers; `message(attempt)` is the frame for its first sending (0) or a retry."""

    envelope_id: str
    type: str
    payload: JsonDict
    accepts_response_payload: bool

    def message(self, attempt: int) -> JsonDict:
        return {
            "envelope_id": self.envelope_id,
            "payload": self.payload,
            "type": self.type,
            "accepts_response_payload": self.accepts_response_payload,
            "retry_attempt": attempt,
            "retry_reason": "timeout" if attempt else "",
        }


@dataclass
class _Delivery:
    envelope: Envelope
    attempts: int = 0
    last_sent: float = 0.0
    acked: bool = False


@dataclass
class _Live:
    record: ConnectionRecord
    socket: ServerConnection
    close_at: float | None = None
    send_lock: threading.Lock = field(default_factory=threading.Lock)
    pinged_at: float = field(default_factory=time.monotonic)


class FakeSocketMode:
    """The WebSocket server behind a FakeSlack's `apps.connections.open`. Thread-safe."""

    def __init__(
        self,
        *,
        app_id: str,
        host: str = "127.0.0.1",
        clock: Callable[[], float] = time.time,
        ack_timeout: float = ACK_TIMEOUT,
        max_retries: int = MAX_RETRIES,
        close_after_disconnect: float = CLOSE_AFTER_DISCONNECT,
        ping_interval: float | None = None,
    ) -> None:
        self.app_id = app_id
        self.ack_timeout = ack_timeout
        self.max_retries = max_retries
        self.close_after_disconnect = close_after_disconnect
        self.ping_interval = ping_interval
        """Seconds between the fake's pings on each open connection, in real time whatever `clock` says;
        None: none besides the websockets library's keepalive (every 20 s)."""
        self._host = host
        self._clock = clock
        self._cond = threading.Condition()  # guards everything below
        self._server: Server | None = None
        self._threads: list[threading.Thread] = []
        self._tickets: set[str] = set()
        self._live: dict[int, _Live] = {}
        self._connections: list[ConnectionRecord] = []
        self._stopping = False
        self._delivery_passes = 0
        self.reset()

    # ---- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        if self._server is not None:
            return
        self._stopping = False
        self._server = serve(
            self._serve_connection,
            self._host,
            0,
            process_request=self._check_ticket,
            close_timeout=1,
            logger=logger,
        )
        self._threads = [
            threading.Thread(target=self._server.serve_forever, name="fake-socket-mode", daemon=True),
            threading.Thread(target=self._deliver_forever, name="fake-socket-mode-deliveries", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        if self._server is None:
            return
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        self._server.shutdown()
        for thread in self._threads:
            thread.join(timeout=5)
        self._server = None
        self._threads = []

    def reset(self) -> None:
        """Forget what was sent and received, pending deliveries and scripted faults; open connections
        stay open (an app connected across tests keeps its socket)."""
        with self._cond:
            self._sent: list[SentFrame] = []
            self._acks: list[ReceivedAck] = []
            self._deliveries: dict[str, _Delivery] = {}
            self._acks_to_lose = 0

    @property
    def address(self) -> str:
        """`ws://127.0.0.1:PORT` (while started)."""
        if self._server is None:
            raise RuntimeError("FakeSocketMode is not started")
        host, port = self._server.socket.getsockname()[:2]
        return f"ws://{host}:{port}"

    def issue_url(self) -> str:
        """A fresh WebSocket URL, as `apps.connections.open` answers; its ticket works once."""
        ticket = str(uuid.uuid4())
        with self._cond:
            self._tickets.add(ticket)
        return f"{self.address}{LINK_PATH}?ticket={ticket}&app_id={self.app_id}"

    # ---- what Slack sends ------------------------------------------------------------------

    def send_slash_command(self, fields: dict[str, str]) -> Envelope:
        """A slash command's fields (as the HTTP form would carry them) in a `slash_commands` envelope."""
        return self.deliver("slash_commands", dict(fields), accepts_response_payload=True)

    def send_interaction(self, payload: JsonDict) -> Envelope:
        """An interaction payload (shortcut, block action, view submission…) in an `interactive` envelope."""
        accepts = payload.get("type") in _RESPONSE_PAYLOAD_INTERACTIONS
        return self.deliver("interactive", payload, accepts_response_payload=accepts)

    def send_event(self, event: JsonDict, *, team_id: str = "T0001") -> Envelope:
        """An Events API event, wrapped in its `event_callback` and an `events_api` envelope."""
        payload = {
            "token": "fake-verification-token",
            "team_id": team_id,
            "api_app_id": self.app_id,
            "event": event,
            "type": "event_callback",
            "event_id": f"Ev{uuid.uuid4().hex[:10].upper()}",
            "event_time": int(self._clock()),
            "authorizations": [{"team_id": team_id, "is_bot": True, "is_enterprise_install": False}],
        }
        return self.deliver("events_api", payload, accepts_response_payload=False)

    def deliver(self, kind: str, payload: JsonDict, *, accepts_response_payload: bool) -> Envelope:
        """Queue an envelope for the newest open connection (sent at once if there is one)."""
        envelope = Envelope(str(uuid.uuid4()), kind, copy.deepcopy(payload), accepts_response_payload)
        with self._cond:
            self._deliveries[envelope.envelope_id] = _Delivery(envelope)
            self._cond.notify_all()
        return envelope

    def disconnect(self, reason: str = "refresh_requested") -> ConnectionRecord:
        """Tell the app to reconnect, as Slack does before recycling a connection; the connection is
        closed `close_after_disconnect` seconds later if the app has not closed it by then."""
        with self._cond:
            live = self._newest_live()
            if live is None:
                raise RuntimeError("no open Socket Mode connection to disconnect")
            live.record.disconnect_reason = reason
            live.close_at = self._clock() + self.close_after_disconnect
            host = {"host": f"applink-fake-{live.record.id}"}
        self._send(live, {"type": "disconnect", "reason": reason, "debug_info": host})
        return live.record

    # ---- scripted faults -------------------------------------------------------------------

    def lose_next_acks(self, times: int = 1) -> None:
        """The next `times` acks are recorded as lost: their envelopes are delivered again later."""
        with self._cond:
            self._acks_to_lose += times

    # ---- what happened ---------------------------------------------------------------------

    def sent(self, kind: str | None = None, *, envelope_id: str | None = None) -> list[SentFrame]:
        with self._cond:
            return [
                f
                for f in self._sent
                if (kind is None or f.type == kind) and (envelope_id is None or f.envelope_id == envelope_id)
            ]

    def acks(self, envelope_id: str | None = None) -> list[ReceivedAck]:
        with self._cond:
            return [a for a in self._acks if envelope_id is None or a.envelope_id == envelope_id]

    def connections(self) -> list[ConnectionRecord]:
        """Every connection the app opened since the fake started, oldest first (kept across resets)."""
        with self._cond:
            return [copy.copy(c) for c in self._connections]

    def open_connections(self) -> list[ConnectionRecord]:
        return [c for c in self.connections() if c.is_open]

    def wait_for_acks(self, envelope_id: str, count: int = 1, timeout: float = 5.0) -> list[ReceivedAck]:
        """Block until `count` acks for `envelope_id` arrived; returns them."""
        self._wait(lambda: len(self.acks(envelope_id)) >= count, timeout, f"{count} ack(s) of {envelope_id}")
        return self.acks(envelope_id)

    def wait_for_connections(self, count: int, timeout: float = 5.0) -> list[ConnectionRecord]:
        """Block until the app opened `count` connections in all; returns every connection."""
        self._wait(lambda: len(self._connections) >= count, timeout, f"{count} connection(s)")
        return self.connections()

    def wait_until_closed(self, connection: int, timeout: float = 5.0) -> None:
        """Block until the connection numbered `connection` (1 for the first) is closed."""

        def closed() -> bool:
            return not self._connections[connection - 1].is_open

        self._wait(closed, timeout, f"connection {connection} closed")

    def wait_for_delivery_pass(self, timeout: float = 5.0) -> None:
        """Block until the delivery loop has been through every pending delivery once, from the start, after
        this call: whatever was due by the clock then has been sent (with a clock moved by hand, nothing
        else is sent until it moves again)."""
        with self._cond:
            # The pass under way may have read the clock before this call; the one after it did not.
            target = self._delivery_passes + 2
        self._wait(lambda: self._delivery_passes >= target, timeout, "a pass of the delivery loop")

    def _wait(self, condition: Callable[[], bool], timeout: float, what: str) -> None:
        with self._cond:
            if not self._cond.wait_for(condition, timeout):
                raise TimeoutError(f"expected {what} within {timeout}s")

    # ---- the server side (called from the websockets threads) --------------------------------

    def _check_ticket(self, connection: ServerConnection, request: Request) -> Response | None:
        url = urlsplit(request.path)
        ticket = (parse_qs(url.query).get("ticket") or [""])[0]
        with self._cond:
            if url.path == LINK_PATH and ticket in self._tickets:
                self._tickets.discard(ticket)
                return None
        return connection.respond(HTTPStatus.FORBIDDEN, "invalid or used ticket\n")

    def _serve_connection(self, socket: ServerConnection) -> None:
        live = self._open(socket)
        try:
            for raw in socket:
                self._receive(live, raw)
        except ConnectionClosed:
            pass
        finally:
            self._close(live)

    def _open(self, socket: ServerConnection) -> _Live:
        with self._cond:
            record = ConnectionRecord(id=len(self._connections) + 1, opened_at=self._clock())
            live = _Live(record, socket)
            self._connections.append(record)
            hello = {
                "type": "hello",
                "num_connections": len(self._live) + 1,
                "debug_info": {
                    "host": f"applink-fake-{record.id}",
                    "build_number": 1,
                    "approximate_connection_time": 18060,
                },
                "connection_info": {"app_id": self.app_id},
            }
        self._send(live, hello)
        with self._cond:  # envelopes go only on connections that said hello
            self._live[record.id] = live
            self._cond.notify_all()
        logger.info("socket mode connection %s opened", record.id)
        return live

    def _close(self, live: _Live) -> None:
        with self._cond:
            live.record.closed_at = self._clock()
            self._live.pop(live.record.id, None)
            self._cond.notify_all()
        logger.info("socket mode connection %s closed", live.record.id)

    def _receive(self, live: _Live, raw: str | bytes) -> None:
        try:
            message = json.loads(raw)
        except ValueError:
            message = None
        if not isinstance(message, dict) or not isinstance(message.get("envelope_id"), str):
            logger.warning("socket mode connection %s sent a frame that is not an ack", live.record.id)
            return
        payload = message.get("payload")
        with self._cond:
            lost = self._acks_to_lose > 0
            self._acks_to_lose -= int(lost)
            envelope_id = message["envelope_id"]
            ack = ReceivedAck(
                envelope_id=envelope_id,
                payload=payload if isinstance(payload, dict) else None,
                connection=live.record.id,
                at=self._clock(),
                lost=lost,
            )
            self._acks.append(ack)
            delivery = self._deliveries.get(envelope_id)
            if delivery is not None and not lost:
                delivery.acked = True
            self._cond.notify_all()

    # ---- deliveries ------------------------------------------------------------------------

    def _deliver_forever(self) -> None:
        while True:
            with self._cond:
                self._cond.wait(_TICK)
                if self._stopping:
                    return
                due = self._due_deliveries()
                to_close = self._due_closes()
                to_ping = self._due_pings()
            for live, message in due:
                self._send(live, message)
            for live in to_close:
                live.socket.close()
            for live in to_ping:
                self._ping(live)
            with self._cond:
                self._delivery_passes += 1
                self._cond.notify_all()

    def _due_deliveries(self) -> list[tuple[_Live, JsonDict]]:
        live = self._newest_live()
        if live is None:
            return []
        now, due = self._clock(), []
        for delivery in self._deliveries.values():
            if delivery.acked or delivery.attempts > self.max_retries:
                continue
            if delivery.attempts == 0 or now - delivery.last_sent >= self.ack_timeout:
                due.append((live, delivery.envelope.message(delivery.attempts)))
                delivery.attempts += 1
                delivery.last_sent = now
        return due

    def _due_closes(self) -> list[_Live]:
        now = self._clock()
        due = [live for live in self._live.values() if live.close_at is not None and now >= live.close_at]
        for live in due:
            live.close_at = None
        return due

    def _due_pings(self) -> list[_Live]:
        if self.ping_interval is None:
            return []
        now = time.monotonic()
        due = [live for live in self._live.values() if now - live.pinged_at >= self.ping_interval]
        for live in due:
            live.pinged_at = now
        return due

    def _newest_live(self) -> _Live | None:
        """The connection new envelopes go to: the newest one not told to disconnect."""
        candidates = [live for live in self._live.values() if live.record.disconnect_reason is None]
        return max(candidates, key=lambda live: live.record.id, default=None)

    def _ping(self, live: _Live) -> None:
        with contextlib.suppress(ConnectionClosed):
            live.socket.ping()  # websockets takes the app's pong; nothing here waits for it

    def _send(self, live: _Live, message: JsonDict) -> None:
        with live.send_lock:
            try:
                live.socket.send(json.dumps(message))
            except ConnectionClosed:
                return  # an envelope sent into a closing socket stays unacked and goes again
        with self._cond:
            self._sent.append(SentFrame(live.record.id, copy.deepcopy(message), self._clock()))
            self._cond.notify_all()
