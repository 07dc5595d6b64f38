"""The background runner: one failure policy, drain instead of sleeps, a stop that periodic jobs obey."""

from __future__ import annotations

import logging
import threading

import pytest

from bot.service import BackgroundRunner


def test_a_failing_job_is_logged_with_an_id_and_the_same_id_reaches_whoever_tells_the_rep(
    caplog: pytest.LogCaptureFixture,
) -> None:
    runner = BackgroundRunner()
    told: list[str] = []

    def broken() -> None:
        raise ValueError("a bug")

    runner.run(broken, what="submission S1", on_failure=told.append)
    assert runner.drain(5)
    [error_id] = told
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert record.getMessage() == f"submission S1 failed (error id {error_id})"
    assert record.exc_info is not None and "a bug" in str(record.exc_info[1])
    runner.close(1)


def test_drain_waits_for_jobs_and_the_jobs_they_queue() -> None:
    runner = BackgroundRunner(work_threads=2)
    release = threading.Event()
    done: list[str] = []

    def second() -> None:
        done.append("second")

    def first() -> None:
        release.wait(5)
        done.append("first")
        runner.run(second, what="second")

    runner.run(first, what="first")
    assert not runner.drain(0.01)  # "first" is held until released: any timeout runs out
    release.set()
    assert runner.drain(5)
    assert done == ["first", "second"]
    runner.close(1)


def test_a_stop_ends_periodic_jobs_and_close_lets_queued_work_finish() -> None:
    runner = BackgroundRunner(work_threads=1)
    ticks: list[int] = []
    runner.every(0.01, lambda: ticks.append(1), what="tick")
    gate = threading.Event()
    finished: list[str] = []
    runner.run(lambda: gate.wait(5), what="slow")
    runner.run(lambda: finished.append("queued"), what="queued")
    runner.stop()
    seen = len(ticks)
    gate.set()
    assert runner.close(5)
    assert finished == ["queued"]
    assert len(ticks) <= seen + 1  # at most the tick already running when the stop came
    with pytest.raises(RuntimeError):
        runner.run(lambda: None, what="after close")
