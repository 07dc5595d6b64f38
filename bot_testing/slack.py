"""A fake Slack Web API and response_url endpoint on loopback, faithful where the app can tell.

Answers the way slack.com/api does: form, query or JSON bodies; the token in `Authorization: Bearer`
(or a `token` field, except in JSON bodies, which Slack refuses); HTTP 200 with `{"ok": false}` for
API errors, HTTP 429 with `Retry-After` when rate limited. Every request is recorded, so a test can
wait for what the app posts from its background threads and look at it.
With an `app_token`, `apps.connections.open` answers a `ws://` URL on loopback where Socket Mode is
spoken (bot_testing/slack_socket.py).

    with FakeSlack() as fake:
        client = WebClient(token="xoxb-test", base_url=fake.api_url)

By hand: `python -m bot_testing.slack --port 8056`.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import copy
import datetime
import json
import logging
import secrets
import threading
import time
import zoneinfo
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

if TYPE_CHECKING:
    from bot_testing.slack_socket import FakeSocketMode

logger = logging.getLogger(__name__)

JsonDict = dict[str, Any]

API_PREFIX = "/api/"
RESPONSE_URL_PREFIX = "/response/"
CALLS_PATH = "/_fake/calls"
APP_TOKEN_METHODS = frozenset({"apps.connections.open"})
"""Methods Slack only takes an app-level token (xapp-…) for; every other method wants the bot's."""
REFRESHED_TOKEN_SECONDS = 12 * 3600
"""How long a bot token from a refresh (token rotation) lasts, as Slack's do."""
DEFAULT_USER_ID = "U123"
"""A user the fake knows from the start, and the driver's default actor."""

# Fields Slack accepts as JSON text inside form bodies.
_JSON_FIELDS = ("blocks", "attachments", "view", "metadata")
_MAX_BLOCKS_MESSAGE = 50
_MAX_BLOCKS_VIEW = 100
_MAX_TEXT = 40_000
_POLL_INTERVAL = 0.05  # how long stop() may wait for the serving loop to notice


@dataclass(frozen=True)
class _Install:
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

    def auth_test(self, bot_user_id: str, bot_id: str) -> JsonDict:
        return {
            "url": f"https://{self.owner.lower()}.slack.com/",
            "team": self.team_name or self.enterprise_name,
            "user": "fakebot",
            "team_id": self.team_id or "",
            "enterprise_id": self.enterprise_id,
            "user_id": bot_user_id,
            "bot_id": bot_id,
            "is_enterprise_install": self.is_enterprise_install,
        }


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


class _ApiError(Exception):
    def __init__(self, error: str, *, messages: Sequence[str] = ()) -> None:
        super().__init__(error)
        self.error = error
        self.messages = list(messages)


@dataclass
class _User:
    id: str
    name: str
    real_name: str
    display_name: str
    tz: str | None
    email: str | None
    is_bot: bool = False
    is_admin: bool = False


@dataclass
class _Trigger:
    issued_at: float
    used: bool = False


@dataclass
class _ResponseUrl:
    channel: str
    user: str
    message_ts: str | None
    issued_at: float
    uses: int = 0


@dataclass
class _Answer:
    status: int
    body: JsonDict
    headers: dict[str, str] = field(default_factory=dict)


