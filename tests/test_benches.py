"""The benchmarks are not run by the suite (they print figures, for people), but they must still load
against today's code: every bench module imports, and the harness's watch on the fake Saleshandy still
sees the requests it counts."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import httpx
import pytest

from bot_testing.saleshandy import FakeSaleshandy

ROOT = Path(__file__).resolve().parents[1]
BENCHES = sorted(p.stem for p in (ROOT / "bench").glob("*.py"))


@pytest.mark.parametrize("name", BENCHES)
def test_every_benchmark_module_imports(name: str) -> None:
    sys.path.insert(0, str(ROOT))
    try:
        importlib.import_module(f"bench.{name}")
    finally:
        sys.path.remove(str(ROOT))


def test_the_harness_watch_sees_create_requests_and_rate_limits() -> None:
    sys.path.insert(0, str(ROOT))
    try:
        harness = importlib.import_module("bench._harness")
    finally:
        sys.path.remove(str(ROOT))
    with FakeSaleshandy(api_key="k") as fake:
        fake.set_rate_limit(1, window_seconds=60)
        watch = harness.SaleshandyWatch(fake)
        body = {"prospectIds": ["Pv8Bm00001Q"], "taskType": "13", "dueDate": "2026-12-01"}
        answers = [
            httpx.post(f"{fake.base_url}/tasks/create", json=body, headers={"x-api-key": "k"})
            for _ in range(2)
        ]
    assert [a.status_code for a in answers][1] == 429
    assert len(watch.create_times) == 2 and watch.answered_429 == 1 and watch.window_uses == [1]


def test_the_harness_serves_the_procfiles_command_with_the_workers_it_asks_for() -> None:
    sys.path.insert(0, str(ROOT))
    try:
        harness = importlib.import_module("bench._harness")
    finally:
        sys.path.remove(str(ROOT))
    procfile = (ROOT / "Procfile").read_text()
    command = harness.procfile_command(4321, workers=2)
    assert command[command.index("--workers") + 1] == "2"
    assert "127.0.0.1:4321" in " ".join(command) and "--config" in command
    assert "--workers" not in harness.procfile_command(4321) or "--workers" in procfile
