"""How each request goes out: through the key's rate-limit window, with the key's headers and timeouts
whose numbers each carry a reason, over an `httpx.Client` the caller may hand in (docs/saleshandy-api.md,
"Endpoint"). What a transport failure means (sent or not) is decided here, once."""

from __future__ import annotations

import logging
import time
from typing import Any

import httpx
from pydantic import SecretStr

from bot.saleshandy.errors import (
    ApiTimeoutError,
    ConnectionFailedError,
    ConnectionLostError,
    Operation,
    SaleshandyError,
    UnreadableResponseError,
)
from bot.saleshandy.window import RateLimitWindow

logger = logging.getLogger(__name__)

USER_AGENT = "saleshandy-slack-tasks/0.1 (+httpx)"


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

_NEVER_SENT = (
    httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError, httpx.UnsupportedProtocol,
)


def error_for_transport(error: httpx.HTTPError, operation: Operation) -> SaleshandyError:
    """Whether the request can have reached Saleshandy decides the class: FAILED or UNKNOWN."""
    if isinstance(error, _NEVER_SENT):
        return ConnectionFailedError(operation=operation)
    if isinstance(error, httpx.TimeoutException):  # read or write timeout: the request was sent
        return ApiTimeoutError(operation=operation)
    if isinstance(error, httpx.DecodingError):  # an answer came, in an encoding it cannot undo
        return UnreadableResponseError(operation=operation)
    return ConnectionLostError(operation=operation)  # RemoteProtocolError, ReadError, WriteError


class Sender:
    """Sends one request at a time for one key: room from the window first, the answer back to it."""

    def __init__(
        self,
        http: httpx.Client,
        *,
        base_url: str,
        api_key: SecretStr,
        timeout: httpx.Timeout,
        window: RateLimitWindow,
    ) -> None:
        self._http = http
        self._base_url = base_url.rstrip("/")
        self._timeout = timeout
        self._window = window
        self._headers = {
            "x-api-key": api_key.get_secret_value(),
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        }

    def room(self, *, max_wait: float, operation: Operation) -> int:
        """Wait for room in the window; a ticket for `send` (or `give_back`). Raises the window's
        SaleshandyError (too long a wait, the window unreadable, the app stopping): nothing was sent."""
        try:
            return self._window.acquire(max_wait=max_wait)
        except SaleshandyError as error:
            error.operation = operation  # the window serves every operation; the error says which
            raise

    def give_back(self, ticket: int) -> None:
        """The room of `ticket` was not used: nothing was sent."""
        self._window.release(ticket, status=None, headers={})

    def send(
        self, method: str, path: str, ticket: int, *, operation: Operation, about: str, **content: Any
    ) -> httpx.Response:
        """One request (`content`: httpx's `json=` or `params=`), its room in the window given back
        with what the answer said. `about` describes it in the logs: never the search text, never the
        key. Transport failures become the SaleshandyError that says whether it was sent."""
        started = time.perf_counter()
        response = None
        try:
            response = self._http.request(
                method, f"{self._base_url}/{path}", headers=self._headers, timeout=self._timeout, **content
            )
        except httpx.HTTPError as error:
            logger.warning(
                "Saleshandy %s /%s (%s) failed after %.2fs: %s",
                method, path, about, time.perf_counter() - started, type(error).__name__,
            )
            raise error_for_transport(error, operation) from error
        finally:
            if response is None:
                self._window.release(ticket, status=None, headers={})
            else:
                self._window.release(ticket, status=response.status_code, headers=response.headers)
        logger.info(
            "Saleshandy %s /%s (%s): HTTP %d in %.2fs",
            method, path, about, response.status_code, time.perf_counter() - started,
        )
        return response
