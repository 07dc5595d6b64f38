"""The one HTTP client for Saleshandy's Open API: create tasks in chunks, look prospects up.

Written against the contract in docs/saleshandy-api.md. The parts live beside it: `transport.py`
(headers, timeouts, the window around each request), `chunks.py`, `retry.py` (when to send again),
`responses.py` and `search.py` (reading answers), `cache.py`, `window.py` and `errors.py` (facts only:
`bot/slack/wording.py` says them to people).
"""

from __future__ import annotations

import functools
import logging
import ssl
import time
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import httpx
from pydantic import SecretStr

from bot.domain import CreateTaskRequest, ProspectOutcome
from bot.saleshandy.cache import DEFAULT_CACHE_TTL, ProspectLookupCache, cache_key
from bot.saleshandy.chunks import ChunkResult, CreateTasksResult, distinct, in_chunks, outcomes_for_error
from bot.saleshandy.errors import (
    ConnectionFailedError,
    Operation,
    RateLimitError,
    SaleshandyError,
    UnreadableResponseError,
)
from bot.saleshandy.responses import ProspectVerdict, error_from_response, outcomes_from_answer
from bot.saleshandy.retry import RetryPolicy
from bot.saleshandy.search import (
    DEFAULT_PAGE_SIZE,
    EMAIL_LOOKUP_PAGE_SIZE,
    PROSPECTS_PATH,
    FoundProspect,
    ProspectSearchResult,
    check_search,
    search_result_from_answer,
)
from bot.saleshandy.transport import DEFAULT_TIMEOUT, Sender, build_timeout
from bot.saleshandy.window import LocalWindow, RateLimitWindow

if TYPE_CHECKING:
    from bot.config import Settings

logger = logging.getLogger(__name__)

CREATE_TASKS_PATH = "tasks/create"
CREATE = Operation.CREATE_TASKS
SEARCH = Operation.SEARCH_PROSPECTS


