"""The fault tests' shared checks (each prospect shown once, nothing created twice, the app serving the next
command) and the submissions store held locked, for tests/e2e/test_faults_*.py and the workflow step's."""

from __future__ import annotations

import collections
import contextlib
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from bot_testing.saleshandy import FakeSaleshandy
from bot_testing.slack import FakeSlack, RecordedCall
from tests.helpers.slack_app import RunningApp, message_text, wait_until

PROSPECTS = ("INVALIDaa1", "8PvBmrB7P7", "Pr9xQ2Lm")
"""An unknown prospect first, so "failed" can be told from "created" even when Saleshandy answers well."""
COMMAND = "call " + " ".join(PROSPECTS)
NEXT_PROSPECTS = ("Xy34Zw56Qa", "Qr78St90Kb")
"""The command after the fault: other prospects, so no task may ever exist twice in a test."""

MARKS = {"✅": "created", "❌": "failed", "❔": "unknown"}
_LINE = re.compile(r"^([✅❌❔]) \*(\w+)\*", re.MULTILINE)



def shown(calls: list[RecordedCall]) -> str:
    return "\n".join(message_text(c.params) for c in calls)


def outcome_lines(calls: list[RecordedCall]) -> list[tuple[str, str]]:
    """(prospect id, created|failed|unknown) for every result line in `calls`' blocks, repeats kept."""
    text = "\n".join(message_text({"blocks": c.params.get("blocks", [])}) for c in calls)
    return [(pid, MARKS[mark]) for mark, pid in _LINE.findall(text)]


def assert_each_prospect_once(
    calls: list[RecordedCall], saleshandy: FakeSaleshandy, expected: dict[str, str]
) -> None:
    """Every prospect shows exactly once, with the expected state, and the state is true: a prospect
    shown created has the task shown, one shown failed has no task at all."""
    lines = outcome_lines(calls)
    assert [pid for pid, _ in lines] == list(expected), lines
    assert dict(lines) == expected
    tasks = {t.prospect_id: t.task_id for t in saleshandy.tasks}
    text = shown(calls)
    for pid, state in expected.items():
        if state == "created":
            assert f"*{pid}* — task {tasks[pid]}" in text
        elif state == "failed":
            assert pid not in tasks, f"{pid} is shown failed but its task exists"


def assert_no_task_twice(saleshandy: FakeSaleshandy) -> None:
    counts = collections.Counter(t.prospect_id for t in saleshandy.tasks)
    assert all(n == 1 for n in counts.values()), counts


def thread_replies(slack: FakeSlack) -> list[RecordedCall]:
    return [c for c in slack.calls("chat.postMessage") if c.ok and "thread_ts" in c.params]


def assert_next_command_works(app: RunningApp, prospects: tuple[str, ...] = NEXT_PROSPECTS) -> None:
    """A normal command after the fault: its tasks are created and its results reach the thread."""
    slack, saleshandy = app.slack, app.saleshandy
    replies_before = len(thread_replies(slack))
    creates_before = len(saleshandy.create_requests)
    assert app.driver.slash_command("call " + " ".join(prospects)).status_code == 200
    wait_until(lambda: len(thread_replies(slack)) > replies_before, what="the next command's results")
    reply = thread_replies(slack)[replies_before]
    assert f"{len(prospects)} created" in reply.params["text"]
    assert_each_prospect_once([reply], saleshandy, dict.fromkeys(prospects, "created"))
    sent = [pid for r in saleshandy.create_requests[creates_before:] for pid in r.body["prospectIds"]]
    assert sent == list(prospects)
    assert_no_task_twice(saleshandy)


@contextlib.contextmanager
def store_locked(database: Path) -> Iterator[None]:
    """Another process holds SQLite's exclusive lock: every write of the app's waits its busy timeout
    (5 s by default, 0.2 s under `store_app`), then fails with "database is locked", as when the database
    is briefly unavailable."""
    holder = sqlite3.connect(database, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        yield
        holder.execute("ROLLBACK")
    finally:
        holder.close()


def database_of(app: RunningApp) -> Path:
    url = app.settings.database_url
    return Path(url.removeprefix("sqlite:///").split("?")[0])



def submissions_in(database: Path) -> int:
    with contextlib.closing(sqlite3.connect(database)) as reader:
        return int(reader.execute("SELECT count(*) FROM submissions").fetchone()[0])
