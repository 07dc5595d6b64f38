"""The app's one background runner: every thread that works off a request's path is started here, and
stopped here.

Lanes are small pools of daemon threads, so a process that must stop is never held up by a thread
waiting on the network: what a thread was doing is in the database (see `bot.store`), and whoever
resumes the work knows what was in flight. `drain()` lets tests (and a graceful stop) wait for the
work instead of sleeping.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Executor, Future
from functools import partial
from typing import Any, TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")

WORK_THREADS = 4
"""Submissions worked on at once per process. Few on purpose: the GIL is shared, and every busy thread
slows the acks (bench/bench_acks.py: 4 keep ack p99 within 1.15x of a bare Bolt app; 16 gave 1.6-1.9x)."""
LOOKUP_THREADS = 4
"""Email lookups at once: enough to overlap the API's latency, few enough that the rate limit, not the
thread count, paces a long list."""
SUGGESTION_THREADS = 4
"""Picker searches waited on at once (each within Slack's 3-second budget)."""
INTAKE_THREADS = 1
"""Recording what was just acked: a single insert each (a burst of 200 is recorded in under a second),
kept apart so it never waits behind long work. One: bench/bench_acks.py at 200 concurrent requests gave
ack p99 2.1-2.8x a bare Bolt app with two intake threads, 1.25-1.3x with one."""
LISTENER_THREADS = 5
"""Bolt's listeners (each acks, then hands over): Bolt's own default pool size."""


def new_error_id() -> str:
    return uuid.uuid4().hex[:12]


class Lane(Executor):
    """A fixed set of daemon threads taking jobs in order; `pending` counts queued and running jobs.
    An `Executor`, so Bolt can run its listeners on one (and `drain` waits for them too)."""

    def __init__(self, name: str, threads: int) -> None:
        self._name = name
        self._jobs: queue.SimpleQueue[tuple[Callable[[], Any], Future[Any]] | None] = queue.SimpleQueue()
        self._idle = threading.Condition()
        self._pending = 0
        self._closed = False
        self._threads = [
            threading.Thread(target=self._work, name=f"{name}-{n}", daemon=True) for n in range(threads)
        ]
        for thread in self._threads:
            thread.start()

    @property
    def pending(self) -> int:
        with self._idle:
            return self._pending

    def submit(self, job: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        if args or kwargs:
            job = partial(job, *args, **kwargs)
        future: Future[T] = Future()
        with self._idle:
            if self._closed:
                raise RuntimeError(f"the {self._name} lane is closed")
            self._pending += 1
        self._jobs.put((job, future))
        return future

    def drain(self, timeout: float) -> bool:
        """Wait until no job is queued or running; False if that took longer than `timeout`."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._pending:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(left)
        return True

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.close()

    def close(self) -> None:
        """No more jobs; threads end once the queue is empty (jobs queued before still run)."""
        with self._idle:
            self._closed = True
        for _ in self._threads:
            self._jobs.put(None)

    def _work(self) -> None:
        while (item := self._jobs.get()) is not None:
            job, future = item
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(job())
                except BaseException as error:  # handed to whoever waits on the future
                    if not isinstance(error, Exception):
                        logger.error("a %s job ended by %s", self._name, type(error).__name__)
                    future.set_exception(error)
            with self._idle:
                self._pending -= 1
                self._idle.notify_all()


class BackgroundRunner:
    """Owns the lanes and the periodic jobs; `stopping` tells long work to wind down at its next step."""

    def __init__(
        self,
        *,
        work_threads: int = WORK_THREADS,
        lookup_threads: int = LOOKUP_THREADS,
        suggestion_threads: int = SUGGESTION_THREADS,
        listener_threads: int = LISTENER_THREADS,
        intake_threads: int = INTAKE_THREADS,
    ) -> None:
        self.stopping = threading.Event()
        self._work_threads = work_threads
        self._work = Lane("tasks", work_threads)
        self._intake = Lane("intake", intake_threads)
        self._lookups = Lane("lookup", lookup_threads)
        self._suggestions = Lane("suggest", suggestion_threads)
        self.listeners = Lane("listener", listener_threads)
        """Where Bolt runs listeners (`App(listener_executor=…)`)."""
        self._periodic: list[threading.Thread] = []
        self._closed = False
        self._stopped_at = 0.0

    def run(
        self, job: Callable[[], object], *, what: str, on_failure: Callable[[str], None] | None = None
    ) -> None:
        """Run `job` in the background. If it raises, the error is logged with an id, and `on_failure`
        is told that id (to tell the rep the same id)."""
        self._work.submit(_guarded(job, what, on_failure))

    def intake(
        self, job: Callable[[], object], *, what: str, on_failure: Callable[[str], None] | None = None
    ) -> None:
        """Record what a listener just acked, at once (see `run` for failures)."""
        self._intake.submit(_guarded(job, what, on_failure))

    def lookup(self, job: Callable[[], T]) -> Future[T]:
        return self._lookups.submit(job)

    def suggest(self, job: Callable[[], T]) -> Future[T]:
        return self._suggestions.submit(job)

    def sleep(self, seconds: float) -> None:
        """Sleep, but wake at once when a stop begins (the caller then sees `stopping`)."""
        self.stopping.wait(seconds)

    @property
    def capacity(self) -> int:
        """Submissions this process works on at once."""
        return self._work_threads

    @property
    def busy(self) -> int:
        """Submissions queued or being worked on in this process."""
        return self._work.pending

    def every(
        self, seconds: float, job: Callable[[], object], *, what: str, first_after: float = 0.0
    ) -> None:
        """Run `job` every `seconds` (the first time after `first_after`) until the runner stops."""

        def loop() -> None:
            if self.stopping.wait(first_after):
                return
            while True:
                _guarded(job, what, None)()
                if self.stopping.wait(seconds):
                    return

        thread = threading.Thread(target=loop, name=f"every-{what}", daemon=True)
        self._periodic.append(thread)
        thread.start()

    def drain(self, timeout: float = 10.0) -> bool:
        """Wait until every job queued so far (and those they queue) is done; False on time-out."""
        deadline = time.monotonic() + timeout
        while True:
            lanes = (self.listeners, self._intake, self._lookups, self._work, self._suggestions)
            drained = all(lane.drain(max(0.0, deadline - time.monotonic())) for lane in lanes)
            if drained and not any(lane.pending for lane in lanes):  # none queued more meanwhile
                return True
            if time.monotonic() >= deadline:
                return False

    def stop(self) -> None:
        """Begin a graceful stop: periodic jobs end, long work stops at its next step (see `stopping`)."""
        if not self.stopping.is_set():
            self._stopped_at = time.monotonic()
            self.stopping.set()

    def close(self, timeout: float) -> bool:
        """Stop, and wait for what is running to reach a safe point, until `timeout` seconds after the
        stop began (a SIGTERM's grace period counts from the signal); True if everything did. Threads
        still busy then are daemons and end with the process."""
        self.stop()
        if self._closed:
            return True
        self._closed = True
        drained = self.drain(max(0.0, self._stopped_at + timeout - time.monotonic()))
        for lane in (self.listeners, self._intake, self._work):
            lane.close()
        if drained:
            self._lookups.close()  # work still running may look emails up until the process ends
            self._suggestions.close()
        else:
            logger.warning("stopping with background work still running: it will be resumed elsewhere")
        return drained


def _guarded(
    job: Callable[[], object], what: str, on_failure: Callable[[str], None] | None
) -> Callable[[], None]:
    def run() -> None:
        try:
            job()
        except Exception:
            error_id = new_error_id()
            logger.exception("%s failed (error id %s)", what, error_id)
            if on_failure is not None:
                try:
                    on_failure(error_id)
                except Exception:
                    logger.exception("could not tell the rep about error %s", error_id)

    return run
