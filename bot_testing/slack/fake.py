"""FakeSlack: a workspace answering the Web API, response_urls and Socket Mode, served on loopback."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING

from bot_testing.http_adapter import Answer, LoopbackServer, Request
from bot_testing.slack.calls import CallLog, RecordedCall
from bot_testing.slack.faults import Faults
from bot_testing.slack.installs import Install, Installs
from bot_testing.slack.response_urls import TEXT_TYPE, answer_response_url
from bot_testing.slack.web_api import JSON_TYPE, WebApi
from bot_testing.slack.workspace import DEFAULT_USER_ID, Workspace

if TYPE_CHECKING:
    from bot_testing.slack_socket import FakeSocketMode

API_PREFIX = "/api/"
RESPONSE_URL_PREFIX = "/response/"
CALLS_PATH = "/_fake/calls"


class FakeSlack(Workspace):
    """The Slack Web API on loopback. Thread-safe; start it, point a WebClient at `api_url`.

    It is the workspace (set it up, look at it: see `Workspace`), the faults scripted for the next
    calls, and the calls received; `handle` answers one HTTP request, which `start()` serves.
    """

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
        super().__init__(
            installs=Installs(bot_token=bot_token, app_token=app_token, team_id=team_id, clock=clock),
            team_id=team_id,
            team_name=team_name,
            team_domain=team_domain,
            bot_user_id=bot_user_id,
            bot_id=bot_id,
            app_id=app_id,
            clock=clock,
            trigger_ttl=trigger_ttl,
            response_url_ttl=response_url_ttl,
            response_url_max_uses=response_url_max_uses,
        )
        self._address = (host, port)
        self._server: LoopbackServer | None = None
        self._socket_mode: FakeSocketMode | None = None
        self.faults = Faults()
        self.log = CallLog(clock)
        self._web_api = WebApi(self, self.faults, self.log)

    @property
    def bot_token(self) -> str:
        return self.installs.bot_token

    @property
    def app_token(self) -> str | None:
        """With one, `apps.connections.open` hands out Socket Mode URLs (see `socket_mode`)."""
        return self.installs.app_token

    # ---- lifecycle -------------------------------------------------------------------------

    def start(self) -> str:
        """Serve in a daemon thread; returns the Web API base URL (ending in "/api/")."""
        if self._server is None:
            self._server = LoopbackServer(self._address, self.handle, name="fake-slack")
            self._server.start()
        if self.app_token is not None and self._socket_mode is None:
            from bot_testing.slack_socket import FakeSocketMode  # websockets: only when asked for

            self._socket_mode = FakeSocketMode(app_id=self.app_id, host=self._address[0], clock=self.clock)
            self._socket_mode.start()
            self.socket_mode_urls = self._socket_mode
        return self.api_url

    def stop(self) -> None:
        if self._socket_mode is not None:
            self._socket_mode.stop()
            self._socket_mode = self.socket_mode_urls = None
        if self._server is not None:
            self._server.stop()
            self._server = None

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
        return self._server.base_url

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
        self.reset_content()
        self.faults.reset()
        self.log.reset()

    # ---- the one request handler ------------------------------------------------------------

    def handle(self, request: Request) -> Answer:
        """Answer one HTTP request: a Web API call, a response_url post, or the list of calls."""
        if request.path.startswith(API_PREFIX):
            return self._web_api.answer(request.path[len(API_PREFIX) :], request)
        if request.path.startswith(RESPONSE_URL_PREFIX) and request.method == "POST":
            token = request.path.rsplit("/", 1)[-1]
            return answer_response_url(self, self.log, token, request)
        if request.path == CALLS_PATH and request.method == "GET":
            calls = [c.__dict__ for c in self.calls()]
            return Answer(200, json.dumps(calls, default=str).encode(), JSON_TYPE)
        return Answer(404, b"not_found", TEXT_TYPE)

    # ---- scripted faults -------------------------------------------------------------------

    def fail_next(self, method: str, error: str = "not_in_channel", times: int = 1) -> None:
        """The next `times` calls of `method` answer `{"ok": false, "error": error}`."""
        self.faults.fail_next(method, error, times)

    def drop_next(self, method: str, times: int = 1) -> None:
        """The next `times` calls of `method` get no answer (recorded with status 0)."""
        self.faults.drop_next(method, times)

    def rate_limit_next(self, method: str, retry_after: int = 1, times: int = 1) -> None:
        """The next `times` calls of `method` answer HTTP 429 with `Retry-After: retry_after`."""
        self.faults.rate_limit_next(method, retry_after, times)

    def set_latency(self, seconds: float, method: str | None = None) -> None:
        """Delay every answer (or only `method`'s) by `seconds`; 0 removes it."""
        self.faults.set_latency(seconds, method)

    # ---- what was received -----------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[RecordedCall]:
        return self.log.calls(method)

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[RecordedCall]:
        """Block until at least `count` calls of `method` arrived; returns all of them so far."""
        return self.log.wait_for(method, count, timeout)

    # ---- what interactions and installs hand the app -------------------------------------------

    def response_url(self, channel: str, user: str, *, message_ts: str | None = None) -> str:
        """A response_url on this server for an interaction by `user` in `channel`.

        `message_ts` is the message the interaction came from (what `replace_original` replaces).
        """
        token = self.issue_response_url_token(channel, user, message_ts)
        return f"{self.base_url}{RESPONSE_URL_PREFIX}{self.team_id}/{token}"

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
        install = Install(
            team_id=team_id,
            team_name=team_name or (f"Team {team_id}" if team_id else None),
            installer=installer,
            enterprise_id=enterprise_id,
            enterprise_name=enterprise_name or (f"Org {enterprise_id}" if enterprise_id else None),
            is_enterprise_install=is_enterprise_install,
            expires_in=expires_in,
        )
        return self.installs.add_code(code, install)
