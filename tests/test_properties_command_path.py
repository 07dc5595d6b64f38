"""The whole `/task` path under arbitrary text: hypothesis-made command texts (task words, dates, IDs,
Slack-formatted links, mentions, emoji, control characters, very long runs) go signed over HTTP to the
running app. Each is acked at once and then ends in exactly one of: help in the ack, the form opened with
a notice saying what to fix (or empty, for no text), or tasks created with one result line per prospect
in the thread. Never an error logged, an error notice, an invalid request to Saleshandy or markup that
pings anyone. (Each parser has its own property tests: test_command.py, test_dates.py, ….)"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bot.slack import ids
from bot.slack.app import build_app
from bot.slack.listeners.commands import HELP_WORDS
from bot.slack.server import build_wsgi_app
from bot.slack.wsgi_server import WsgiServer, serve_wsgi
from bot_testing.saleshandy import FakeSaleshandy
from bot_testing.saleshandy_rules import validation_problems
from bot_testing.slack import FakeSlack, RecordedCall
from bot_testing.slack_driver import SlackDriver
from tests.conftest import SALESHANDY_TEST_KEY
from tests.e2e.conftest import SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, e2e_settings, message_text, text_objects
from tests.helpers.block_kit import assert_valid_message, assert_valid_view

# Grouped: one process runs the module, so its module-scoped fixture starts once.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("command_path_app")]

WAIT = 6.0


@dataclass
class App:
    slack: FakeSlack
    saleshandy: FakeSaleshandy
    driver: SlackDriver
    server: WsgiServer


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    """One app for every example (a fresh one each would cost more than the examples)."""
    slack = FakeSlack(bot_token=SLACK_BOT_TOKEN)
    saleshandy = FakeSaleshandy(api_key=SALESHANDY_TEST_KEY)
    slack.start()
    saleshandy.start()
    database: Path = tmp_path_factory.mktemp("properties") / "app.sqlite3"
    wsgi_app = build_wsgi_app(build_app(e2e_settings(slack, saleshandy, database)))
    server, url = serve_wsgi(wsgi_app)
    driver = SlackDriver(url, SLACK_SIGNING_SECRET, slack)
    try:
        yield App(slack, saleshandy, driver, server)
    finally:
        driver.close()
        server.stop()
        wsgi_app.close()
        saleshandy.stop()
        slack.stop()


class Warnings(logging.Handler):
    """Every record at WARNING or above, from any logger (the app's, Bolt's, slack_sdk's…)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="module")
def warnings_logged() -> Iterator[Warnings]:
    handler = Warnings()
    logging.getLogger().addHandler(handler)
    yield handler
    logging.getLogger().removeHandler(handler)


# ---- what a rep (or a cat on the keyboard) might type ------------------------------------------------

text_chars = st.characters(blacklist_categories=("Cs",))  # Slack sends UTF-8: no lone surrogates
prospect_ids = st.one_of(
    st.sampled_from(["8PvBmrB7P7", "Pr9xQ2Lm", "Ab12Cd34", "INVALIDaa1", "mis9Zzq7"]),
    st.from_regex(r"[A-Za-z]{2}[0-9][A-Za-z0-9]{3,9}", fullmatch=True),
)


def slack_escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


labels = st.text(text_chars, max_size=30).map(lambda s: slack_escaped(s.replace("|", "")))
links = st.builds(
    lambda pid, label, host: f"<https://{host}/prospects/{pid}|{label}>" if label else f"<https://{host}/prospects/{pid}>",
    prospect_ids, labels, st.sampled_from(["my.saleshandy.com", "app.saleshandy.com"]),
)
words = st.sampled_from([
    "call", "demo", "li msg", "wa voice message", "call follow-up", "custom", "linkedin connect", "email",
    "tomorrow", "today", "next fri", "in 3 days", "12/31", "31/02", "sometime", "yesterday", "2030-01-01",
    "high", "urgent", "p1", "low", "note:", "--", "and", ",", "help", "?",
    "<@U123>", "<@U999|bob>", "<!channel>", "<!here>", "<#C1|sales>", "&lt;!everyone&gt;", "&amp;",
    "<https://evil.example.com|click>", "🎉", ":tada:", "\u200b", "\x00", "\x1b[31m", "\r\n", "\t",
    "|", "<", ">",
])
pieces = st.one_of(words, prospect_ids, links, st.text(text_chars, max_size=12))
command_texts = st.one_of(
    st.lists(pieces, max_size=14).map(" ".join),
    st.builds(lambda t, p, rest: f"{t} {p} {rest}", st.sampled_from(["call", "demo", "li msg"]), prospect_ids,
              st.lists(pieces, max_size=8).map(" ".join)),
    st.builds(lambda n, note: "call " + " ".join(f"Pq{i:04d}xZ" for i in range(n)) + f" note: {note}",
              st.integers(1, 150), st.text(text_chars, max_size=400)),
    st.text(text_chars, max_size=60),
    st.text(text_chars, min_size=2000, max_size=3900),
    st.sampled_from(sorted(HELP_WORDS)).map(lambda w: f"  {w.upper()} "),
)


# ---- what the app did with one command ---------------------------------------------------------------

_RESULT_LINE = re.compile(r"^[✅❌❔] ", re.MULTILINE)
_SPAN = re.compile(r"<[^<>]*>")
_ALLOWED_SPAN = re.compile(r"<@U123>|<#C123>|<https?://[a-z.]*saleshandy\.com/[^|<>\s]*(\|[^<>]*)?>")


@dataclass
class Seen:
    calls: int
    creates: int
    logs: int


def result_lines(calls: list[RecordedCall]) -> int:
    texts = [t for c in calls for kind, t in text_objects(c.params.get("blocks") or []) if kind == "mrkdwn"]
    return sum(len(_RESULT_LINE.findall(t)) for t in texts)


def outcome_of(app: App, before: Seen) -> str:
    """Wait for the command to finish: "form", "created" (every result line in) or "notice"."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        new = app.slack.calls()[before.calls:]
        if any(c.method == "views.open" for c in new):
            return "form"
        if any(c.method == "response_url" for c in new):
            return "notice"
        sent = sum(len(r.body["prospectIds"]) for r in app.saleshandy.create_requests[before.creates:])
        replies = [c for c in new if c.method == "chat.postMessage" and "thread_ts" in c.params]
        if replies and result_lines(replies) >= sent:
            return "created"
        time.sleep(0.01)
    raise AssertionError(f"the command came to nothing within {WAIT}s: {[c.method for c in new]}")


def markup(calls: list[RecordedCall]) -> list[str]:
    found = []
    for call in calls:
        texts = [str(call.params.get("text") or "")]
        texts += [t for kind, t in text_objects(call.params.get("blocks") or []) if kind == "mrkdwn"]
        found += [s for t in texts for s in _SPAN.findall(t) if not _ALLOWED_SPAN.fullmatch(s)]
    return found


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(text=command_texts)
def test_any_command_text_ends_in_help_a_form_with_a_notice_or_tasks_never_in_an_error(
    app: App, warnings_logged: Warnings, text: str
) -> None:
    before = Seen(len(app.slack.calls()), len(app.saleshandy.create_requests), len(warnings_logged.records))

    response = app.driver.slash_command(text)

    assert response.status_code == 200
    if text.strip().lower() in HELP_WORDS:
        assert "Examples" in message_text(response.json()) or "/task" in message_text(response.json())
        outcome = "help"
    else:
        assert response.text == ""
        outcome = outcome_of(app, before)
    event(outcome)
    new = app.slack.calls()[before.calls:]
    creates = app.saleshandy.create_requests[before.creates:]

    assert outcome != "notice", [message_text(c.params) for c in new if c.method == "response_url"]
    if outcome == "form":
        (opened,) = [c for c in new if c.method == "views.open"]
        assert opened.ok, opened.response
        view = opened.params["view"]
        assert_valid_view(view)
        notices = [b for b in view["blocks"] if b.get("block_id") == ids.MODAL_NOTICES_BLOCK_ID]
        assert bool(notices) == bool(text.strip()), "a form opened for a command must say what to fix"
        assert creates == []
    elif outcome == "created":
        assert creates, "results without a request to Saleshandy"
        for create in creates:
            assert validation_problems(create.body) == [], create.body
        replies = [c for c in new if c.method == "chat.postMessage" and "thread_ts" in c.params]
        sent = [pid for r in creates for pid in r.body["prospectIds"]]
        assert result_lines(replies) == len(sent)  # every prospect once
        shown = "\n".join(message_text(c.params) for c in replies)
        assert all(pid in shown for pid in sent)
        assert "Something went wrong" not in shown
    for call in new:
        assert call.ok, (call.method, call.response)
        if call.method == "chat.postMessage":
            assert_valid_message(call.params)
    assert markup(new) == []
    problems = warnings_logged.records[before.logs:]
    assert problems == [], [f"{r.name}: {r.getMessage()}" for r in problems]
