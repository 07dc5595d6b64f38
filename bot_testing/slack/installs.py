"""Who may call the fake Slack: the configured tokens, and the installs made through OAuth.

An install code (`add_install_code`) is what Slack's authorize page hands the app's redirect;
`oauth.v2.access` exchanges it once for a bot token, optionally a rotating one with a refresh token.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from bot_testing.slack.protocol import ApiError

TokenKind = Literal["bot", "app"]
REFRESHED_TOKEN_SECONDS = 12 * 3600
"""How long a bot token from a refresh (token rotation) lasts, as Slack's do."""


@dataclass(frozen=True)
class Install:
    """What an install code stands for: a workspace install, or an org-wide one (no team)."""

    team_id: str | None
    team_name: str | None
    installer: str
    enterprise_id: str | None
    enterprise_name: str | None
    is_enterprise_install: bool
    expires_in: int | None

    @property
    def owner(self) -> str:
        """The workspace, or for an org-wide install the org, that the bot token belongs to."""
        return (self.enterprise_id if self.is_enterprise_install else self.team_id) or ""


@dataclass(frozen=True)
class Issued:
    """A bot token `oauth.v2.access` hands out, with its refresh token and lifetime when it rotates."""

    token: str
    install: Install
    refresh_token: str | None = None
    expires_in: int | None = None


class Installs:
    """The tokens the fake accepts and whose workspace each is. Thread-safe."""

    def __init__(
        self, *, bot_token: str, app_token: str | None, team_id: str, clock: Callable[[], float]
    ) -> None:
        self.bot_token = bot_token
        self.app_token = app_token
        self._team_id = team_id
        self._clock = clock
        self._lock = threading.Lock()
        self._codes: dict[str, tuple[Install, str]] = {}
        """Install code → the install and the bot token it will be exchanged for."""
        self._installed: dict[str, Install] = {}
        """Bot tokens issued by `oauth.v2.access`: token → the install it was issued for."""
        self._expires: dict[str, float] = {}
        """Rotating tokens: token → when it stops working (the fake's clock)."""
        self._refresh: dict[str, str] = {}
        """Refresh token → the bot token it currently refreshes (refreshing retires that one)."""
        self._function_tokens: set[str] = set()
        """The `bot_access_token`s of workflow steps still running: bot tokens until the step ends."""

    def add_code(self, code: str, install: Install) -> str:
        """Make `code` exchangeable (once) for a new bot token for `install`; returns the token."""
        prefix = "xoxe." if install.expires_in else ""
        token = f"{prefix}xoxb-{install.owner.lower()}-{secrets.token_hex(6)}"
        with self._lock:
            self._codes[code] = (install, token)
        return token

    def issue_function_token(self) -> str:
        """A workflow step's own token (the `bot_access_token` of `function_executed`)."""
        token = f"xwfp-{self._team_id.lower()}-{secrets.token_hex(8)}"
        with self._lock:
            self._function_tokens.add(token)
        return token

    def retire_function_token(self, token: str) -> None:
        with self._lock:
            self._function_tokens.discard(token)

    def installed(self, token: str) -> Install | None:
        with self._lock:
            return self._installed.get(token)

    def team_of(self, token: str | None) -> str | None:
        """The workspace whose bot token this is, the org's id for an org-wide install's."""
        with self._lock:
            installed = self._installed.get(str(token))
        if installed is not None:
            return installed.owner
        with self._lock:
            of_a_step = str(token) in self._function_tokens
        return self._team_id if token == self.bot_token or of_a_step else None

    def check(self, wants: TokenKind, token: str) -> None:
        """Raise Slack's error unless `token` may call a method that wants a `wants` token."""
        if token == (self.app_token if wants == "app" else self.bot_token):
            return
        with self._lock:
            installed = token in self._installed or (wants == "bot" and token in self._function_tokens)
            expired = token in self._expires and self._clock() >= self._expires[token]
        if wants == "bot" and installed:
            if expired:
                raise ApiError("token_expired")
            return
        if token.startswith("xapp-") != (wants == "app"):
            raise ApiError("not_allowed_token_type")
        raise ApiError("invalid_auth")

    def exchange(self, code: str) -> Issued:
        """`oauth.v2.access` with a code: the bot token it stands for (and a refresh token if it rotates)."""
        with self._lock:
            if code not in self._codes:
                raise ApiError("invalid_code")
            install, token = self._codes.pop(code)
            self._installed[token] = install
            if install.expires_in is None:
                return Issued(token, install)
            refresh = f"xoxe-1-{secrets.token_hex(12)}"
            self._refresh[refresh] = token
            self._expires[token] = self._clock() + install.expires_in
            return Issued(token, install, refresh, install.expires_in)

    def refresh(self, refresh: str) -> Issued:
        """grant_type=refresh_token: a new bot token with a new expiry (Slack's 12 hours); the one it
        replaces stops working. The refresh token stays the same."""
        with self._lock:
            old = self._refresh.get(refresh)
            install = self._installed.pop(old, None) if old is not None else None
            if old is None or install is None or install.expires_in is None:
                raise ApiError("invalid_refresh_token")
            self._expires.pop(old, None)
            token = f"xoxe.xoxb-{install.owner.lower()}-{secrets.token_hex(6)}"
            self._installed[token] = install
            self._expires[token] = self._clock() + REFRESHED_TOKEN_SECONDS
            self._refresh[refresh] = token
            return Issued(token, install, refresh, REFRESHED_TOKEN_SECONDS)