class SaleshandyClient:
    """Creates Saleshandy tasks and searches prospects over HTTP. Thread-safe; close it (or use `with`)
    when done.

    `http` is the connection pool to send through (a test's `httpx.MockTransport`, a shared pool); the
    client sets the URL, headers and timeouts of each request itself, and closes only a pool it made.
    """

    def __init__(
        self,
        *,
        base_url: str,
        api_key: SecretStr,
        chunk_size: int = 100,
        timeout: httpx.Timeout | None = None,
        max_rate_limit_retries: int = 3,
        max_rate_limit_wait: float = 60.0,
        max_connect_retries: int = 2,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        max_search_retries: int = 2,
        connect_backoff: float = 0.5,
        prospect_cache_ttl: float = DEFAULT_CACHE_TTL,
        window: RateLimitWindow | None = None,
        http: httpx.Client | None = None,
    ) -> None:
        if chunk_size < 1:
            raise ValueError("chunk_size must be at least 1")
        self._base_url = base_url.rstrip("/")
        self._api_key = api_key
        self._chunk_size = chunk_size
        self._retry = RetryPolicy(
            max_rate_limit_retries=max_rate_limit_retries,
            max_rate_limit_wait=max_rate_limit_wait,
            max_connect_retries=max_connect_retries,
            max_search_retries=max_search_retries,
            connect_backoff=connect_backoff,
        )
        self._sleep = sleep
        self._clock = clock
        self._owns_http = http is None
        self._http = http or httpx.Client(verify=_tls_context())
        self._sender = Sender(
            self._http,
            base_url=self._base_url,
            api_key=api_key,
            timeout=timeout or DEFAULT_TIMEOUT,
            # The key's window: this process's own, or one shared by every process using the key.
            window=window or LocalWindow(sleep=sleep, clock=clock),
        )
        # Kept results age by a clock that never jumps back, unless a test gives its own.
        cache_clock = time.monotonic if clock is time.time else clock
        self._prospect_cache = (
            ProspectLookupCache(prospect_cache_ttl, clock=cache_clock) if prospect_cache_ttl > 0 else None
        )
        """Search results kept briefly (0 turns it off): one submission, one call per email."""

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        window: RateLimitWindow | None = None,
        sleep: Callable[[float], None] = time.sleep,
        api_key: SecretStr | None = None,
        http: httpx.Client | None = None,
    ) -> SaleshandyClient:
        """A client for the configured API with `api_key` (a rep's), or SALESHANDY_API_KEY;
        ConfigError when neither is given."""
        if api_key is None:
            settings.require("SALESHANDY_API_KEY")
            api_key = settings.saleshandy_api_key
        assert api_key is not None  # require() raised otherwise
        return cls(
            base_url=settings.saleshandy_api_url,
            api_key=api_key,
            chunk_size=settings.saleshandy_chunk_size,
            timeout=build_timeout(read=settings.saleshandy_timeout_seconds),
            max_rate_limit_wait=settings.saleshandy_max_rate_limit_wait_seconds,
            connect_backoff=settings.saleshandy_retry_backoff_seconds,
            window=window,
            sleep=sleep,
            http=http,
        )

    @property
    def chunk_size(self) -> int:
        return self._chunk_size

    # ---- creating tasks (docs/saleshandy-api.md, "Endpoint" to "Response") ---------------------------

    def create_tasks(self, request: CreateTaskRequest) -> CreateTasksResult:
        """Create the task for each prospect (API page "Create Task": POST /v1/tasks/create).

        Sends the prospects in chunks of `chunk_size`, one POST each. Every prospect ends in exactly
        one outcome, in input order: CREATED with its task id, FAILED when nothing can have been
        created (safe to retry), or UNKNOWN when the request may have landed (check before
        retrying). Only rate limits and connections that never opened are retried; nothing else.
        """
        outcomes: list[ProspectOutcome] = []
        errors: list[SaleshandyError] = []
        verdicts: dict[str, ProspectVerdict] = {}
        requests_sent = 0
        for chunk in in_chunks(request.prospect_ids, self._chunk_size):
            blocking = next((error for error in errors if error.stops_batch), None)
            if blocking is not None:
                # The rest would meet the same wall (bad key, rate limit, unreachable): not sent.
                outcomes.extend(outcomes_for_error(chunk, blocking))
                continue
            result = self.create_chunk(request.for_prospects(chunk))
            assert result is not None  # nothing here declines to send
            outcomes.extend(result.outcomes)
            verdicts.update(result.verdicts)
            requests_sent += result.requests_sent
            if result.error is not None:
                errors.append(result.error)
        return CreateTasksResult(tuple(outcomes), distinct(errors), requests_sent, verdicts)

    def create_chunk(
        self,
        request: CreateTaskRequest,
        *,
        before_sending: Callable[[], bool] = lambda: True,
        after_not_sent: Callable[[], None] = lambda: None,
    ) -> ChunkResult | None:
        """One POST /v1/tasks/create for all of `request`'s prospects (keep them to `chunk_size`),
        sent again only when it cannot have created anything (a 429, a connection that never opened).
        One outcome per prospect, in order; never raises a SaleshandyError.

        `before_sending` is asked once there is room in the rate limit, right before each try goes
        out (a durable caller writes down "being sent" there); when it says no, nothing is sent and
        the answer is None. `after_not_sent` hears that a try proved not to have been sent, before
        waiting to send it again.
        """
        chunk = request.prospect_ids
        body = request.to_api_body()
        requests_sent = rate_limit_retries = connect_retries = 0
        while True:
            try:
                ticket = self._sender.room(max_wait=self._retry.max_rate_limit_wait, operation=CREATE)
            except SaleshandyError as error:  # too long a wait, or the window cannot be asked: unsent
                return ChunkResult(outcomes_for_error(chunk, error), error, requests_sent)
            if not before_sending():
                self._sender.give_back(ticket)
                return None
            requests_sent += 1
            try:
                outcomes, verdicts = self._send_create(body, chunk, ticket)
                return ChunkResult(outcomes, None, requests_sent, verdicts)
            except SaleshandyError as error:
                if isinstance(error, ConnectionFailedError):
                    requests_sent -= 1
                wait = self._retry.decide(
                    error, rate_limit_retries=rate_limit_retries, connect_retries=connect_retries
                )
                if wait is None:
                    return ChunkResult(outcomes_for_error(chunk, error), error, requests_sent)
                unsent = error
            except Exception:
                # An answer (or a bug) nothing here foresaw, after the request went out: the tasks
                # may exist, so the chunk is UNKNOWN rather than lost with the exception.
                logger.exception("Saleshandy: unexpected failure reading the answer")
                unread = UnreadableResponseError(operation=CREATE)
                return ChunkResult(outcomes_for_error(chunk, unread), unread, requests_sent)
            after_not_sent()
            logger.info("Saleshandy: %s; sending again in %.1fs", type(unsent).__name__, wait)
            if isinstance(unsent, RateLimitError):
                rate_limit_retries += 1
            else:
                connect_retries += 1
            self._sleep(wait)

    def _send_create(
        self, body: dict[str, Any], chunk: tuple[str, ...], ticket: int
    ) -> tuple[tuple[ProspectOutcome, ...], dict[str, ProspectVerdict]]:
        about = f"{len(chunk)} prospect(s)"
        response = self._sender.send(
            "POST", CREATE_TASKS_PATH, ticket, operation=CREATE, about=about, json=body
        )
        secret = self._api_key.get_secret_value()
        if not response.is_success:
            raise error_from_response(response, operation=CREATE, secret=secret, now=self._clock())
        return outcomes_from_answer(response, chunk, secret=secret)

    # ---- searching prospects (docs/saleshandy-api.md, "Related endpoint") ----------------------------

    def search_prospects(
        self, text: str, *, page_size: int = DEFAULT_PAGE_SIZE, page: int = 1
    ) -> ProspectSearchResult:
        """One page of the prospects whose first name, last name or email contain `text`
        (GET /v1/prospects?search=…&pageSize=…&page=…).

        `page_size` is one of 10, 20, 50, 100 and `page` counts from 1 (ValueError otherwise, and
        for a blank `text`). Results are kept `prospect_cache_ttl` seconds; the same search meanwhile
        (case and blanks aside) costs no call, and concurrent ones share one call. Shares the
        rate-limit window with `create_tasks`. Raises a SaleshandyError (its `operation` a search,
        so it never `may_have_landed`) when the search fails after the bounded retries.
        """
        sent = check_search(text, page_size, page)
        if self._prospect_cache is None:
            return self._search(sent, page_size, page)
        return self._prospect_cache.get_or_load(
            cache_key(sent, page_size, page), lambda: self._search(sent, page_size, page)
        )

    def find_prospect_by_email(self, email: str) -> FoundProspect | None:
        """The prospect with exactly this email (case-insensitive), or None: one (cached) search.

        A prospect whose email merely contains `email` does not count. Errors propagate as the
        SaleshandyError of `search_prospects`.
        """
        result = self.search_prospects(email, page_size=EMAIL_LOOKUP_PAGE_SIZE)
        return result.with_email(email)

    def _search(self, text: str, page_size: int, page: int) -> ProspectSearchResult:
        rate_limit_retries = other_retries = 0
        while True:
            try:
                response = self._send_search(text, page_size, page)
            except SaleshandyError as error:
                wait = self._retry.decide_search(
                    error, rate_limit_retries=rate_limit_retries, other_retries=other_retries
                )
                if wait is None:
                    raise
                logger.info("Saleshandy search: %s; sending again in %.1fs", type(error).__name__, wait)
                if isinstance(error, RateLimitError):
                    rate_limit_retries += 1
                else:
                    other_retries += 1
                self._sleep(wait)
                continue
            try:
                secret = self._api_key.get_secret_value()
                return search_result_from_answer(response, page=page, page_size=page_size, secret=secret)
            except SaleshandyError:
                raise  # an unreadable 2xx is not sent again
            except Exception as error:
                logger.exception("Saleshandy: unexpected failure reading a search answer")
                raise UnreadableResponseError(operation=SEARCH) from error

    def _send_search(self, text: str, page_size: int, page: int) -> httpx.Response:
        """One GET, with no body and no Content-Type (the API answers 406 to one); the search text, a
        person's name or email, is not logged."""
        ticket = self._sender.room(max_wait=self._retry.max_rate_limit_wait, operation=SEARCH)
        params = {"search": text, "pageSize": str(page_size), "page": str(page)}
        about = f"page {page}, {page_size} a page"
        response = self._sender.send(
            "GET", PROSPECTS_PATH, ticket, operation=SEARCH, about=about, params=params
        )
        if not response.is_success:
            secret = self._api_key.get_secret_value()
            raise error_from_response(response, operation=SEARCH, secret=secret, now=self._clock())
        return response

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SaleshandyClient(base_url={self._base_url!r}, chunk_size={self._chunk_size})"


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """httpx's own default TLS context, made once per process: loading the CA bundle costs ~25 ms of CPU,
    and there is a client per Saleshandy key (an SSL context is safe to share between clients and threads)."""
    return httpx.create_ssl_context()

