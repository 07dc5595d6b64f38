"""A fake Saleshandy Open API over real HTTP on loopback: for tests, for a developer, for the demo.

    python -m bot_testing.saleshandy --port 8055 --key test-key

Serves `POST /v1/tasks/create` as the contract says (../shared/saleshandy-create-task.md): the
`x-api-key` check (401), body validation (400 with a list of messages), one result per prospect
with a random 10-character task id, rate limits per key with `x-ratelimit-*` headers (429 past the
limit), 406 for a GET carrying Content-Type, 404 elsewhere. Successes answer 201, as the API's
framework does for a POST. A body sent without a JSON Content-Type is read as empty (so it fails
validation), as that framework does.

Also serves the prospect search, `GET /v1/prospects?search=<text>&pageSize=<10|20|50|100>&page=<n>`,
over the prospects given with `add_prospect` (none by default): a case-insensitive substring match
on first name, last name and email, in the order added, answering 200 with
`{"message": "Prospects fetched successfully", "payload": [{"id", "email", "attributes": [{"key",
"value"}, ...]}, ...]}` (attribute keys "First Name", "Last Name", "Company", "Job Title"; only
those the prospect has; no paging totals, as the contract shows none). A bad `pageSize` or `page`
answers 400; the key check (401), the rate limit (the same per-key window as creating tasks), the
406 for a Content-Type and the latency apply as they do to creating tasks. Faults are scripted per
endpoint: `fail_next(..., endpoint="search")` and the like (the default stays "create").

Several keys can be accepted (`add_key`), each a Saleshandy user of its own: every task records the key
that made it, and a prospect added for one key (`add_prospect(..., key=…)`) is found, and can be given
a task, only with that key (prospects added with no key are everyone's).

Known prospects: every ID except those starting with "INVALID" or "missing" (any case), unless a
set of known IDs is given. Everything received and every task created is recorded for tests to
assert on; faults can be scripted for the next requests (statuses, unreadable or odd answers,
dropped connections, answers slower than the client waits).
"""

from __future__ import annotations

import argparse
import collections
import json
import logging
import math
import secrets
import string
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from types import TracebackType
from typing import Any, Self

from bot_testing.http_adapter import Answer, LoopbackServer, Request
from bot_testing.saleshandy_rules import (
    CREATE_PATH,
    SEARCH_PATH,
    CreatedTask,
    Endpoint,
    FakeProspect,
    Fault,
    ReceivedRequest,
    ResetFormat,
    SearchQuery,
    Shape,
    is_known,
    reset_header,
    reshape,
    search_body,
    search_query,
    success_body,
    validation_problems,
)

__all__ = ["CreatedTask", "FakeProspect", "FakeSaleshandy", "Fault", "ReceivedRequest", "main"]

logger = logging.getLogger(__name__)

_ALPHABET = string.ascii_letters + string.digits
_DEFAULT_MESSAGES = {
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
    422: "Unprocessable Entity", 429: "ThrottlerException: Too Many Requests",
    500: "Internal server error", 502: "Bad Gateway", 503: "Service Unavailable",
}
_TOO_MANY = _DEFAULT_MESSAGES[429]


