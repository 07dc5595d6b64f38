"""How the app is served: HTTP (WSGI, `POST /slack/events`, `GET /healthz`) or Socket Mode."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING
from wsgiref.simple_server import make_server

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk.errors import SlackApiError

from bot.config import WHERE_TO_GET, ConfigError, Settings
from bot.slack.app import build_app
from bot.slack.wsgi_server import WsgiServer

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

logger = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
MAX_BODY_BYTES = 1_000_000
"""Slack's largest payloads (a full modal's state) are tens of kilobytes; anything near a megabyte is not
Slack, and is refused before it is read."""


def build_wsgi_app(app: App) -> WSGIApplication:
    """The WSGI callable: Slack's requests to Bolt, a health check, and nothing else."""
    slack = SlackRequestHandler(app, path=EVENTS_PATH)

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
        if path == HEALTH_PATH and method in {"GET", "HEAD"}:
            return _plain(start_response, "200 OK", b"ok")
        if path != EVENTS_PATH or method != "POST":
            return _plain(start_response, "404 Not Found", b"not found")
        length = _content_length(environ)
        if length is None:  # a negative length would have Bolt read until the client hangs up
            return _plain(start_response, "400 Bad Request", b"bad content-length")
        if length > MAX_BODY_BYTES:
            return _plain(start_response, "413 Payload Too Large", b"too large")
        try:
            return slack(environ, start_response)
        except Exception as error:
            # Bolt parses the body before it checks the signature: a body that is not UTF-8, a `payload`
            # that is not a JSON object or lacks what Bolt's routing reads raises out of it, signed or
            # not. Nothing ran; refused without a traceback anyone could trigger at will.
            logger.warning("refused a malformed request (%s)", type(error).__name__)
            return _plain(start_response, "400 Bad Request", b"bad request")

    return application


def create_wsgi_app() -> WSGIApplication:
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
    for noisy in ("httpx", "httpcore", "urllib3", "slack_sdk", "slack_bolt"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def run(settings: Settings) -> None:
    """Serve until stopped: Socket Mode when SLACK_APP_TOKEN is set, else HTTP on PORT."""
    app = build_app(settings)
    if settings.slack_app_token is not None:
        logger.info("connecting to Slack over Socket Mode")
        _serve_socket_mode(app, settings.slack_app_token.get_secret_value())
        return
    with make_server("0.0.0.0", settings.port, build_wsgi_app(app), server_class=WsgiServer) as server:
        logger.info("serving Slack requests on http://0.0.0.0:%s%s", settings.port, EVENTS_PATH)
        server.serve_forever()


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
