"""Serves a fake over real HTTP on loopback: one request handler, adapted to `http.server`.

A fake is a function from a `Request` to an `Answer` (usable, and testable, without any socket);
this module is the only place that reads sockets and writes answers for either fake.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

logger = logging.getLogger(__name__)

_POLL_INTERVAL = 0.05  # how long stop() may wait for the serving loop to notice


@dataclass(frozen=True)
class Request:
    method: str
    """The HTTP method ("GET", "POST"…)."""
    path: str
    query: str
    headers: Mapping[str, str]
    """Names in lower case."""
    body: bytes


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: Mapping[str, str] = field(default_factory=dict)
    drop: bool = False
    """No answer at all: the connection is closed on the request (a network failure)."""

    @classmethod
    def dropped(cls) -> Answer:
        return cls(0, drop=True)


RequestHandler = Callable[[Request], Answer]


class LoopbackServer(ThreadingHTTPServer):
    """A threading HTTP server whose every request goes to `handle`; `start()` serves in a daemon thread."""

    daemon_threads = True
    request_queue_size = 128  # bursts of concurrent clients (tests, benchmarks) must not be dropped

    def __init__(self, address: tuple[str, int], handle: RequestHandler, *, name: str) -> None:
        super().__init__(address, _Adapter)
        self.handle = handle
        self._thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": _POLL_INTERVAL}, name=name, daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        self._thread.join(timeout=5)

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:PORT` (no trailing slash)."""
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


class _Adapter(BaseHTTPRequestHandler):
    server: LoopbackServer
    protocol_version = "HTTP/1.1"
    timeout = 30  # idle keep-alive connections end on their own
    disable_nagle_algorithm = True  # headers and body go in two writes: no 40 ms wait between

    def do_GET(self) -> None:
        self._answer()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def _answer(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {name.lower(): value for name, value in self.headers.items()}
        answer = self.server.handle(Request(self.command, url.path, url.query, headers, body))
        if answer.drop:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        try:
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(answer.body)))
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(answer.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client stopped waiting (a stall): nothing to do

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s %s", self.address_string(), format % args)
