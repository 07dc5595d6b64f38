"""The one HTTP client for Saleshandy's Open API: auth, chunking, rate limits, error taxonomy.

Written against the contract in docs/saleshandy-api.md."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import httpx
from pydantic import SecretStr

from bot.domain import CreateTaskRequest, ProspectOutcome
from bot.saleshandy.errors import (
    ApiTimeoutError,
    ConnectionFailedError,
    ConnectionLostError,
    RateLimitError,
    SaleshandyError,
    UnreadableResponseError,
)
from bot.saleshandy.ratelimit import RetryPolicy
from bot.saleshandy.responses import error_from_response, outcomes_from_answer
from bot.saleshandy.search import (
    DEFAULT_CACHE_TTL,
    DEFAULT_PAGE_SIZE,
    EMAIL_LOOKUP_PAGE_SIZE,
    PROSPECTS_PATH,
    FoundProspect,
    ProspectLookupCache,
    ProspectSearchResult,
    cache_key,
    check_search,
    search_error,
    search_result_from_answer,
    search_retry_wait,
)
from bot.saleshandy.window import LocalWindow, RateLimitWindow

if TYPE_CHECKING:
    from bot.config import Settings

logger = logging.getLogger(__name__)

USER_AGENT = "saleshandy-slack-tasks/0.1 (+httpx)"
CREATE_TASKS_PATH = "tasks/create"


def build_timeout(read: float = 20.0) -> httpx.Timeout:
    """The timeouts of every request; only the wait for the answer is a setting."""
    return httpx.Timeout(
        # Opening TCP + TLS to a healthy API takes well under a second. Failing fast costs nothing:
        # no byte was sent, so a connection that does not open is retried.
        connect=5.0,
        # Waiting for the answer, the slow part: one task per prospect of the chunk. Generous,
        # because running out leaves the prospects UNKNOWN (the tasks may have been created anyway).
        read=read,
        # Sending a body of a few kilobytes at most (100 short IDs and a note of 2,000 characters).
        write=10.0,
        # Waiting for a free pooled connection: only busy when many Slack requests run at once.
        pool=5.0,
    )


DEFAULT_TIMEOUT = build_timeout()


@dataclass(frozen=True, slots=True)
class CreateTasksResult:
    """What `create_tasks` did: one outcome per prospect in input order, and what went wrong."""

    outcomes: tuple[ProspectOutcome, ...]
    errors: tuple[SaleshandyError, ...]
    """Distinct request-level errors (the same kind and message once), for a headline message."""
    requests_sent: int
    """Requests that reached Saleshandy, retries included; connections that never opened are not."""


@dataclass(frozen=True, slots=True)
class ChunkResult:
    """What one create-task request did: an outcome per prospect, and its error if it failed."""

    outcomes: tuple[ProspectOutcome, ...]
    error: SaleshandyError | None
    requests_sent: int


class SaleshandyClient:
    """Creates Saleshandy tasks over HTTP. Thread-safe; close it (or use `with`) when done."""

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
        prospect_cache_ttl: float = DEFAULT_CACHE_TTL,
        window: RateLimitWindow | None = None,
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
        )
        self._sleep = sleep
        self._clock = clock
        self._window: RateLimitWindow = window or LocalWindow(sleep=sleep, clock=clock)
        """The key's rate-limit window: this process's own, or one shared by every process using the key."""
        self._http = httpx.Client(
            base_url=self._base_url + "/",
            timeout=timeout or DEFAULT_TIMEOUT,
            headers={
                "x-api-key": api_key.get_secret_value(),
                "Accept": "application/json",
                "User-Agent": USER_AGENT,
            },
        )
        self._max_search_retries = max_search_retries
        """Searches (idempotent GETs) sent again after a 5xx, timeout or broken connection."""
        # Kept results age by a clock that never jumps back, unless a test gives its own.
        cache_clock = time.monotonic if clock is time.time else clock
        self._prospect_cache = (
            ProspectLookupCache(prospect_cache_ttl, clock=cache_clock)
            if prospect_cache_ttl > 0 else None
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
            window=window,
            sleep=sleep,
        )

    @property
    def chunk_size(self) -> int:
        return self._chunk_size

    def create_tasks(self, request: CreateTaskRequest) -> CreateTasksResult:
        """Create the task for each prospect (API page "Create Task": POST /v1/tasks/create).

        Sends the prospects in chunks of `chunk_size`, one POST each. Every prospect ends in exactly
        one outcome, in input order: CREATED with its task id, FAILED when nothing can have been
        created (safe to retry), or UNKNOWN when the request may have landed (check before
        retrying). Only rate limits and connections that never opened are retried; nothing else.
        """
        ids = request.prospect_ids
        size = self._chunk_size
        chunks = [ids[start : start + size] for start in range(0, len(ids), size)]
        outcomes: list[ProspectOutcome] = []
        errors: list[SaleshandyError] = []
        requests_sent = 0
        blocking: SaleshandyError | None = None
        for chunk in chunks:
            if blocking is not None:
                # The rest would meet the same wall (bad key, rate limit, unreachable): not sent.
                outcomes.extend(_outcomes_for_error(chunk, blocking))
                continue
            result = self.create_chunk(request.for_prospects(chunk))
            assert result is not None  # nothing here declines to send
            outcomes.extend(result.outcomes)
            requests_sent += result.requests_sent
            if result.error is not None:
                if not any(_same_error(result.error, seen) for seen in errors):
                    errors.append(result.error)
                if result.error.stops_batch:
                    blocking = result.error
        return CreateTasksResult(tuple(outcomes), tuple(errors), requests_sent)

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
                ticket = self._window.acquire(max_wait=self._retry.max_rate_limit_wait)
            except SaleshandyError as error:  # too long a wait, or the window cannot be asked: unsent
                return ChunkResult(_outcomes_for_error(chunk, error), error, requests_sent)
            if not before_sending():
                self._window.release(ticket, status=None, headers={})
                return None
            try:
                requests_sent += 1  # taken back below if the connection never opened
                response = self._post(CREATE_TASKS_PATH, body, prospects=len(chunk), ticket=ticket)
                if not response.is_success:
                    raise error_from_response(
                        response, secret=self._api_key.get_secret_value(), now=self._clock()
                    )
                outcomes = outcomes_from_answer(
                    response, chunk, secret=self._api_key.get_secret_value()
                )
                return ChunkResult(outcomes, None, requests_sent)
            except SaleshandyError as error:
                if isinstance(error, ConnectionFailedError):
                    requests_sent -= 1
                wait = self._retry.decide(
                    error, rate_limit_retries=rate_limit_retries, connect_retries=connect_retries
                )
                if wait is None:
                    return ChunkResult(_outcomes_for_error(chunk, error), error, requests_sent)
                after_not_sent()
                logger.info("Saleshandy: %s; sending again in %.1fs", type(error).__name__, wait)
                if isinstance(error, RateLimitError):
                    rate_limit_retries += 1
                else:
                    connect_retries += 1
                self._sleep(wait)
            except Exception:
                # An answer (or a bug) nothing here foresaw, after the request went out: the tasks
                # may exist, so the chunk is UNKNOWN rather than lost with the exception.
                logger.exception("Saleshandy: unexpected failure reading the answer")
                unread = UnreadableResponseError()
                return ChunkResult(_outcomes_for_error(chunk, unread), unread, requests_sent)

    def _post(self, path: str, body: dict[str, Any], *, prospects: int, ticket: int) -> httpx.Response:
        started = time.perf_counter()
        response = None
        try:
            response = self._http.post(path, json=body)
        except httpx.HTTPError as error:
            logger.warning(
                "Saleshandy POST /%s (%d prospect(s)) failed after %.2fs: %s",
                path, prospects, time.perf_counter() - started, type(error).__name__,
            )
            raise _error_for_transport(error) from error
        finally:
            self._release(ticket, response)
        logger.info(
            "Saleshandy POST /%s (%d prospect(s)): HTTP %d in %.2fs",
            path, prospects, response.status_code, time.perf_counter() - started,
        )
        return response

    def search_prospects(
        self, text: str, *, page_size: int = DEFAULT_PAGE_SIZE, page: int = 1
    ) -> ProspectSearchResult:
        """One page of the prospects whose first name, last name or email contain `text`
        (GET /v1/prospects?search=…&pageSize=…&page=…).

        `page_size` is one of 10, 20, 50, 100 and `page` counts from 1 (ValueError otherwise, and
        for a blank `text`). Results are kept `prospect_cache_ttl` seconds; the same search meanwhile
        (case and blanks aside) costs no call, and concurrent ones share one call. Shares the
        rate-limit window with `create_tasks`. Raises a SaleshandyError (worded for a search) when
        the search fails after the bounded retries.
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
        params = {"search": text, "pageSize": str(page_size), "page": str(page)}
        secret = self._api_key.get_secret_value()
        rate_limit_retries = other_retries = 0
        while True:
            try:
                ticket = self._window.acquire(max_wait=self._retry.max_rate_limit_wait)
                response = self._get(PROSPECTS_PATH, params, page_size=page_size, page=page, ticket=ticket)
                if not response.is_success:
                    raise error_from_response(response, secret=secret, now=self._clock())
            except SaleshandyError as error:
                wait = search_retry_wait(
                    self._retry, error, rate_limit_retries=rate_limit_retries,
                    other_retries=other_retries, max_other_retries=self._max_search_retries,
                )
                if wait is None:
                    raise search_error(error) from error.__cause__
                logger.info("Saleshandy search: %s; sending again in %.1fs", type(error).__name__, wait)
                if isinstance(error, RateLimitError):
                    rate_limit_retries += 1
                else:
                    other_retries += 1
                self._sleep(wait)
                continue
            try:
                return search_result_from_answer(
                    response, page=page, page_size=page_size, secret=secret
                )
            except SaleshandyError:
                raise  # already worded for a search; an unreadable 2xx is not sent again
            except Exception as error:
                logger.exception("Saleshandy: unexpected failure reading a search answer")
                raise search_error(UnreadableResponseError()) from error

    def _get(
        self, path: str, params: dict[str, str], *, page_size: int, page: int, ticket: int
    ) -> httpx.Response:
        """A GET with no body and no Content-Type (the API answers 406 to one); the search text,
        a person's name or email, is not logged."""
        started = time.perf_counter()
        response = None
        try:
            response = self._http.get(path, params=params)
        except httpx.HTTPError as error:
            logger.warning(
                "Saleshandy GET /%s (page %d, %d a page) failed after %.2fs: %s",
                path, page, page_size, time.perf_counter() - started, type(error).__name__,
            )
            raise _error_for_transport(error) from error
        finally:
            self._release(ticket, response)
        logger.info(
            "Saleshandy GET /%s (page %d, %d a page): HTTP %d in %.2fs",
            path, page, page_size, response.status_code, time.perf_counter() - started,
        )
        return response

    def _release(self, ticket: int, response: httpx.Response | None) -> None:
        if response is None:
            self._window.release(ticket, status=None, headers={})
        else:
            self._window.release(ticket, status=response.status_code, headers=response.headers)

    def close(self) -> None:
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


def _error_for_transport(error: httpx.HTTPError) -> SaleshandyError:
    """Whether the request can have reached Saleshandy decides the class: FAILED or UNKNOWN."""
    never_sent = (
        httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError,
        httpx.UnsupportedProtocol,
    )
    if isinstance(error, never_sent):
        return ConnectionFailedError()
    if isinstance(error, httpx.TimeoutException):  # read or write timeout: the request was sent
        return ApiTimeoutError()
    if isinstance(error, httpx.DecodingError):  # an answer came, in an encoding it cannot undo
        return UnreadableResponseError()
    return ConnectionLostError()  # RemoteProtocolError, ReadError, WriteError: dropped mid-exchange


def _outcomes_for_error(
    chunk: Sequence[str], error: SaleshandyError
) -> tuple[ProspectOutcome, ...]:
    status = error.outcome_status
    return tuple(ProspectOutcome(pid, status, reason=error.message) for pid in chunk)


def _same_error(one: SaleshandyError, other: SaleshandyError) -> bool:
    return type(one) is type(other) and one.message == other.message
