"""A small threaded WSGI server: `python -m bot` in HTTP mode without gunicorn, the tests and the demo
(production runs the Procfile's gunicorn)."""

from __future__ import annotations

import logging
import socketserver
import threading
from types import TracebackType
from typing import TYPE_CHECKING, Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

if TYPE_CHECKING:
    from wsgiref.types import WSGIApplication

logger = logging.getLogger(__name__)


class _QuietHandler(WSGIRequestHandler):
    """Logs requests through `logging` instead of writing every line to stderr."""

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s %s", self.address_string(), format % args)


class WsgiServer(socketserver.ThreadingMixIn, WSGIServer):
    """wsgiref's server, a thread per request, so a slow listener never blocks the next request."""

    daemon_threads = True
    request_queue_size = 128  # bursts of concurrent clients (tests, benchmarks) must not be dropped
    _thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Base URL, e.g. `http://127.0.0.1:41234` (no trailing slash)."""
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> str:
        """Serve in a daemon thread; returns the base URL."""
        self._thread = threading.Thread(
            target=self.serve_forever,
            kwargs={"poll_interval": 0.05},  # so stop() returns at once, not after 0.5 s
            name="wsgi-server",
            daemon=True,
        )
        self._thread.start()
        return self.url

    def stop(self) -> None:
        """Stop serving and close the socket (idempotent)."""
        if self._thread is not None:
            self.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self.server_close()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def serve_wsgi(
    app: WSGIApplication, host: str = "127.0.0.1", port: int = 0
) -> tuple[WsgiServer, str]:
    """Serve `app` on `host:port` (0: any free port) in a daemon thread; return (server, base URL).

    Call `server.stop()` when done (or use the server as a context manager).
    """
    server = make_server(host, port, app, server_class=WsgiServer, handler_class=_QuietHandler)
    assert isinstance(server, WsgiServer)
    return server, server.start()


__all__ = ["WsgiServer", "serve_wsgi"]
