"""Every request the fake Slack received, and what it answered: for tests to wait for and look at."""

from __future__ import annotations

import copy
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from bot_testing.slack.protocol import JsonDict

logger = logging.getLogger("bot_testing.slack")


@dataclass(frozen=True)
class RecordedCall:
    """One request the fake received, and what it answered."""

    method: str
    """Web API method ("chat.postMessage"), or "response_url" for posts to a response_url."""
    params: JsonDict
    """Query + body fields (minus `token`), with `blocks`/`view`/`attachments` decoded from JSON."""
    headers: dict[str, str]
    """Request headers with lower-case names, minus `authorization`."""
    at: float
    """The fake's clock when the request arrived (epoch seconds)."""
    status: int
    response: JsonDict | str
    channel: str | None = None
    """`params["channel"]`, or the channel a response_url was issued for."""
    user: str | None = None
    """`params["user"]`, or the user a response_url was issued for."""
    team: str | None = None
    """The workspace whose bot token made the call (None: no bot token, or one the fake never issued);
    for an org-wide (Enterprise Grid) install's token, the enterprise's id."""
    token: str | None = field(default=None, repr=False)
    """The token the call was made with (tests tell a refreshed token from the one it replaced)."""

    @property
    def ok(self) -> bool:
        if isinstance(self.response, dict):
            return self.response.get("ok") is True
        return self.status == 200

    @property
    def response_json(self) -> JsonDict:
        """The JSON the fake answered (`{}` for a response_url post, which answers in text)."""
        return self.response if isinstance(self.response, dict) else {}

    @property
    def error(self) -> str | None:
        if isinstance(self.response, dict):
            error = self.response.get("error")
            return str(error) if error is not None else None
        return None if self.status == 200 else self.response


class CallLog:
    """The calls received, in order. Thread-safe."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._cond = threading.Condition()
        self._calls: list[RecordedCall] = []

    def reset(self) -> None:
        with self._cond:
            self._calls = []

    def record(
        self,
        method: str,
        params: JsonDict,
        headers: dict[str, str],
        status: int,
        response: JsonDict | str,
        *,
        channel: str | None = None,
        user: str | None = None,
        team: str | None = None,
        token: str | None = None,
    ) -> None:
        call = RecordedCall(
            method=method,
            params=copy.deepcopy(params),
            headers={k: v for k, v in headers.items() if k != "authorization"},
            at=self._clock(),
            status=status,
            response=copy.deepcopy(response),
            channel=channel or _str_or_none(params.get("channel")),
            user=user or _str_or_none(params.get("user")),
            team=team,
            token=token,
        )
        with self._cond:
            self._calls.append(call)
            self._cond.notify_all()
        logger.info("%s -> %s %s", method, status, call.error or "ok")

    def calls(self, method: str | None = None) -> list[RecordedCall]:
        with self._cond:
            return [c for c in self._calls if method is None or c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[RecordedCall]:
        """Block until at least `count` calls of `method` arrived; returns all of them so far."""
        with self._cond:
            arrived = self._cond.wait_for(
                lambda: sum(c.method == method for c in self._calls) >= count, timeout
            )
            if not arrived:
                seen = [c.method for c in self._calls]
                raise TimeoutError(
                    f"expected {count} {method} call(s) within {timeout}s; calls so far: {seen}"
                )
            return [c for c in self._calls if c.method == method]


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None
