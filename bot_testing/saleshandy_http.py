"""The HTTP side of the fake Saleshandy: reads a request, asks the fake, answers (or misbehaves)."""

from __future__ import annotations

import json
import logging
import math
import secrets
import socket
import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from bot_testing.saleshandy_rules import (
    CREATE_PATH,
    SEARCH_PATH,
    Fault,
    ReceivedRequest,
    reshape,
    search_query,
    success_body,
    validation_problems,
)

if TYPE_CHECKING:
    from bot_testing.saleshandy import FakeSaleshandy

logger = logging.getLogger("bot_testing.saleshandy")


class FakeServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # bursts of concurrent clients (tests, benchmarks) must not be dropped
    fake: FakeSaleshandy


class FakeHandler(BaseHTTPRequestHandler):
    server: FakeServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go in two writes: no 40 ms wait between

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        logger.info("fake Saleshandy: " + format, *args)

    def _handle(self) -> None:
        fake = self.server.fake
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {name.lower(): value for name, value in self.headers.items()}
        url = urlsplit(self.path)
        body = _json_or_none(raw)
        fault, wake = fake.record(
            ReceivedRequest(self.command, url.path, url.query, headers, body, raw)
        )
        if fault is not None and fault.kind == "normal":
            fault = None
        if fake.latency:
            wake.wait(fake.latency)
        limits, over_by = fake.count(headers.get("x-api-key", ""))
        if self.command == "GET" and "content-type" in headers:
            return self._send(406, {"message": "Not Acceptable", "statusCode": 406}, limits)
        if url.path == SEARCH_PATH and self.command == "GET":
            return self._search(url.query, headers, fault, wake, limits, over_by)
        if url.path != CREATE_PATH or self.command != "POST":
            message = f"Cannot {self.command} {url.path}"
            return self._send(404, {"message": message, "error": "Not Found", "statusCode": 404},
                              limits)
        if fault is not None and fault.kind == "answer" and not fault.creates_tasks:
            return self._send_raw(fault.status, fault.body, fault.content_type,
                                  {**limits, **fault.headers})
        if not fake.accepts(headers.get("x-api-key")):
            return self._send(401, {"message": "Unauthorized", "statusCode": 401}, limits)
        if over_by is not None:
            retry = {"retry-after": str(math.ceil(over_by))}
            return self._send(429, {"message": _TOO_MANY, "statusCode": 429}, {**limits, **retry})
        content_type = headers.get("content-type", "").split(";")[0].strip().lower()
        checked = body if content_type == "application/json" else {}
        problems = validation_problems(checked)
        if problems:
            answer = {"message": problems, "error": "Bad Request", "statusCode": 400}
            return self._send(400, answer, limits)
        if fault is not None and not fault.creates_tasks:
            return self._misbehave(fault, wake, None, limits)
        answer = success_body(fake.create(checked, headers.get("x-api-key")))
        if fault is not None:
            return self._misbehave(fault, wake, answer, limits)
        self._send(201, answer, limits)

    def _search(
        self, query: str, headers: Mapping[str, str], fault: Fault | None, wake: threading.Event,
        limits: dict[str, str], over_by: float | None,
    ) -> None:
        """GET /v1/prospects: the same checks in the same order as creating tasks, then the page."""
        fake = self.server.fake
        if fault is not None and fault.kind == "answer":
            return self._send_raw(fault.status, fault.body, fault.content_type,
                                  {**limits, **fault.headers})
        if not fake.accepts(headers.get("x-api-key")):
            return self._send(401, {"message": "Unauthorized", "statusCode": 401}, limits)
        if over_by is not None:
            retry = {"retry-after": str(math.ceil(over_by))}
            return self._send(429, {"message": _TOO_MANY, "statusCode": 429}, {**limits, **retry})
        parsed, problems = search_query(query)
        if parsed is None:
            answer = {"message": problems, "error": "Bad Request", "statusCode": 400}
            return self._send(400, answer, limits)
        found = fake.search(parsed, headers.get("x-api-key"))
        if fault is None:
            return self._send(200, found, limits)
        if fault.kind == "drop":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
        elif fault.kind == "stall":
            wake.wait(fault.seconds)
            if fault.creates_tasks:
                self._send(200, found, limits)
            else:
                self._send(504, {"message": "Gateway Timeout", "statusCode": 504}, limits)

    def _misbehave(
        self, fault: Fault, wake: threading.Event, answer: dict[str, Any] | None,
        limits: dict[str, str],
    ) -> None:
        if fault.kind == "drop":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
        elif fault.kind == "answer":
            extra = {**limits, **fault.headers}
            self._send_raw(fault.status, fault.body, fault.content_type, extra)
        elif fault.kind == "shape" and answer is not None and fault.shape is not None:
            self._send(201, reshape(answer, fault.shape), limits)
        elif fault.kind == "stall":
            wake.wait(fault.seconds)
            if answer is None:  # it never got round to the work: a gateway gave up on it
                self._send(504, {"message": "Gateway Timeout", "statusCode": 504}, limits)
            else:
                self._send(201, answer, limits)

    def _send(self, status: int, answer: Any, headers: Mapping[str, str]) -> None:
        self._send_raw(status, json.dumps(answer).encode(), "application/json", headers)

    def _send_raw(
        self, status: int, raw: bytes, content_type: str, headers: Mapping[str, str]
    ) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(raw)))
            self.send_header("x-request-id", secrets.token_hex(8))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(raw)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client stopped waiting (a stall): nothing to do


_TOO_MANY = "ThrottlerException: Too Many Requests"


def _json_or_none(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None