class FakeSaleshandy:
    """The fake API: `start()` returns the base URL ("http://127.0.0.1:PORT/v1"); `stop()`."""

    def __init__(
        self,
        api_key: str = "test-key",
        known_prospect_ids: Iterable[str] | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self._initial_key = api_key
        self.api_key = api_key
        """The first key accepted (the one `--key` names)."""
        self._extra_keys: set[str] = set()
        self._initial_known = None if known_prospect_ids is None else frozenset(known_prospect_ids)
        self._address = (host, port)
        self._lock = threading.Lock()
        self._server: LoopbackServer | None = None
        self._wake = threading.Event()
        self.reset()

    # -- life cycle ------------------------------------------------------------------------------

    def start(self) -> str:
        self._server = LoopbackServer(self._address, self.handle, name="fake-saleshandy")
        self._server.start()
        return self.base_url

    def stop(self) -> None:
        self._wake.set()
        if self._server is not None:
            self._server.stop()
        self._server = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the fake Saleshandy is not running; call start()")
        return f"{self._server.base_url}/v1"

    def reset(self) -> None:
        """Forget requests, tasks, prospects, faults, latency and rate-limit windows; back to the
        defaults."""
        with self._lock:
            self._wake.set()  # a stalled answer from an earlier test stops waiting
            self._wake = threading.Event()
            self._requests: list[ReceivedRequest] = []
            self._tasks: list[CreatedTask] = []
            self._faults: dict[Endpoint, collections.deque[Fault]] = {
                "create": collections.deque(), "search": collections.deque(),
            }
            self._prospects: dict[str, FakeProspect] = {}
            self._prospect_keys: dict[str, str] = {}
            self._extra_keys = set()
            self.api_key = self._initial_key
            self._windows: dict[str, tuple[float, int]] = {}
            self.known_prospect_ids = self._initial_known
            self.latency = 0.0
            self.limit = 1000
            self.window_seconds = 60.0
            self.reset_format: ResetFormat = "seconds"
            self.clock: Callable[[], float] = time.time

    # -- configuration ---------------------------------------------------------------------------

    def set_latency(self, seconds: float) -> None:
        """Wait this long before handling each request (before any task is created)."""
        self.latency = seconds

    def answer_waiting_now(self) -> None:
        """Requests waiting out the latency or a stall go on at once; later ones wait as set."""
        with self._lock:
            self._wake.set()
            self._wake = threading.Event()

    def set_rate_limit(
        self, limit: int, window_seconds: float = 60.0, reset_format: ResetFormat = "seconds"
    ) -> None:
        """Allow `limit` requests per key per window; `x-ratelimit-reset` in the given form."""
        with self._lock:
            self.limit, self.window_seconds, self.reset_format = limit, window_seconds, reset_format
            self._windows.clear()

    def add_key(self, key: str) -> None:
        """Accept `key` too: another Saleshandy user's (until `reset` or `remove_key`)."""
        with self._lock:
            self._extra_keys.add(key)

    def remove_key(self, key: str) -> None:
        """Refuse `key` from now on (401): as when a user deletes their key in Saleshandy."""
        with self._lock:
            self._extra_keys.discard(key)
            if key == self.api_key:
                self.api_key = ""

    def _accepts(self, key: str | None) -> bool:
        with self._lock:
            return bool(key) and (key == self.api_key or key in self._extra_keys)

    def tasks_made_with(self, key: str) -> list[CreatedTask]:
        """The tasks `key`'s user made."""
        return [task for task in self.tasks if task.api_key == key]

    def set_clock(self, clock: Callable[[], float]) -> None:
        """The clock (epoch seconds) of rate-limit windows; tests share a fake one with a client."""
        self.clock = clock

    def add_prospect(
        self, prospect_id: str, *, email: str | None = None, first_name: str | None = None,
        last_name: str | None = None, company: str | None = None, job_title: str | None = None,
        key: str | None = None,
    ) -> FakeProspect:
        """A prospect the search can find (replacing one with the same ID). When a set of known IDs
        is in use, the ID joins it, so tasks can be created for what the search finds. With `key`,
        only that key's user has it (finds it, can give it a task)."""
        prospect = FakeProspect(prospect_id, email, first_name, last_name, company, job_title)
        with self._lock:
            self._prospects[prospect_id] = prospect
            if key is not None:
                self._prospect_keys[prospect_id] = key
            else:
                self._prospect_keys.pop(prospect_id, None)
            if self.known_prospect_ids is not None:
                self.known_prospect_ids = self.known_prospect_ids | {prospect_id}
        return prospect

    def inject(
        self, fault: Fault, times: int = 1, *, after: int = 0, endpoint: Endpoint = "create"
    ) -> None:
        """Script `fault` for `times` requests to `endpoint` (create-task requests unless told),
        after `after` normal ones (and after any faults already scripted for it).

        For searches, "answer" faults answer at once (`creates_tasks` aside), "drop" closes the
        connection unanswered, "stall" waits then answers (504 if `creates_tasks` is False:
        the work was never done); shapes are for create-task answers only.
        """
        if endpoint == "search" and fault.kind == "shape":
            raise ValueError("odd shapes are for create-task answers; use answer_next_raw")
        with self._lock:
            self._faults[endpoint].extend([Fault("normal")] * after + [fault] * times)

    def fail_next(
        self, status: int, message: str | list[str] | None = None, *, times: int = 1,
        after: int = 0, headers: Mapping[str, str] | None = None, endpoint: Endpoint = "create",
    ) -> None:
        """Answer `status` with `{"message": ...}`, creating nothing."""
        if message is None:
            message = _DEFAULT_MESSAGES.get(status, "Error")
        body = {"message": message, "statusCode": status}
        raw = json.dumps(body).encode()
        fault = Fault("answer", status, raw, headers=headers or {}, creates_tasks=False)
        self.inject(fault, times, after=after, endpoint=endpoint)

    def rate_limit_next(
        self, retry_after: str | None = "1", *, times: int = 1, after: int = 0,
        endpoint: Endpoint = "create",
    ) -> None:
        """Answer 429 (with this `retry-after`, if any), creating nothing."""
        headers = {"retry-after": retry_after} if retry_after is not None else {}
        self.fail_next(429, times=times, after=after, headers=headers, endpoint=endpoint)

    def answer_next_raw(
        self, body: str | bytes, *, status: int = 200, content_type: str = "text/html",
        creates_tasks: bool = True, headers: Mapping[str, str] | None = None,
        endpoint: Endpoint = "create",
    ) -> None:
        """Answer with exactly this body (say, an HTML error page with a 200), after the tasks."""
        raw = body.encode() if isinstance(body, str) else body
        self.inject(
            Fault("answer", status, raw, content_type, headers=headers or {}, creates_tasks=creates_tasks),
            endpoint=endpoint,
        )

    def answer_next_with_shape(self, shape: Shape) -> None:
        """Create the tasks, then answer 201 with the success body bent into `shape`."""
        self.inject(Fault("shape", shape=shape))

    def drop_next_connection(
        self, *, creates_tasks: bool = True, times: int = 1, endpoint: Endpoint = "create"
    ) -> None:
        """Read the request, (create the tasks,) then close the connection without answering."""
        self.inject(Fault("drop", creates_tasks=creates_tasks), times, endpoint=endpoint)

    def stall_next(
        self, seconds: float, *, creates_tasks: bool = True, times: int = 1,
        endpoint: Endpoint = "create",
    ) -> None:
        """(Create the tasks, then) wait `seconds` before answering: longer than a client waits."""
        self.inject(
            Fault("stall", creates_tasks=creates_tasks, seconds=seconds), times, endpoint=endpoint
        )

    # -- what happened ---------------------------------------------------------------------------

    @property
    def requests(self) -> list[ReceivedRequest]:
        with self._lock:
            return list(self._requests)

    @property
    def create_requests(self) -> list[ReceivedRequest]:
        return [r for r in self.requests if r.method == "POST" and r.path == CREATE_PATH]

    @property
    def search_requests(self) -> list[ReceivedRequest]:
        return [r for r in self.requests if r.method == "GET" and r.path == SEARCH_PATH]

    @property
    def prospects(self) -> list[FakeProspect]:
        with self._lock:
            return list(self._prospects.values())

    @property
    def tasks(self) -> list[CreatedTask]:
        with self._lock:
            return list(self._tasks)

    # -- answering (called from the server's threads) ----------------------------------------------

    def handle(self, request: Request) -> Answer:
        """Answer one HTTP request as the API does, or misbehave as scripted (waiting on the caller's
        thread for latency and stalls)."""
        fault, wake = self.record(ReceivedRequest(
            request.method, request.path, request.query, request.headers, _json_or_none(request.body),
            request.body,
        ))
        if fault is not None and fault.kind == "normal":
            fault = None
        if self.latency:
            wake.wait(self.latency)
        limits, over_by = self.count(request.headers.get("x-api-key", ""))
        answer = self._answer(request, fault, wake, over_by)
        logger.info("fake Saleshandy: %s %s -> %s", request.method, request.path, answer.status)
        request_id = {"x-request-id": secrets.token_hex(8)}
        return replace(answer, headers={**request_id, **limits, **answer.headers})

    def _answer(
        self, request: Request, fault: Fault | None, wake: threading.Event, over_by: float | None
    ) -> Answer:
        if request.method == "GET" and "content-type" in request.headers:
            return _json(406, {"message": "Not Acceptable", "statusCode": 406})
        if request.path == SEARCH_PATH and request.method == "GET":
            return self._answer_search(request, fault, wake, over_by)
        if request.path != CREATE_PATH or request.method != "POST":
            message = f"Cannot {request.method} {request.path}"
            return _json(404, {"message": message, "error": "Not Found", "statusCode": 404})
        if fault is not None and fault.kind == "answer" and not fault.creates_tasks:
            return _scripted(fault)
        key = request.headers.get("x-api-key")
        refused = self._refusal(key, over_by)
        if refused is not None:
            return refused
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        checked = _json_or_none(request.body) if content_type == "application/json" else {}
        problems = validation_problems(checked)
        if problems:
            return _json(400, {"message": problems, "error": "Bad Request", "statusCode": 400})
        if fault is not None and not fault.creates_tasks:
            return _misbehave(fault, wake, None)
        answer = success_body(self._create(checked, key))
        return _json(201, answer) if fault is None else _misbehave(fault, wake, answer)

    def _answer_search(
        self, request: Request, fault: Fault | None, wake: threading.Event, over_by: float | None
    ) -> Answer:
        """GET /v1/prospects: the same checks in the same order as creating tasks, then the page."""
        if fault is not None and fault.kind == "answer":
            return _scripted(fault)
        key = request.headers.get("x-api-key")
        refused = self._refusal(key, over_by)
        if refused is not None:
            return refused
        parsed, problems = search_query(request.query)
        if parsed is None:
            return _json(400, {"message": problems, "error": "Bad Request", "statusCode": 400})
        found = self._search(parsed, key)
        if fault is not None and fault.kind == "drop":
            return Answer.dropped()
        if fault is not None and fault.kind == "stall":
            wake.wait(fault.seconds)
            if not fault.creates_tasks:
                return _json(504, {"message": "Gateway Timeout", "statusCode": 504})
        return _json(200, found)

    def _refusal(self, key: str | None, over_by: float | None) -> Answer | None:
        """401 for a key it does not take, 429 past the rate limit; None when the request may go on."""
        if not self._accepts(key):
            return _json(401, {"message": "Unauthorized", "statusCode": 401})
        if over_by is not None:
            retry = {"retry-after": str(math.ceil(over_by))}
            return _json(429, {"message": _TOO_MANY, "statusCode": 429}, retry)
        return None

    def record(self, request: ReceivedRequest) -> tuple[Fault | None, threading.Event]:
        """Keep one received request; its scripted fault, if any (public: benchmarks wrap it to time
        arrivals)."""
        with self._lock:
            self._requests.append(request)
            endpoint = _endpoint_of(request)
            faults = self._faults[endpoint] if endpoint is not None else None
            fault = faults.popleft() if faults else None
            return fault, self._wake

    def count(self, key: str) -> tuple[dict[str, str], float | None]:
        """Count one request for `key`: the rate-limit headers, and the wait if over the limit (public:
        benchmarks wrap it to see each window's use)."""
        with self._lock:
            now = self.clock()
            start, used = self._windows.get(key, (now, 0))
            if now >= start + self.window_seconds:
                start, used = now, 0
            used += 1
            self._windows[key] = (start, used)
            reset_at = start + self.window_seconds
            headers = {
                "x-ratelimit-limit": str(self.limit),
                "x-ratelimit-remaining": str(max(0, self.limit - used)),
                "x-ratelimit-reset": reset_header(reset_at, now, self.reset_format),
            }
            return headers, (max(1.0, reset_at - now) if used > self.limit else None)

    def _search(self, query: SearchQuery, key: str | None) -> dict[str, Any]:
        """The answer to a search (valid parameters, accepted key) among what `key`'s user has."""
        with self._lock:
            prospects = [p for p in self._prospects.values() if self._owns(key, p.id)]
        return search_body(prospects, query)

    def _create(self, body: dict[str, Any], key: str | None) -> list[dict[str, Any]]:
        results: list[dict[str, Any]] = []
        with self._lock:
            for prospect_id in body["prospectIds"]:
                if not is_known(prospect_id, self.known_prospect_ids) or not self._owns(key, prospect_id):
                    results.append({"prospectId": prospect_id, "taskId": None, "success": False})
                    continue
                task_id = "".join(secrets.choice(_ALPHABET) for _ in range(10))
                self._tasks.append(CreatedTask(
                    task_id, prospect_id, body["taskType"], body.get("dueDate"),
                    body.get("priority"), body.get("taskNote"), key,
                ))
                results.append({"prospectId": prospect_id, "taskId": task_id, "success": True})
        return results

    def _owns(self, key: str | None, prospect_id: str) -> bool:
        owner = self._prospect_keys.get(prospect_id)
        return owner is None or owner == key


def _json(status: int, body: Any, headers: Mapping[str, str] | None = None) -> Answer:
    return Answer(status, json.dumps(body).encode(), "application/json", headers or {})


def _scripted(fault: Fault) -> Answer:
    return Answer(fault.status, fault.body, fault.content_type, fault.headers)


def _misbehave(fault: Fault, wake: threading.Event, answer: dict[str, Any] | None) -> Answer:
    """What a scripted fault answers in place of `answer` (None: the tasks were not created)."""
    if fault.kind == "drop":
        return Answer.dropped()
    if fault.kind == "answer":
        return _scripted(fault)
    if fault.kind == "shape" and answer is not None and fault.shape is not None:
        return _json(201, reshape(answer, fault.shape))
    wake.wait(fault.seconds)  # a stall
    if answer is None:  # it never got round to the work: a gateway gave up on it
        return _json(504, {"message": "Gateway Timeout", "statusCode": 504})
    return _json(201, answer)


def _json_or_none(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _endpoint_of(request: ReceivedRequest) -> Endpoint | None:
    if request.method == "POST" and request.path == CREATE_PATH:
        return "create"
    if request.method == "GET" and request.path == SEARCH_PATH:
        return "search"
    return None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bot_testing.saleshandy", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8055)
    parser.add_argument("--key", default="test-key", help="the x-api-key it accepts")
    parser.add_argument("--known", default=None,
                        help="comma-separated IDs that exist (default: all but INVALID*, missing*)")
    parser.add_argument("--limit", type=int, default=1000, help="requests per window per key")
    parser.add_argument("--window", type=float, default=60.0, help="rate-limit window, seconds")
    parser.add_argument("--reset-format", default="seconds",
                        choices=["seconds", "epoch", "iso", "http-date"])
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per request")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    known = None if args.known is None else [p.strip() for p in args.known.split(",") if p.strip()]
    fake = FakeSaleshandy(args.key, known, host=args.host, port=args.port)
    url = fake.start()
    fake.set_rate_limit(args.limit, args.window, args.reset_format)
    fake.set_latency(args.latency)
    print(f"Fake Saleshandy on {url} (x-api-key: {args.key}); Ctrl-C to stop.", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()


if __name__ == "__main__":
    main()
