"""What can go wrong talking to Saleshandy: one class per kind, under one base, carrying facts.

Each error keeps what happened (its class), during which `operation`, the HTTP status, the API's own
words (`api_message`), and whether the request may have created tasks anyway (`may_have_landed`), which
decides whether its prospects end FAILED (nothing was created, safe to retry) or UNKNOWN (check
Saleshandy before retrying). Sentences for people are the edge's to write (`bot/slack/wording.py`).

No error ever holds the API key: text taken from a response goes through `redact()` first. The
answers each class stands for: docs/saleshandy-api.md, "Errors, as the client reads them".
"""

from __future__ import annotations

from enum import Enum
from typing import ClassVar

from bot.domain import OutcomeStatus

REDACTED = "[redacted]"
_MAX_API_TEXT = 300
"""Longest piece of the API's own text we keep: room for a validation message, short for Slack."""


def redact(text: str, secret: str | None) -> str:
    """`text` with every `secret` in it replaced, so an API echoing the key cannot leak it."""
    if secret:
        text = text.replace(secret, REDACTED)
    return text


def clip(text: str, limit: int = _MAX_API_TEXT) -> str:
    """`text` on one line, cut to `limit` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Operation(Enum):
    """What the client was doing when the error met it."""

    CREATE_TASKS = "create tasks"
    SEARCH_PROSPECTS = "search prospects"


class SaleshandyError(Exception):
    """Base of every Saleshandy failure: facts, no sentences.

    `status_code`, `api_message` (the API's `message`, a list joined with "; "), `request_id` and
    `body` (the start of the raw answer) are kept for the edge's words, logs and support; the last
    three are redacted.
    """

    acted_on_maybe: ClassVar[bool] = False
    """True when Saleshandy may have acted on the request despite the error (a 5xx, a timeout…)."""
    stops_batch: ClassVar[bool] = False
    """True when the batch's next requests would fail the same way, so they are not sent."""

    def __init__(
        self,
        *,
        operation: Operation = Operation.CREATE_TASKS,
        status_code: int | None = None,
        api_message: str | None = None,
        request_id: str | None = None,
        body: str | None = None,
    ) -> None:
        self.operation = operation
        self.status_code = status_code
        self.api_message = api_message
        self.request_id = request_id
        self.body = body
        super().__init__()

    @property
    def may_have_landed(self) -> bool:
        """True when tasks may have been created despite the error (check before retrying). Never
        for a search: it creates nothing."""
        return self.operation is Operation.CREATE_TASKS and self._acted_on_maybe()

    def _acted_on_maybe(self) -> bool:
        return self.acted_on_maybe

    @property
    def outcome_status(self) -> OutcomeStatus:
        """What this error means for each prospect of the request that met it."""
        return OutcomeStatus.UNKNOWN if self.may_have_landed else OutcomeStatus.FAILED

    @property
    def facts(self) -> tuple[object, ...]:
        """What tells two errors apart for a reader: one request's error and another's with the same
        facts are said once."""
        return type(self), self.operation, self.status_code, self.api_message

    def __str__(self) -> str:
        """For logs: the kind, the operation, the status and the API's (redacted) words."""
        status = f" (HTTP {self.status_code})" if self.status_code is not None else ""
        said = f": {self.api_message}" if self.api_message else ""
        return f"{type(self).__name__} while trying to {self.operation.value}{status}{said}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(operation={self.operation.name}, status_code={self.status_code!r}, "
            f"api_message={self.api_message!r})"
        )


class AuthenticationError(SaleshandyError):
    """401: the key was rejected."""

    stops_batch = True


class PermissionDeniedError(SaleshandyError):
    """403: the key's user may not do this."""

    stops_batch = True


class NotFoundError(SaleshandyError):
    """404: a wrong base URL, or prospects the API does not know."""


class ValidationError(SaleshandyError):
    """400 or 422: the request was refused as it stands."""


class RateLimitError(SaleshandyError):
    """Saleshandy's rate limit is reached (a 429, or a window that would make us wait too long);
    nothing was sent or created. `retry_after`: seconds, if known."""

    stops_batch = True

    def __init__(
        self,
        *,
        retry_after: float | None = None,
        operation: Operation = Operation.CREATE_TASKS,
        status_code: int | None = 429,
        request_id: str | None = None,
        body: str | None = None,
    ) -> None:
        self.retry_after = retry_after
        super().__init__(operation=operation, status_code=status_code, request_id=request_id, body=body)

    @property
    def facts(self) -> tuple[object, ...]:
        return (*super().facts, self.retry_after)


class RateLimiterUnavailableError(SaleshandyError):
    """The shared record of the key's rate limit (our database) could not be read: nothing was sent."""

    stops_batch = True


class WaitInterruptedError(SaleshandyError):
    """The app began to stop while this request waited for room in the rate limit: nothing was sent."""

    stops_batch = True


class ServerError(SaleshandyError):
    """5xx: Saleshandy failed, perhaps after acting on the request."""

    acted_on_maybe = True


class ConnectionFailedError(SaleshandyError):
    """The connection never opened: nothing was sent, so nothing was created."""

    stops_batch = True


class ConnectionLostError(SaleshandyError):
    """The connection broke after the request was sent: Saleshandy may have acted on it."""

    acted_on_maybe = True


class ApiTimeoutError(SaleshandyError):
    """No answer in time after the request was sent: Saleshandy may have acted on it."""

    acted_on_maybe = True


class UnreadableResponseError(SaleshandyError):
    """An answer came that could not be read: what it said is not known."""

    acted_on_maybe = True


class UnexpectedStatusError(SaleshandyError):
    """A status no other class covers: a 4xx was refused (nothing created); else, unsure."""

    def _acted_on_maybe(self) -> bool:
        return self.status_code is None or not 400 <= self.status_code < 500
