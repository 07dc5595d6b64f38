"""Helpers for tests that run the whole app against the fakes: its settings, the running app a test
drives, waiting on background work, and reading what the app posted."""

from __future__ import annotations

import datetime
import time
import zoneinfo
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from pydantic import SecretStr

from bot.config import Settings
from bot.slack import ids
from bot.slack.server import WsgiApp
from bot_testing.saleshandy import FakeSaleshandy, ReceivedRequest
from bot_testing.slack import FakeSlack, RecordedCall
from bot_testing.slack_driver import SlackDriver
from tests.helpers.block_kit import assert_valid_message, assert_valid_view
from tests.helpers.fakes import SALESHANDY_TEST_KEY, tls_context

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

SLACK_BOT_TOKEN = "xoxb-e2e-8d1f0c2a9b7e"
SLACK_SIGNING_SECRET = "e2e-signing-secret-51c4f7aa"


@dataclass
class RunningApp:
    url: str
    slack: FakeSlack
    saleshandy: FakeSaleshandy
    driver: SlackDriver
    settings: Settings
    app: WsgiApp

    def drain(self, timeout: float = 8.0) -> None:
        """Wait until the app's background work (submissions, retries, reports) is all done."""
        assert self.app.slack_app.drain(timeout), f"background work still running after {timeout}s"

    def today_for(self, zone: str) -> datetime.date:
        return today_in(zone)


class AppSlot:
    """A WSGI app handing each request to the app of the test running now: one loopback server serves
    every test of a process, so no test pays for starting and stopping one."""

    def __init__(self) -> None:
        self.app: WsgiApp | None = None

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        app = self.app
        if app is None:
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"no app under test"]
        return app(environ, start_response)


