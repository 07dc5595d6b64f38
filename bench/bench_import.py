"""How long importing the app takes, next to importing slack_bolt alone.

Run from the repository root: `python bench/bench_import.py` (about 15 s).

Times fresh interpreters (`python -c "import …"`, median of 7 runs each, interleaved): an empty one,
`import slack_bolt` (the reference), `import bot.slack.app` (the Bolt app and everything it builds on)
and `import bot.slack.server` (what the Procfile's gunicorn imports in each worker). Prints the medians,
the same net of the interpreter's own start, the ratios app/slack_bolt, and from `python -X importtime`
which top-level packages the app's import spends its time in (self time, one run).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 7
TARGETS = {
    "python (nothing)": "pass",
    "slack_bolt": "import slack_bolt",
    "bot.slack.app": "import bot.slack.app",
    "bot.slack.server": "import bot.slack.server",
}


def environment() -> dict[str, str]:
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path}


def run_once(code: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, env=environment())
    return time.perf_counter() - started


def importtime_by_package(module: str) -> Counter[str]:
    """Self time (µs) of each top-level package while importing `module`, from -X importtime."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        check=True, cwd=ROOT, env=environment(), capture_output=True, text=True,
    )
    totals: Counter[str] = Counter()
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, _cumulative, name = (part.strip() for part in line.removeprefix("import time:").split("|"))
        totals[name.split(".")[0]] += int(self_us)
    return totals


def main() -> None:
    began = time.perf_counter()
    for code in TARGETS.values():
        run_once(code)  # bytecode compiled, files in the page cache
    timings: dict[str, list[float]] = {name: [] for name in TARGETS}
    for _ in range(RUNS):
        for name, code in TARGETS.items():
            timings[name].append(run_once(code))
    medians = {name: statistics.median(values) for name, values in timings.items()}
    bare = medians["python (nothing)"]
    print(f"import time, fresh interpreter, median of {RUNS} runs (min–max)")
    for name, median in medians.items():
        net = f"   net of interpreter start: {(median - bare) * 1000:6.0f} ms" if median is not bare else ""
        spread = f"{min(timings[name]) * 1000:.0f}–{max(timings[name]) * 1000:.0f}"
        print(f"  {name:<18} {median * 1000:6.0f} ms ({spread}){net}")
    bolt = medians["slack_bolt"]
    for name in ("bot.slack.app", "bot.slack.server"):
        print(f"  {name} / slack_bolt: {medians[name] / bolt:.2f}× with interpreter start, "
              f"{(medians[name] - bare) / (bolt - bare):.2f}× net")
    totals = importtime_by_package("bot.slack.server")
    whole = sum(totals.values())
    print(f"where `import bot.slack.server` spends its time (-X importtime self time, one run, "
          f"{whole / 1000:.0f} ms in all):")
    for package, micros in totals.most_common(10):
        print(f"  {package:<20} {micros / 1000:6.1f} ms  {100 * micros / whole:4.1f}%")
    print(f"(whole run: {time.perf_counter() - began:.0f} s)")


if __name__ == "__main__":
    main()