class FakeSlack:
    """The Slack Web API on loopback. Thread-safe; start it, point a WebClient at `api_url`."""

    def __init__(
        self,
        bot_token: str = "xoxb-test",
        *,
        app_token: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        team_id: str = "T0001",
        team_name: str = "Fake Team",
        team_domain: str = "fake",
        bot_user_id: str = "UBOT",
        bot_id: str = "BBOT",
        app_id: str = "A0FAKE",
        clock: Callable[[], float] = time.time,
        trigger_ttl: float = 3.0,
        response_url_ttl: float = 30 * 60,
        response_url_max_uses: int = 5,
    ) -> None:
        self.bot_token = bot_token
        self.app_token = app_token
        """With one, `apps.connections.open` hands out Socket Mode URLs (see `socket_mode`)."""
        self.team_id = team_id
        self.team_name = team_name
        self.team_domain = team_domain
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.app_id = app_id
        self._host = host
        self._port = port
        self._clock = clock
        self._trigger_ttl = trigger_ttl
        self._response_url_ttl = response_url_ttl
        self._response_url_max_uses = response_url_max_uses
        self._cond = threading.Condition()  # guards everything below
        self._server: _FakeSlackHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._socket_mode: FakeSocketMode | None = None
        self._users: dict[str, _User] = {}
        self._channel_names: dict[str, str] = {}
        self._codes: dict[str, _Install] = {}
        self._pending_tokens: dict[str, str] = {}
        """Install code → the bot token it will be exchanged for."""
        self._installed: dict[str, _Install] = {}
        """Bot tokens issued by `oauth.v2.access`: token → the install it was issued for."""
        self._expires: dict[str, float] = {}
        """Rotating tokens: token → when it stops working (the fake's clock)."""
        self._refresh: dict[str, str] = {}
        """Refresh token → the bot token it currently refreshes (refreshing retires that one)."""
        self._calling_team = team_id
        self._last_ts_micros = 0
        self._counter = 0
        self.reset()
        self.add_user(bot_user_id, name="fakebot", real_name="Fake Bot", tz=None, is_bot=True)
        self.add_user(
            DEFAULT_USER_ID, name="ann", real_name="Ann Example", tz="America/Los_Angeles"
        )

    # ---- lifecycle -------------------------------------------------------------------------

    def start(self) -> str:
        """Serve in a daemon thread; returns the Web API base URL (ending in "/api/")."""
        if self._server is None:
            self._server = _FakeSlackHTTPServer((self._host, self._port), _Handler, self)
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": _POLL_INTERVAL},
                name="fake-slack",
                daemon=True,
            )
            self._thread.start()
        if self.app_token is not None and self._socket_mode is None:
            from bot_testing.slack_socket import FakeSocketMode  # websockets: only when asked for

            self._socket_mode = FakeSocketMode(app_id=self.app_id, host=self._host, clock=self._clock)
            self._socket_mode.start()
        return self.api_url

    def stop(self) -> None:
        if self._socket_mode is not None:
            self._socket_mode.stop()
            self._socket_mode = None
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            if self._thread is not None:
                self._thread.join(timeout=5)
            self._server = None
            self._thread = None

    def __enter__(self) -> FakeSlack:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:PORT` (no trailing slash); only while started."""
        if self._server is None:
            raise RuntimeError("FakeSlack is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def api_url(self) -> str:
        """Base URL for `slack_sdk.WebClient(base_url=...)`, e.g. `http://127.0.0.1:PORT/api/`."""
        return self.base_url + API_PREFIX

    @property
    def socket_mode(self) -> FakeSocketMode:
        """The Socket Mode server behind `apps.connections.open`; only with an `app_token`, while started."""
        if self._socket_mode is None:
            raise RuntimeError("FakeSlack has no Socket Mode: give it an app_token and start it")
        return self._socket_mode

    def reset(self) -> None:
        """Forget calls, messages, views, triggers, response_urls and every scripted fault.

        Configuration (users, channel names, the tokens) is kept, and so are open Socket Mode connections.
        """
        if self._socket_mode is not None:
            self._socket_mode.reset()
        with self._cond:
            self._calls: list[RecordedCall] = []
            self._messages: dict[str, list[JsonDict]] = collections.defaultdict(list)
            self._ephemeral: list[JsonDict] = []
            self._views: dict[str, JsonDict] = {}
            self._homes: dict[str, str] = {}
            self._triggers: dict[str, _Trigger] = {}
            self._expired_triggers: set[str] = set()
            self._response_urls: dict[str, _ResponseUrl] = {}
            self._drops: collections.Counter[str] = collections.Counter()
            self._failures: dict[str, collections.deque[str]] = collections.defaultdict(
                collections.deque
            )
            self._rate_limits: dict[str, collections.deque[int]] = collections.defaultdict(
                collections.deque
            )
            self._not_in: set[str] = set()
            self._missing: set[str] = set()
            self._latency: dict[str | None, float] = {}
            self._dms: dict[str, str] = {}

    # ---- configuration ---------------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        *,
        name: str | None = None,
        real_name: str | None = None,
        display_name: str | None = None,
        tz: str | None = "America/Los_Angeles",
        email: str | None = None,
        is_bot: bool = False,
        is_admin: bool = False,
    ) -> None:
        """Add (or replace) a workspace member; `tz=None` makes a user whose profile has no zone."""
        if tz is not None:
            zoneinfo.ZoneInfo(tz)  # fail here, not inside a request, on a misspelt zone
        name = name or user_id.lower()
        with self._cond:
            self._users[user_id] = _User(
                id=user_id,
                name=name,
                real_name=real_name or name.title(),
                display_name=display_name if display_name is not None else name,
                tz=tz,
                email=email,
                is_bot=is_bot,
                is_admin=is_admin,
            )

    def user_name(self, user_id: str) -> str:
        """The member's handle (`name`), or the lower-cased id of a member the fake doesn't know."""
        with self._cond:
            user = self._users.get(user_id)
            return user.name if user else user_id.lower()

    def add_channel(self, channel_id: str, name: str) -> None:
        with self._cond:
            self._channel_names[channel_id] = name

    def channel_name(self, channel_id: str) -> str:
        """The name Slack would send as `channel_name` (DMs are "directmessage", as in Slack)."""
        with self._cond:
            if channel_id in self._channel_names:
                return self._channel_names[channel_id]
        if channel_id.startswith("D"):
            return "directmessage"
        if channel_id.startswith("G"):
            return "privategroup"
        return channel_id.lower()

    def set_latency(self, seconds: float, method: str | None = None) -> None:
        """Delay every answer (or only `method`'s) by `seconds`; 0 removes it."""
        with self._cond:
            self._latency[method] = seconds

    # ---- scripted faults -------------------------------------------------------------------

    def fail_next(self, method: str, error: str = "not_in_channel", times: int = 1) -> None:
        """The next `times` calls of `method` answer `{"ok": false, "error": error}`."""
        with self._cond:
            self._failures[method].extend([error] * times)

    def drop_next(self, method: str, times: int = 1) -> None:
        """The next `times` calls of `method` get no answer: the connection is closed on them (a
        network failure; recorded with status 0)."""
        with self._cond:
            self._drops[method] += times

    def _take_drop(self, method: str) -> bool:
        with self._cond:
            if self._drops[method] <= 0:
                return False
            self._drops[method] -= 1
            self._record(method, {}, {}, 0, {"ok": False, "error": "connection_dropped"})
            return True

    def rate_limit_next(self, method: str, retry_after: int = 1, times: int = 1) -> None:
        """The next `times` calls of `method` answer HTTP 429 with `Retry-After: retry_after`."""
        with self._cond:
            self._rate_limits[method].extend([retry_after] * times)

    def set_bot_not_in(self, channel: str) -> None:
        """Posting or reading history in `channel` answers `not_in_channel` until `set_bot_in`."""
        with self._cond:
            self._not_in.add(channel)

    def set_bot_in(self, channel: str) -> None:
        with self._cond:
            self._not_in.discard(channel)

    def set_missing_channel(self, channel: str) -> None:
        """Every call naming `channel` answers `channel_not_found` until `restore_channel`."""
        with self._cond:
            self._missing.add(channel)

    def restore_channel(self, channel: str) -> None:
        with self._cond:
            self._missing.discard(channel)

    def issue_trigger_id(self) -> str:
        """A fresh trigger_id, as in an interaction payload; valid for `trigger_ttl` seconds."""
        with self._cond:
            self._counter += 1
            trigger_id = f"{self._counter}.{int(self._clock())}.{secrets.token_hex(16)}"
            self._triggers[trigger_id] = _Trigger(issued_at=self._clock())
            return trigger_id

    def expire_trigger(self, trigger_id: str) -> None:
        with self._cond:
            self._expired_triggers.add(trigger_id)

    def response_url(self, channel: str, user: str, *, message_ts: str | None = None) -> str:
        """A response_url on this server for an interaction by `user` in `channel`.

        `message_ts` is the message the interaction came from (what `replace_original` replaces).
        """
        token = secrets.token_urlsafe(16)
        with self._cond:
            self._response_urls[token] = _ResponseUrl(
                channel=channel, user=user, message_ts=message_ts, issued_at=self._clock()
            )
        return f"{self.base_url}{RESPONSE_URL_PREFIX}{self.team_id}/{token}"

    # ---- workspace content ---------------------------------------------------------------

    def new_ts(self) -> str:
        """A message ts ("1764300000.000100"), unique and increasing, from the fake's clock."""
        with self._cond:
            micros = max(int(self._clock() * 1_000_000), self._last_ts_micros + 1)
            self._last_ts_micros = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def add_message(
        self,
        channel: str,
        text: str,
        *,
        user: str = DEFAULT_USER_ID,
        thread_ts: str | None = None,
        blocks: list[JsonDict] | None = None,
        attachments: list[JsonDict] | None = None,
    ) -> JsonDict:
        """A message a person posted in `channel` (to run a message shortcut on); returns it."""
        ts = self.new_ts()
        message: JsonDict = {
            "type": "message",
            "user": user,
            "text": text,
            "ts": ts,
            "team": self.team_id,
            "client_msg_id": secrets.token_hex(16),
            "blocks": blocks if blocks is not None else [_rich_text_block(text)],
        }
        if attachments:
            message["attachments"] = attachments
        if thread_ts:
            message["thread_ts"] = thread_ts
        with self._cond:
            self._messages[channel].append(message)
        return copy.deepcopy(message)

    def messages(self, channel: str) -> list[JsonDict]:
        """Messages now in `channel`, oldest first (bot posts, updates applied, and people's)."""
        with self._cond:
            return copy.deepcopy(self._messages.get(channel, []))

    def ephemeral_messages(self) -> list[JsonDict]:
        with self._cond:
            return copy.deepcopy(self._ephemeral)

    def view(self, view_id: str) -> JsonDict:
        """A view as it is now (after any `views.update`), with its id and hash."""
        with self._cond:
            return copy.deepcopy(self._views[view_id])

    def home(self, user_id: str) -> JsonDict | None:
        """The Home tab the app published for `user_id` (the latest), or None."""
        with self._cond:
            view_id = self._homes.get(user_id)
            return copy.deepcopy(self._views[view_id]) if view_id else None

    def views(self) -> list[JsonDict]:
        """Every view opened or pushed, oldest first, as it is now."""
        with self._cond:
            return copy.deepcopy(list(self._views.values()))

    # ---- what was received -----------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[RecordedCall]:
        with self._cond:
            return [c for c in self._calls if method is None or c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[RecordedCall]:
        """Block until at least `count` calls of `method` arrived; returns all of them so far."""
        with self._cond:
            arrived = self._cond.wait_for(
                lambda: sum(c.method == method for c in self._calls) >= count, timeout
            )
            seen = [c.method for c in self._calls]
            if not arrived:
                raise TimeoutError(
                    f"expected {count} {method} call(s) within {timeout}s; calls so far: {seen}"
                )
            return [c for c in self._calls if c.method == method]

    # ---- request handling (called from the HTTP handler threads) ----------------------------

    def _handle_api(self, method: str, query: str, body: bytes, headers: dict[str, str]) -> _Answer:
        with self._cond:
            delay = self._latency.get(method, self._latency.get(None, 0.0))
        if delay:
            time.sleep(delay)
        params: JsonDict = dict(parse_qsl(query, keep_blank_values=True))
        with self._cond:
            try:
                token = _bearer(headers) or params.get("token")
                body_params, json_body = _parse_body(body, headers.get("content-type", ""))
                if not json_body:
                    token = token or body_params.get("token")
                params.update(body_params)
                params.pop("token", None)
                _decode_json_fields(params)
                answer = self._answer(method, token, params)
            except _ApiError as err:
                answer = _Answer(200, _error_body(err))
            self._record(method, params, headers, answer.status, answer.body, token=token)
            return answer

    def _answer(self, method: str, token: object, params: JsonDict) -> _Answer:
        if method == "oauth.v2.access":  # client credentials, not a token (HTTP Basic)
            return _Answer(200, {"ok": True, **self._oauth_v2_access(params)})
        handler = self._handlers().get(method)
        if handler is None:
            return _Answer(200, {"ok": False, "error": "unknown_method", "req_method": method})
        if not token:
            raise _ApiError("not_authed")
        self._check_token(method, str(token))
        if method == "auth.test" and str(token) in self._installed:
            installed = self._installed[str(token)]
            return _Answer(200, {"ok": True, **installed.auth_test(self.bot_user_id, self.bot_id)})
        self._calling_team = self._team_of_token(token) or self.team_id  # whose views this call makes
        if self._rate_limits[method]:
            retry_after = self._rate_limits[method].popleft()
            return _Answer(
                429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)}
            )
        if self._failures[method]:
            raise _ApiError(self._failures[method].popleft())
        return _Answer(200, {"ok": True, **handler(params)})

    def _check_token(self, method: str, token: str) -> None:
        wants_app_token = method in APP_TOKEN_METHODS
        if token == (self.app_token if wants_app_token else self.bot_token):
            return
        if not wants_app_token and token in self._installed:
            if token in self._expires and self._clock() >= self._expires[token]:
                raise _ApiError("token_expired")
            return
        if token.startswith("xapp-") != wants_app_token:
            raise _ApiError("not_allowed_token_type")
        raise _ApiError("invalid_auth")

    def _handle_response_url(
        self, token: str, body: bytes, headers: dict[str, str]
    ) -> tuple[int, str]:
        with self._cond:
            entry = self._response_urls.get(token)
            try:
                payload = json.loads(body)
            except (ValueError, UnicodeDecodeError):
                payload = None
            params: JsonDict = (
                payload if isinstance(payload, dict) else {"_raw": body.decode(errors="replace")}
            )
            status, text = self._use_response_url(entry, payload)
            self._record(
                "response_url",
                params,
                headers,
                status,
                text,
                channel=entry.channel if entry else None,
                user=entry.user if entry else None,
            )
            return status, text

    def _use_response_url(self, entry: _ResponseUrl | None, payload: object) -> tuple[int, str]:
        if entry is None:
            return 404, "no_service"
        if (
            entry.uses >= self._response_url_max_uses
            or self._clock() - entry.issued_at > self._response_url_ttl
        ):
            return 404, "expired_url"
        if not isinstance(payload, dict):
            return 400, "invalid_payload"
        if not (_content_of(payload) or payload.get("delete_original")):
            return 400, "no_text"
        entry.uses += 1
        original = self._find_message(entry.channel, entry.message_ts) if entry.message_ts else None
        if payload.get("delete_original") and original is not None:
            self._messages[entry.channel].remove(original)
        elif payload.get("replace_original") and original is not None:
            original.update(_content_of(payload))
        elif payload.get("response_type") == "in_channel":
            message = self._bot_message(payload)
            if payload.get("thread_ts"):
                message["thread_ts"] = str(payload["thread_ts"])
            self._messages[entry.channel].append(message)
        else:
            self._ephemeral.append({"channel": entry.channel, "user": entry.user, **payload})
        return 200, "ok"

    def _record(
        self,
        method: str,
        params: JsonDict,
        headers: dict[str, str],
        status: int,
        response: JsonDict | str,
        *,
        channel: str | None = None,
        user: str | None = None,
        token: object = None,
    ) -> None:
        channel = channel or _str_or_none(params.get("channel"))
        user = user or _str_or_none(params.get("user"))
        call = RecordedCall(
            method=method,
            params=copy.deepcopy(params),
            headers={k: v for k, v in headers.items() if k != "authorization"},
            at=self._clock(),
            status=status,
            response=copy.deepcopy(response),
            channel=channel,
            user=user,
            team=self._team_of_token(token),
            token=str(token) if token else None,
        )
        self._calls.append(call)
        self._cond.notify_all()
        logger.info("%s -> %s %s", method, status, call.error or "ok")

    # ---- the methods -----------------------------------------------------------------------

    def _handlers(self) -> dict[str, Callable[[JsonDict], JsonDict]]:
        return {
            "apps.connections.open": self._apps_connections_open,
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "chat.getPermalink": self._chat_get_permalink,
            "conversations.open": self._conversations_open,
            "conversations.info": self._conversations_info,
            "conversations.replies": self._conversations_replies,
            "views.open": self._views_open,
            "views.update": self._views_update,
            "views.push": self._views_push,
            "views.publish": self._views_publish,
            "users.info": self._users_info,
        }

    # ---- OAuth: installing the app in other workspaces ------------------------------------------

    def add_install_code(
        self,
        code: str,
        *,
        team_id: str | None = None,
        team_name: str | None = None,
        installer: str = DEFAULT_USER_ID,
        enterprise_id: str | None = None,
        enterprise_name: str | None = None,
        is_enterprise_install: bool = False,
        expires_in: int | None = None,
    ) -> str:
        """Make `code` what Slack's authorize page hands the redirect when an admin installs the app:
        in the workspace `team_id`, or org-wide in the Enterprise Grid org `enterprise_id`
        (`is_enterprise_install`: no team; the token works in every workspace of the org).
        `oauth.v2.access` exchanges it (once) for a bot token, returned here; with `expires_in` (token
        rotation on), the token stops working that many seconds after it is issued and comes with a
        refresh token (the tokens it is refreshed for last REFRESHED_TOKEN_SECONDS)."""
        if is_enterprise_install != (team_id is None) or (is_enterprise_install and not enterprise_id):
            raise ValueError("a workspace install needs team_id; an org-wide one enterprise_id and no team")
        owner = (enterprise_id if is_enterprise_install else team_id) or ""
        token = f"{'xoxe.' if expires_in else ''}xoxb-{owner.lower()}-{secrets.token_hex(6)}"
        install = _Install(
            team_id, team_name or (f"Team {team_id}" if team_id else None), installer, enterprise_id,
            enterprise_name or (f"Org {enterprise_id}" if enterprise_id else None), is_enterprise_install,
            expires_in,
        )
        with self._cond:
            self._codes[code] = install
            self._pending_tokens[code] = token
        return token

    def revoke(self, token: str) -> None:
        """The token stops working (an uninstall)."""
        with self._cond:
            self._installed.pop(token, None)

    def expire(self, token: str) -> None:
        """A rotating token's expiry passes now (as if its `expires_in` went by)."""
        with self._cond:
            if token in self._expires:
                self._expires[token] = self._clock()

    def _team_of_token(self, token: object) -> str | None:
        """The workspace whose bot token this is, the org's id for an org-wide install's (called with
        the lock held)."""
        installed = self._installed.get(str(token))
        if installed is not None:
            return installed.owner
        return self.team_id if token == self.bot_token else None

    def _oauth_v2_access(self, params: JsonDict) -> JsonDict:
        if params.get("grant_type") == "refresh_token":
            return self._refresh_token(str(params.get("refresh_token") or ""))
        code = str(params.get("code") or "")
        if code not in self._codes:
            raise _ApiError("invalid_code")
        install = self._codes.pop(code)
        token = self._pending_tokens.pop(code)
        self._installed[token] = install
        answer = self._access_answer(token, install)
        if install.expires_in is not None:
            refresh = f"xoxe-1-{secrets.token_hex(12)}"
            self._refresh[refresh] = token
            self._expires[token] = self._clock() + install.expires_in
            answer.update(refresh_token=refresh, expires_in=install.expires_in)
        return answer

    def _refresh_token(self, refresh: str) -> JsonDict:
        """grant_type=refresh_token: a new bot token with a new expiry (Slack's 12 hours); the one it
        replaces stops working. The refresh token stays the same."""
        old = self._refresh.get(refresh)
        install = self._installed.pop(old, None) if old is not None else None
        if old is None or install is None or install.expires_in is None:
            raise _ApiError("invalid_refresh_token")
        self._expires.pop(old, None)
        token = f"xoxe.xoxb-{install.owner.lower()}-{secrets.token_hex(6)}"
        self._installed[token] = install
        self._expires[token] = self._clock() + REFRESHED_TOKEN_SECONDS
        self._refresh[refresh] = token
        answer = self._access_answer(token, install)
        return {**answer, "refresh_token": refresh, "expires_in": REFRESHED_TOKEN_SECONDS}

    def _access_answer(self, token: str, install: _Install) -> JsonDict:
        return {
            "access_token": token,
            "token_type": "bot",
            "scope": "commands,chat:write,chat:write.public,users:read,im:write",
            "bot_user_id": self.bot_user_id,
            "app_id": self.app_id,
            "team": {"id": install.team_id, "name": install.team_name} if install.team_id else None,
            "enterprise": (
                {"id": install.enterprise_id, "name": install.enterprise_name}
                if install.enterprise_id
                else None
            ),
            "is_enterprise_install": install.is_enterprise_install,
            "authed_user": {"id": install.installer},
        }

    def _auth_test(self, params: JsonDict) -> JsonDict:
        return {
            "url": f"https://{self.team_domain}.slack.com/",
            "team": self.team_name,
            "user": self._users[self.bot_user_id].name,
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _apps_connections_open(self, params: JsonDict) -> JsonDict:
        return {"url": self.socket_mode.issue_url()}

    def _chat_post_message(self, params: JsonDict) -> JsonDict:
        channel = self._channel(params, membership=True)
        content = self._message_content(params, max_blocks=_MAX_BLOCKS_MESSAGE)
        message = self._bot_message(content)
        if params.get("thread_ts"):
            message["thread_ts"] = str(params["thread_ts"])
        if isinstance(params.get("metadata"), dict):
            message["metadata"] = params["metadata"]
        self._messages[channel].append(message)
        return {"channel": channel, "ts": message["ts"], "message": copy.deepcopy(message)}

    def _chat_post_ephemeral(self, params: JsonDict) -> JsonDict:
        channel = self._channel(params, membership=True)
        user = _required(params, "user", "user_not_in_channel")
        content = self._message_content(params, max_blocks=_MAX_BLOCKS_MESSAGE)
        ts = self.new_ts()
        self._ephemeral.append({"channel": channel, "user": user, "message_ts": ts, **content})
        return {"message_ts": ts}

    def _chat_update(self, params: JsonDict) -> JsonDict:
        channel = self._channel(params)
        ts = _required(params, "ts", "message_not_found")
        content = self._message_content(params, max_blocks=_MAX_BLOCKS_MESSAGE)
        message = self._find_message(channel, ts)
        if message is None:
            raise _ApiError("message_not_found")
        if message.get("user") != self.bot_user_id:
            raise _ApiError("cant_update_message")
        message.update(content)
        message["edited"] = {"user": self.bot_user_id, "ts": self.new_ts()}
        return {
            "channel": channel,
            "ts": ts,
            "text": message.get("text", ""),
            "message": copy.deepcopy(message),
        }

    def _chat_get_permalink(self, params: JsonDict) -> JsonDict:
        channel = self._channel(params)
        ts = _required(params, "message_ts", "message_not_found")
        link = f"https://{self.team_domain}.slack.com/archives/{channel}/p{ts.replace('.', '')}"
        message = self._find_message(channel, ts)
        thread_ts = message.get("thread_ts") if message else None
        if thread_ts and thread_ts != ts:
            link += f"?thread_ts={thread_ts}&cid={channel}"
        return {"channel": channel, "permalink": link}

    def _conversations_open(self, params: JsonDict) -> JsonDict:
        if params.get("channel"):
            return {"channel": {"id": self._channel(params)}}
        users = [u for u in str(params.get("users") or "").split(",") if u]
        if not users:
            raise _ApiError("users_list_not_supplied")
        for user in users:
            if user not in self._users:
                raise _ApiError("user_not_found")
        key = ",".join(sorted(users))
        already_open = key in self._dms
        if not already_open:
            self._counter += 1
            prefix = "D" if len(users) == 1 else "G"
            self._dms[key] = f"{prefix}{self._counter:09d}"
        answer: JsonDict = {"channel": {"id": self._dms[key]}}
        if already_open:
            answer.update(no_op=True, already_open=True)
        return answer

    def _conversations_info(self, params: JsonDict) -> JsonDict:
        channel = self._channel(params)
        return {
            "channel": {
                "id": channel,
                "name": self.channel_name(channel),
                "is_channel": channel.startswith("C"),
                "is_group": False,
                "is_im": channel.startswith("D"),
                "is_mpim": False,
                "is_private": not channel.startswith("C"),
                "is_archived": False,
                "is_member": channel not in self._not_in,
                "context_team_id": self.team_id,
            }
        }

    def _conversations_replies(self, params: JsonDict) -> JsonDict:
        channel = self._channel(params, membership=True)
        ts = _required(params, "ts", "thread_not_found")
        thread = [m for m in self._messages.get(channel, []) if ts in (m["ts"], m.get("thread_ts"))]
        if not thread:
            raise _ApiError("thread_not_found")
        return {"messages": copy.deepcopy(thread), "has_more": False}

    def _views_open(self, params: JsonDict) -> JsonDict:
        view = _valid_view(params)
        self._spend_trigger(params)
        return {"view": copy.deepcopy(self._store_view(view))}

    def _views_push(self, params: JsonDict) -> JsonDict:
        return self._views_open(params)

    def _views_update(self, params: JsonDict) -> JsonDict:
        view = _valid_view(params)
        view_id = params.get("view_id")
        if not view_id and params.get("external_id"):
            matching = [
                v["id"] for v in self._views.values() if v["external_id"] == params["external_id"]
            ]
            view_id = matching[-1] if matching else None
        current = self._views.get(str(view_id)) if view_id else None
        if current is None:
            raise _ApiError("not_found")
        if params.get("hash") and params["hash"] != current["hash"]:
            raise _ApiError("hash_conflict")
        updated = self._store_view(view, replacing=current)
        return {"view": copy.deepcopy(updated)}

    def _views_publish(self, params: JsonDict) -> JsonDict:
        user_id = _required(params, "user_id", "invalid_arguments")
        if user_id not in self._users:
            raise _ApiError("user_not_found")
        view = _valid_view(params, kind="home")
        current = self._views.get(self._homes.get(user_id, ""))
        if current is not None and params.get("hash") and params["hash"] != current["hash"]:
            raise _ApiError("hash_conflict")
        stored = self._store_view(view, replacing=current)
        self._homes[user_id] = stored["id"]
        return {"view": copy.deepcopy(stored)}

    def _users_info(self, params: JsonDict) -> JsonDict:
        user = self._users.get(str(params.get("user") or ""))
        if user is None:
            raise _ApiError("user_not_found")
        return {"user": self._user_object(user)}

    # ---- helpers (called with the lock held) -------------------------------------------------

    def _channel(self, params: JsonDict, *, membership: bool = False) -> str:
        channel = _required(params, "channel", "channel_not_found")
        if channel in self._missing:
            raise _ApiError("channel_not_found")
        if channel[:1] in ("U", "W"):  # Slack posts to a member's id in the DM with that member
            if channel not in self._users:
                raise _ApiError("channel_not_found")
            return self._conversations_open({"users": channel})["channel"]["id"]  # type: ignore[no-any-return]
        if membership and channel in self._not_in:
            raise _ApiError("not_in_channel")
        return channel

    def _message_content(self, params: JsonDict, *, max_blocks: int) -> JsonDict:
        for name, error in (
            ("blocks", "invalid_blocks_format"),
            ("attachments", "invalid_attachments"),
        ):
            if name in params and not isinstance(params[name], list):
                raise _ApiError(error)
        blocks = params.get("blocks")
        if blocks is not None and len(blocks) > max_blocks:
            raise _ApiError(
                "invalid_blocks", messages=[f"[ERROR] no more than {max_blocks} items allowed"]
            )
        content = _content_of(params)
        if not content:
            raise _ApiError("no_text")
        if len(str(content.get("text", ""))) > _MAX_TEXT:
            raise _ApiError("msg_too_long")
        return content

    def _bot_message(self, content: JsonDict) -> JsonDict:
        return {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "team": self.team_id,
            "text": "",
            **_content_of(content),
            "ts": self.new_ts(),
        }

    def _find_message(self, channel: str, ts: str | None) -> JsonDict | None:
        for message in self._messages.get(channel, []):
            if message["ts"] == ts:
                return message
        return None

    def _spend_trigger(self, params: JsonDict) -> None:
        trigger_id = _required(params, "trigger_id", "invalid_trigger_id")
        trigger = self._triggers.get(trigger_id)
        if trigger_id in self._expired_triggers or (
            trigger is not None and self._clock() - trigger.issued_at > self._trigger_ttl
        ):
            raise _ApiError("expired_trigger_id")
        if trigger is None:
            raise _ApiError("invalid_trigger_id")
        if trigger.used:
            raise _ApiError("exchanged_trigger_id")
        trigger.used = True

    def _store_view(self, view: JsonDict, *, replacing: JsonDict | None = None) -> JsonDict:
        self._counter += 1
        view_id = replacing["id"] if replacing else f"V{self._counter:09d}"
        stored: JsonDict = {
            "id": view_id,
            "team_id": self._calling_team,
            "type": view["type"],
            "blocks": view.get("blocks", []),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "state": replacing["state"] if replacing else {"values": {}},
            "hash": f"{int(self._clock())}.{secrets.token_hex(4)}",
            "title": view.get("title"),
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "close": view.get("close"),
            "submit": view.get("submit"),
            "previous_view_id": replacing["previous_view_id"] if replacing else None,
            "root_view_id": replacing["root_view_id"] if replacing else view_id,
            "app_id": self.app_id,
            "external_id": view.get("external_id", ""),
            "app_installed_team_id": self._calling_team,
            "bot_id": self.bot_id,
        }
        self._views[view_id] = stored
        return stored

    def _user_object(self, user: _User) -> JsonDict:
        answer: JsonDict = {
            "id": user.id,
            "team_id": self.team_id,
            "name": user.name,
            "deleted": False,
            "real_name": user.real_name,
            "is_bot": user.is_bot,
            "is_admin": user.is_admin,
            "is_owner": False,
            "profile": {
                "real_name": user.real_name,
                "real_name_normalized": user.real_name,
                "display_name": user.display_name,
                "display_name_normalized": user.display_name,
                **({"email": user.email} if user.email else {}),
            },
        }
        if user.tz is not None:
            now = datetime.datetime.fromtimestamp(self._clock(), zoneinfo.ZoneInfo(user.tz))
            offset = now.utcoffset() or datetime.timedelta(0)
            answer.update(tz=user.tz, tz_label=now.tzname(), tz_offset=int(offset.total_seconds()))
        return answer


# ---- pure helpers --------------------------------------------------------------------------


def _bearer(headers: dict[str, str]) -> str | None:
    value = headers.get("authorization", "")
    return value[len("Bearer ") :].strip() if value.startswith("Bearer ") else None


def _parse_body(body: bytes, content_type: str) -> tuple[JsonDict, bool]:
    """The body's fields, and whether it was JSON."""
    if not body:
        return {}, False
    kind = content_type.split(";")[0].strip().lower()
    if kind == "application/json":
        try:
            parsed = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise _ApiError("invalid_json") from None
        if not isinstance(parsed, dict):
            raise _ApiError("invalid_json")
        return parsed, True
    if kind in ("application/x-www-form-urlencoded", ""):
        try:
            return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True)), False
        except UnicodeDecodeError:
            raise _ApiError("invalid_form_data") from None
    raise _ApiError("invalid_form_data")


