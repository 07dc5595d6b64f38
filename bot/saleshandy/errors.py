"""What can go wrong talking to Saleshandy: one class per kind, under one base, in plain words.

Every error says two things: a message a sales rep understands (its `str()`), and whether the
request may have created tasks anyway (`may_have_landed`), which decides if its prospects end FAILED
(nothing was created, safe to retry) or UNKNOWN (check Saleshandy before retrying).

No message ever holds the API key: text taken from a response goes through `redact()` first.
"""

from __future__ import annotations

import math
from typing import ClassVar

from bot.domain import OutcomeStatus

REDACTED = "[redacted]"
_MAX_API_TEXT = 300
"""Longest piece of the API's own text we repeat: room for a validation message, short for Slack."""


def redact(text: str, secret: str | None) -> str:
    """`text` with every `secret` in it replaced, so an API echoing the key cannot leak it."""
    if secret:
        text = text.replace(secret, REDACTED)
    return text


def clip(text: str, limit: int = _MAX_API_TEXT) -> str:
    """`text` on one line, cut to `limit` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class SaleshandyError(Exception):
    """Base of every Saleshandy failure. `str(error)` is the plain-words message.

    `status_code`, `api_message` (the API's `message`, a list joined with "; "), `request_id` and
    `body` (the start of the raw answer) are kept for logs and support; the last three are redacted.
    """

    default_message: ClassVar[str] = "Saleshandy answered with an error."
    may_have_landed: bool = False
    """True when tasks may have been created despite the error (check before retrying)."""
    stops_batch: ClassVar[bool] = False
    """True when the batch's next requests would fail the same way, so they are not sent."""

    def __init__(
        self,
        message: str | None = None,
        *,
        status_code: int | None = None,
        api_message: str | None = None,
        request_id: str | None = None,
        body: str | None = None,
    ) -> None:
        self.status_code = status_code
        self.api_message = api_message
        self.request_id = request_id
        self.body = body
        self.message = message or self.describe()
        super().__init__(self.message)

    def describe(self) -> str:
        """The plain-words message when none is given; subclasses add what the API said."""
        return self.default_message

    @property
    def outcome_status(self) -> OutcomeStatus:
        """What this error means for each prospect of the request that met it."""
        return OutcomeStatus.UNKNOWN if self.may_have_landed else OutcomeStatus.FAILED

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, status_code={self.status_code!r})"


class _SaysWhatTheApiSaid(SaleshandyError):
    def describe(self) -> str:
        if not self.api_message:
            return self.default_message
        return f"{self.default_message} Saleshandy said: {self.api_message}"


class AuthenticationError(_SaysWhatTheApiSaid):
    default_message = "The Saleshandy API key was rejected — check SALESHANDY_API_KEY."
    stops_batch = True


class PermissionDeniedError(_SaysWhatTheApiSaid):
    default_message = (
        "Saleshandy did not allow this API key's user to create these tasks "
        "— check the key's access."
    )
    stops_batch = True


class NotFoundError(_SaysWhatTheApiSaid):
    default_message = (
        "Saleshandy answered 'not found' — check the prospect IDs and SALESHANDY_API_URL."
    )


class ValidationError(SaleshandyError):
    default_message = "Saleshandy refused the request."

    def describe(self) -> str:
        if not self.api_message:
            return self.default_message
        return f"Saleshandy refused the request: {self.api_message}"


class RateLimitError(SaleshandyError):
    """Saleshandy's rate limit is reached; nothing was created. `retry_after`: seconds, if known."""

    default_message = (
        "Saleshandy's rate limit was reached, so nothing was created; retry in a minute."
    )
    stops_batch = True

    def __init__(
        self,
        message: str | None = None,
        *,
        retry_after: float | None = None,
        status_code: int | None = 429,
        request_id: str | None = None,
        body: str | None = None,
    ) -> None:
        self.retry_after = retry_after
        super().__init__(message, status_code=status_code, request_id=request_id, body=body)

    def describe(self) -> str:
        if self.retry_after is None or self.retry_after <= 60:
            return self.default_message
        seconds = math.ceil(self.retry_after)
        return (
            "Saleshandy's rate limit was reached, so nothing was created; "
            f"retry in {seconds} seconds (about {math.ceil(seconds / 60)} minutes)."
        )


class RateLimiterUnavailableError(SaleshandyError):
    """The shared record of the key's rate limit (our database) could not be read: nothing was sent."""

    default_message = (
        "Our database was unavailable, so nothing was sent to Saleshandy; it goes on once it is back."
    )
    stops_batch = True


class WaitInterruptedError(SaleshandyError):
    """The app began to stop while this request waited for room in the rate limit: nothing was sent."""

    default_message = "The app is restarting, so nothing was sent yet; it goes on after the restart."
    stops_batch = True


class ServerError(_SaysWhatTheApiSaid):
    default_message = (
        "Saleshandy had an internal error; the task may have been created — check before retrying."
    )
    may_have_landed = True


class ConnectionFailedError(SaleshandyError):
    """The connection never opened: nothing was sent, so nothing was created."""

    default_message = (
        "Could not reach Saleshandy, so nothing was created; try again in a few minutes."
    )
    stops_batch = True


class ConnectionLostError(SaleshandyError):
    """The connection broke after the request was sent: Saleshandy may have acted on it."""

    default_message = (
        "The connection to Saleshandy broke before it answered; the task may have been created "
        "— check before retrying."
    )
    may_have_landed = True


class ApiTimeoutError(SaleshandyError):
    default_message = (
        "Saleshandy did not answer in time; the task may have been created — check before retrying."
    )
    may_have_landed = True


class UnreadableResponseError(SaleshandyError):
    default_message = (
        "Saleshandy's answer could not be read; the task may have been created "
        "— check before retrying."
    )
    may_have_landed = True


class UnexpectedStatusError(SaleshandyError):
    """A status no other class covers: a 4xx was refused (nothing created); else, unsure."""

    def __init__(
        self,
        message: str | None = None,
        *,
        status_code: int | None = None,
        api_message: str | None = None,
        request_id: str | None = None,
        body: str | None = None,
    ) -> None:
        self.may_have_landed = status_code is None or not 400 <= status_code < 500
        super().__init__(
            message, status_code=status_code, api_message=api_message, request_id=request_id,
            body=body,
        )

    def describe(self) -> str:
        if self.may_have_landed:
            return (
                f"Saleshandy answered HTTP {self.status_code}; the task may have been created "
                "— check before retrying."
            )
        said = f": {self.api_message}" if self.api_message else ""
        return f"Saleshandy refused the request (HTTP {self.status_code}){said}"
