"""How the app is served: HTTP (WSGI: `POST /slack/events`, `GET /healthz`, `/readyz`, `/metrics`) or
Socket Mode."""

from __future__ import annotations

import json
import logging
import signal
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING
from wsgiref.simple_server import make_server

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk.errors import SlackApiError

from bot.config import WHERE_TO_GET, ConfigError, Settings
from bot.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from bot.service import new_error_id
from bot.slack.app import SlackApp, build_app
from bot.slack.wsgi_server import WsgiServer
from bot.store import StoreUnavailableError, is_reachable

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

logger = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"
METRICS_PATH = "/metrics"
MAX_BODY_BYTES = 1_000_000
"""Slack's largest payloads (a full modal's state) are tens of kilobytes; anything near a megabyte is not
Slack, and is refused before it is read."""
STOP_BUDGET_SECONDS = 6.0
"""How long a stopping process waits for work in flight to reach a safe point before it gives up its
leases: inside gunicorn's graceful timeout (8 s in the Procfile), itself inside the 10 s most platforms
allow between SIGTERM and SIGKILL. Work still running then is resumed by another process."""


class WsgiApp:
    """The WSGI callable: Slack's requests to Bolt, health, readiness and metrics, nothing else.
    Holds the app so a server's hooks can stop it (`stop` at SIGTERM, `close` at exit)."""

    def __init__(self, slack_app: SlackApp) -> None:
        self.slack_app = slack_app
        self._slack = SlackRequestHandler(slack_app.bolt, path=EVENTS_PATH)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
        if method in {"GET", "HEAD"} and path in (HEALTH_PATH, READY_PATH, METRICS_PATH):
            return self._operator_page(path, start_response)
        oauth = self.slack_app.bolt.oauth_flow
        if oauth is not None and method == "GET" and path in (oauth.install_path, oauth.redirect_uri_path):
            return self._slack(environ, start_response)  # many workspaces: the install link, its redirect
        if path != EVENTS_PATH or method != "POST":
            return _plain(start_response, "404 Not Found", b"not found")
        length = _content_length(environ)
        if length is None:  # a negative length would have Bolt read until the client hangs up
            return _plain(start_response, "400 Bad Request", b"bad content-length")
        if length > MAX_BODY_BYTES:
            return _plain(start_response, "413 Payload Too Large", b"too large")
        try:
            return self._slack(environ, start_response)
        except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, AttributeError) as error:
            # Bolt parses the body before it checks the signature: a body that is not UTF-8, a `payload`
            # that is not a JSON object or lacks what Bolt's routing reads raises out of it, signed or
            # not. Nothing ran; refused without a traceback anyone could trigger at will.
            logger.warning("refused a malformed request (%s)", type(error).__name__)
            return _plain(start_response, "400 Bad Request", b"bad request")
        except Exception:
            error_id = new_error_id()
            logger.exception("unexpected error serving a Slack request (error id %s)", error_id)
            return _plain(start_response, "500 Internal Server Error", f"error id {error_id}".encode())

    def stop(self) -> None:
        self.slack_app.stop()

    def close(self, timeout: float = STOP_BUDGET_SECONDS) -> None:
        self.slack_app.close(timeout)

    def _operator_page(self, path: str, start_response: StartResponse) -> Iterable[bytes]:
        if path == HEALTH_PATH:  # liveness: the process answers
            return _plain(start_response, "200 OK", b"ok")
        deps = self.slack_app.deps
        if path == READY_PATH:
            if deps.runner.stopping.is_set():
                return _plain(start_response, "503 Service Unavailable", b"stopping")
            if is_reachable(self.slack_app.engine):
                return _plain(start_response, "200 OK", b"ready")
            return _plain(start_response, "503 Service Unavailable", b"database unreachable")
        try:
            text = deps.metrics.render(deps.store.counts)
        except StoreUnavailableError:
            text = deps.metrics.render(dict)
        start_response("200 OK", [("Content-Type", METRICS_CONTENT_TYPE), ("Content-Length", str(len(text)))])
        return [text]


def build_wsgi_app(slack_app: SlackApp) -> WsgiApp:
    return WsgiApp(slack_app)


def create_wsgi_app() -> WsgiApp:
    """Factory for production servers (`gunicorn 'bot.slack.server:create_wsgi_app()'`)."""
    configure_logging()
    try:
        return build_wsgi_app(build_app(Settings()))
    except ConfigError as error:
        print(f"Cannot start: {error}", file=sys.stderr)
        raise SystemExit(3) from None


def configure_logging() -> None:
    """Our INFO lines; libraries at WARNING (httpx would log every URL, prospects' emails included)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "httpcore", "urllib3", "slack_sdk", "slack_bolt", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def run(settings: Settings) -> None:
    """Serve until stopped (Ctrl-C or SIGTERM): Socket Mode when SLACK_APP_TOKEN is set, else HTTP on
    PORT. On the way out, work in flight reaches a safe point and the rest is left for a restart."""
    slack_app = build_app(settings)
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    try:
        if settings.slack_app_token is not None:
            logger.info("connecting to Slack over Socket Mode")
            _serve_socket_mode(slack_app.bolt, settings.slack_app_token.get_secret_value())
            return
        with make_server(
            "0.0.0.0", settings.port, build_wsgi_app(slack_app), server_class=WsgiServer
        ) as server:
            logger.info("serving Slack requests on http://0.0.0.0:%s%s", settings.port, EVENTS_PATH)
            server.serve_forever()
    finally:
        slack_app.close(STOP_BUDGET_SECONDS)


def _raise_keyboard_interrupt(_signal: int, _frame: object) -> None:
    raise KeyboardInterrupt


def _serve_socket_mode(app: App, app_token: str) -> None:
    """Connect with Bolt's SocketModeHandler and serve until stopped; a refused app token is a ConfigError."""
    handler = SocketModeHandler(app, app_token)
    handler.client.logger.addFilter(_said_by_config_error)
    try:
        handler.start()  # type: ignore[no-untyped-call]
    except SlackApiError as error:  # only the first apps.connections.open raises out of start()
        raise ConfigError(
            f"Slack did not accept SLACK_APP_TOKEN ({error.response.get('error')}). Copy it again, or create "
            f"one: {WHERE_TO_GET['SLACK_APP_TOKEN']}."
        ) from None
    finally:
        handler.close()  # type: ignore[no-untyped-call]


def _said_by_config_error(record: logging.LogRecord) -> bool:
    # slack_sdk logs a refused apps.connections.open, then raises it; at start-up the ConfigError says it
    # in a line of its own, and later the reconnect loop logs the same error again.
    return not record.getMessage().startswith("Failed to retrieve WSS URL")


def _content_length(environ: WSGIEnvironment) -> int | None:
    """The body's declared length; None when it is not a length at all (negative, not a number)."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    return length if length >= 0 else None


def _plain(start_response: StartResponse, status: str, body: bytes) -> list[bytes]:
    headers = [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))]
    start_response(status, headers)
    return [body]
