"""The Web API methods the fake answers: method name → the function that answers it.

To answer one more method, write it in its family's module (chat.py for `chat.*`…) under
`@web_api_method("family.name")`; a new family is a new module, listed in `web_api.py`.
A method answers the fields of an `ok` answer, or raises `ApiError`; tokens, scripted faults and
recording are taken care of before and after it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from bot_testing.slack.protocol import JsonDict
from bot_testing.slack.workspace import Workspace


@dataclass(frozen=True)
class ApiCall:
    """A call that passed the token check."""

    params: JsonDict
    """Query + body fields (minus `token`), JSON fields decoded."""
    token: str | None
    """None for a method taking no token (`oauth.v2.access`: client credentials)."""
    team: str
    """The workspace (or org, for an org-wide install) whose token made the call."""


MethodHandler = Callable[[Workspace, ApiCall], JsonDict]


@dataclass(frozen=True)
class WebApiMethod:
    answer: MethodHandler
    token: Literal["bot", "app"] | None
    """The token the method wants: the bot's, an app-level one (xapp-…), or none."""


METHODS: dict[str, WebApiMethod] = {}


def web_api_method(
    name: str, *, token: Literal["bot", "app"] | None = "bot"
) -> Callable[[MethodHandler], MethodHandler]:
    """Register the decorated function as the answer to the Web API method `name`."""

    def register(answer: MethodHandler) -> MethodHandler:
        if name in METHODS:
            raise ValueError(f"{name} is answered twice")
        METHODS[name] = WebApiMethod(answer, token)
        return answer

    return register