def e2e_settings(
    slack: FakeSlack, saleshandy: FakeSaleshandy, database: Path | str, **overrides: object
) -> Settings:
    """Settings for the app against the fakes; `database` is a SQLite file or any database URL."""
    values: dict[str, object] = {
        "slack_bot_token": SecretStr(SLACK_BOT_TOKEN),
        "slack_signing_secret": SecretStr(SLACK_SIGNING_SECRET),
        "slack_api_url": slack.api_url,
        "saleshandy_api_key": SecretStr(SALESHANDY_TEST_KEY),
        "saleshandy_api_url": saleshandy.base_url,
        "saleshandy_timeout_seconds": 2.0,
        "database_url": database if isinstance(database, str) else f"sqlite:///{database}",
        "default_timezone": "Europe/Berlin",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


RETRIES_AT_ONCE: dict[str, object] = {
    "slack_retry_backoff_seconds": 0.0,
    "slack_retry_jitter_seconds": 0.0,
    "saleshandy_retry_backoff_seconds": 0.0,
    "saleshandy_window_poll_seconds": 0.02,
}
"""Settings overrides (for `running_app` or `bolt`, indirectly): the app sends a failed call again as
many times as ever, but without backing off (a Retry-After asked for is still waited out), and a request
waiting for the first answer of the rate-limit window looks again every 20 ms instead of 200."""


def assert_everything_posted_is_valid_block_kit(slack: FakeSlack) -> None:
    """Whatever the test did, every message and view the app sent passes slack_sdk's validation."""
    for call in slack.calls():
        if call.method in {"views.open", "views.update", "views.push", "views.publish"}:
            assert_valid_view(call.params["view"])
        elif call.method == "chat.unfurl":  # each link's preview is blocks, as a message's are
            for url, unfurl in call.params["unfurls"].items():
                assert_valid_message({"text": url, **unfurl})
        elif "blocks" in call.params:
            assert_valid_message(call.params)


CHANNEL = "C123"
"""The channel the driver sends commands from by default."""
WAIT = 8.0
"""Longest wait for background work; a passing test never waits this long."""


def wait_until(condition: Callable[[], object], *, timeout: float = WAIT, what: str = "condition") -> None:
    """Poll `condition` until it is truthy; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.02)


def wait_for_creates(
    saleshandy: FakeSaleshandy, count: int, *, timeout: float = WAIT
) -> list[ReceivedRequest]:
    """Block until the fake Saleshandy received `count` create-task requests; returns all so far."""
    wait_until(
        lambda: len(saleshandy.create_requests) >= count,
        timeout=timeout,
        what=f"{count} create-task request(s)",
    )
    return saleshandy.create_requests


def message_text(params: dict[str, Any]) -> str:
    """All the text of a posted message (fallback text and every text object in its blocks), joined."""
    parts = [str(params.get("text") or "")]
    parts += [text for _, text in text_objects(params.get("blocks") or [])]
    return "\n".join(parts)


def text_objects(node: object) -> Iterator[tuple[str, str]]:
    """(type, text) of every Slack text object (`{"type": "mrkdwn"|"plain_text", "text": …}`) in `node`."""
    if isinstance(node, dict):
        kind, text = node.get("type"), node.get("text")
        if kind in ("mrkdwn", "plain_text") and isinstance(text, str):
            yield str(kind), text
        for value in node.values():
            yield from text_objects(value)
    elif isinstance(node, list):
        for item in node:
            yield from text_objects(item)


def opened_view(slack: FakeSlack, *, index: int | None = None) -> dict[str, Any]:
    """The view the app opened for the latest interaction (the one holding the trigger_id Slack issued
    last), or with `index` the index-th views.open; as the fake stores it (id, hash, blocks…). Waiting
    for that trigger's view, not the last views.open so far, keeps an earlier modal from answering."""
    if index is None:
        trigger_id = slack.last_trigger_id
        assert trigger_id is not None, "no interaction has carried a trigger_id yet"

        def for_trigger() -> list[RecordedCall]:
            return [c for c in slack.calls("views.open") if c.params.get("trigger_id") == trigger_id]

        wait_until(lambda: for_trigger(), what="the view opened for the latest interaction")
        call = for_trigger()[-1]
    else:
        call = slack.wait_for("views.open", count=index + 1 if index >= 0 else 1)[index]
    assert call.ok, call.response
    return slack.view(call.response_json["view"]["id"])


def input_element(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    """The element of the input block `block_id` in `view`."""
    for block in view["blocks"]:
        if block.get("block_id") == block_id:
            return dict(block["element"])
    raise LookupError(f"no block {block_id!r} in the view")


def far_zone() -> str:
    """A zone whose date right now differs from both UTC's and Europe/Berlin's (the default zone), so a
    date computed in the wrong zone shows: Kiritimati (UTC+14) from 10:00 UTC, Pago Pago (UTC−11) before."""
    now = datetime.datetime.now(datetime.UTC)
    return "Pacific/Kiritimati" if now.hour >= 10 else "Pacific/Pago_Pago"


def today_in(zone: str) -> datetime.date:
    return datetime.datetime.now(datetime.UTC).astimezone(zoneinfo.ZoneInfo(zone)).date()


def app_calls(slack: FakeSlack) -> list[str]:
    """The Web API methods the app called, minus Bolt's own `auth.test` (its token check)."""
    return [c.method for c in slack.calls() if c.method != "auth.test"]


def rich_text(*elements: dict[str, Any]) -> list[dict[str, Any]]:
    """The blocks of a message as Slack's composer makes them: one rich_text section of `elements`."""
    section = {"type": "rich_text_section", "elements": list(elements)}
    return [{"type": "rich_text", "block_id": "rt1", "elements": [section]}]


def use_up(url: str) -> None:
    """Post to a response_url until Slack stops taking posts (five)."""
    with httpx.Client(verify=tls_context()) as http:
        for n in range(5):
            assert http.post(url, json={"text": f"earlier answer {n}"}).status_code == 200


def dm_posts(slack: FakeSlack, *, at_least: int) -> list[RecordedCall]:
    """The posts in the rep's DM with the app (opened once), once `at_least` of them arrived."""
    (opened,) = slack.wait_for("conversations.open")
    assert opened.params["users"] == "U123"
    dm = opened.response_json["channel"]["id"]

    def in_dm() -> list[RecordedCall]:
        return [c for c in slack.calls("chat.postMessage") if c.ok and c.params["channel"] == dm]

    wait_until(lambda: len(in_dm()) >= at_least, what=f"{at_least} posts in the DM")
    return in_dm()


def assert_pointed_to_the_dm(slack: FakeSlack, dm: str) -> None:
    """One line, to the rep alone where they acted, that links to their DM with the app."""
    (pointer,) = slack.wait_for("response_url")
    assert pointer.ok and pointer.params["response_type"] == "ephemeral"
    assert pointer.channel == CHANNEL and pointer.user == "U123"
    assert "Results are in" in pointer.params["text"] and f"channel={dm}" in pointer.params["text"]


def thread_message_with_retry(app: RunningApp, thread_ts: str) -> dict[str, Any]:
    """The message in the thread `thread_ts` carrying a retry button (the newest), as the fake holds it."""
    with_button = [
        m for m in app.slack.messages(CHANNEL)
        if m.get("thread_ts") == thread_ts and ids.RETRY_FAILED_ACTION_ID in str(m.get("blocks"))
    ]
    assert with_button, "no message with a retry button in the thread"
    return with_button[-1]
