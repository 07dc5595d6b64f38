"""gunicorn hooks (`--config python:bot.slack.gunicorn_conf`, as the Procfile says): a graceful stop.

At SIGTERM a worker stops starting new Saleshandy requests at once (gunicorn's own handler then lets
the requests being served finish); when the worker exits, work in flight gets a few seconds to reach a
safe point and the leases of everything unfinished are given up, so another worker, or the next
deploy, takes it over straight away. A worker killed outright (SIGKILL, an OOM kill) loses nothing
either: its leases expire and the work is resumed, with the request that was in flight reported
unknown.
"""

from __future__ import annotations

import os
import signal
import tempfile
from typing import Any

# Counters of all workers in one scrape: prometheus-client's multiprocess mode needs a folder of its
# own, empty at start, named before prometheus-client is first imported (it decides its mode then).
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="saleshandy-tasks-metrics-")

from prometheus_client import multiprocess

from bot.slack.server import WsgiApp

# Worker processes: WEB_CONCURRENCY, which Heroku and Render set from the machine's size, else 3.
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))


def child_exit(server: Any, worker: Any) -> None:
    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]


def post_worker_init(worker: Any) -> None:
    previous = signal.getsignal(signal.SIGTERM)

    def stop_then_exit(signum: int, frame: Any) -> None:
        app = getattr(worker, "wsgi", None)
        if isinstance(app, WsgiApp):
            app.stop()
        if callable(previous):
            previous(signum, frame)

    signal.signal(signal.SIGTERM, stop_then_exit)


def worker_exit(server: Any, worker: Any) -> None:
    app = getattr(worker, "wsgi", None)
    if isinstance(app, WsgiApp):
        app.close()