def _decode_json_fields(params: JsonDict) -> None:
    """Form bodies carry `blocks`/`view`/... as JSON text; decode them where they parse."""
    for name in _JSON_FIELDS:
        value = params.get(name)
        if isinstance(value, str) and value.strip():
            # Left as text if it doesn't parse: the method answers with its own format error.
            with contextlib.suppress(ValueError):
                params[name] = json.loads(value)


def _content_of(params: JsonDict) -> JsonDict:
    return {k: params[k] for k in ("text", "blocks", "attachments") if params.get(k)}


def _required(params: JsonDict, name: str, error: str) -> str:
    value = params.get(name)
    if value is None or value == "":
        raise _ApiError(error)
    return str(value)


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _valid_view(params: JsonDict, *, kind: str = "modal") -> JsonDict:
    view = params.get("view")
    if not isinstance(view, dict):
        raise _ApiError("invalid_arguments", messages=["[ERROR] missing required field: view"])
    problems = []
    if view.get("type") != kind:
        problems.append(f"[ERROR] must be '{kind}' [json-pointer:/view/type]")
    if kind == "modal" and not view.get("title"):
        problems.append("[ERROR] missing required field: title [json-pointer:/view]")
    blocks = view.get("blocks")
    if not isinstance(blocks, list):
        problems.append("[ERROR] missing required field: blocks [json-pointer:/view]")
    elif len(blocks) > _MAX_BLOCKS_VIEW:
        problems.append(
            f"[ERROR] no more than {_MAX_BLOCKS_VIEW} items allowed [json-pointer:/view/blocks]"
        )
    if problems:
        raise _ApiError("invalid_arguments", messages=problems)
    return view


def _error_body(err: _ApiError) -> JsonDict:
    body: JsonDict = {"ok": False, "error": err.error}
    if err.messages:
        body["response_metadata"] = {"messages": err.messages}
    return body


def _rich_text_block(text: str) -> JsonDict:
    """The block Slack's composer attaches to a plain typed message."""
    return {
        "type": "rich_text",
        "block_id": secrets.token_hex(2),
        "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}],
    }


# ---- HTTP plumbing ---------------------------------------------------------------------------


class _FakeSlackHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # bursts of concurrent clients (tests, benchmarks) must not be dropped

    def __init__(
        self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], fake: FakeSlack
    ) -> None:
        super().__init__(address, handler)
        self.fake = fake


class _Handler(BaseHTTPRequestHandler):
    server: _FakeSlackHTTPServer
    protocol_version = "HTTP/1.1"
    timeout = 30  # idle keep-alive connections end on their own

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        fake = self.server.fake
        if url.path.startswith(API_PREFIX) and fake._take_drop(url.path[len(API_PREFIX) :]):
            self.close_connection = True  # no answer at all: the client sees the connection end
        elif url.path.startswith(API_PREFIX):
            answer = fake._handle_api(url.path[len(API_PREFIX) :], url.query, body, headers)
            self._send(answer.status, json.dumps(answer.body), "application/json", answer.headers)
        elif url.path.startswith(RESPONSE_URL_PREFIX) and self.command == "POST":
            token = url.path.rsplit("/", 1)[-1]
            status, text = fake._handle_response_url(token, body, headers)
            self._send(status, text, "text/plain")
        elif url.path == CALLS_PATH and self.command == "GET":
            calls = [c.__dict__ for c in fake.calls()]
            self._send(200, json.dumps(calls, default=str), "application/json")
        else:
            self._send(404, "not_found", "text/plain")

    def _send(
        self, status: int, text: str, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        data = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", f"{content_type}; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s %s", self.address_string(), format % args)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the fake by hand, logging every call, until Ctrl-C."""
    parser = argparse.ArgumentParser(
        prog="python -m bot_testing.slack", description="A fake Slack Web API on loopback."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8056)
    parser.add_argument("--token", default="xoxb-test", help="the bot token the fake accepts")
    parser.add_argument(
        "--user",
        action="append",
        default=[],
        metavar="ID:NAME:TZ",
        help="a member, e.g. U123:ann:Asia/Kolkata (repeatable)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    fake = FakeSlack(args.token, host=args.host, port=args.port)
    for spec in args.user:
        user_id, _, rest = spec.partition(":")
        name, _, tz = rest.partition(":")
        fake.add_user(user_id, name=name or None, tz=tz or "America/Los_Angeles")
    print(f"Fake Slack Web API at {fake.start()} (calls: {fake.base_url}{CALLS_PATH})", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
