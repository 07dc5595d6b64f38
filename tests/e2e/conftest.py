"""The app served over real HTTP on loopback, talking to a fake Slack and a fake Saleshandy.

Every test here is marked `http` (`python -m pytest -m http` runs them alone): they show what only
HTTP can (signatures, acks, body limits, the whole paths). Listener behaviour that needs no socket is
tested by dispatching to Bolt directly, in tests/slack/. The helpers live in tests/helpers/slack_app.py
(re-exported here for the tests that import them from this module).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.slack.app import build_app
from bot.slack.server import build_wsgi_app
from bot.slack.wsgi_server import serve_wsgi
from bot_testing.saleshandy import FakeSaleshandy
from bot_testing.slack import FakeSlack
from bot_testing.slack_driver import SlackDriver
from tests.helpers.fakes import SALESHANDY_TEST_KEY
from tests.helpers.logs import NOISY_LOGGERS, Everything
from tests.helpers.slack_app import (
    CHANNEL,
    SLACK_BOT_TOKEN,
    SLACK_SIGNING_SECRET,
    WAIT,
    AppSlot,
    RunningApp,
    app_calls,
    assert_everything_posted_is_valid_block_kit,
    e2e_settings,
    far_zone,
    input_element,
    message_text,
    opened_view,
    rich_text,
    text_objects,
    today_in,
    wait_for_creates,
    wait_until,
)

__all__ = [
    "CHANNEL",
    "SALESHANDY_TEST_KEY",
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "WAIT",
    "RunningApp",
    "app_calls",
    "assert_everything_posted_is_valid_block_kit",
    "e2e_settings",
    "far_zone",
    "input_element",
    "message_text",
    "opened_view",
    "rich_text",
    "text_objects",
    "today_in",
    "wait_for_creates",
    "wait_until",
]

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.http)


@pytest.fixture(scope="session")
def _app_server() -> Iterator[tuple[AppSlot, str]]:
    """One loopback HTTP server for this process; each test puts its app in the slot."""
    slot = AppSlot()
    server, url = serve_wsgi(slot)
    yield slot, url
    server.stop()


@pytest.fixture
def running_app(
    fake_slack: FakeSlack,
    fake_saleshandy: FakeSaleshandy,
    database_url: str,
    request: pytest.FixtureRequest,
    _app_server: tuple[AppSlot, str],
) -> Iterator[RunningApp]:
    """The app served over HTTP against the fakes, on a SQLite file (and, in modules marked
    `both_databases`, on PostgreSQL too)."""
    overrides = getattr(request, "param", {})
    settings = e2e_settings(fake_slack, fake_saleshandy, database_url, **overrides)
    app = build_wsgi_app(build_app(settings))
    slot, url = _app_server
    slot.app = app
    driver = SlackDriver(url, SLACK_SIGNING_SECRET, fake_slack)
    try:
        yield RunningApp(url, fake_slack, fake_saleshandy, driver, settings, app)
    finally:
        driver.close()
        slot.app = None
        app.close()
    assert_everything_posted_is_valid_block_kit(fake_slack)


@pytest.fixture
def store_app(fake_slack: FakeSlack, fake_saleshandy: FakeSaleshandy, tmp_path: Path) -> Iterator[RunningApp]:
    """The running app, its SQLite store waiting at most 0.2 s for a lock (the default is 5 s)."""
    database = tmp_path / "app.sqlite3"
    settings = e2e_settings(
        fake_slack, fake_saleshandy, database, database_url=f"sqlite:///{database}?timeout=0.2"
    )
    app = build_wsgi_app(build_app(settings))
    server, url = serve_wsgi(app)
    driver = SlackDriver(url, SLACK_SIGNING_SECRET, fake_slack)
    try:
        yield RunningApp(url, fake_slack, fake_saleshandy, driver, settings, app)
    finally:
        driver.close()
        server.stop()
        app.close()
    assert_everything_posted_is_valid_block_kit(fake_slack)


@pytest.fixture
def every_log() -> Iterator[Everything]:
    handler = Everything()
    root = logging.getLogger()
    # Bolt copies the root's level into its loggers when an App is made: every existing logger is lowered.
    existing = [name for name in logging.root.manager.loggerDict if name.startswith(NOISY_LOGGERS)]
    levels = {name: logging.getLogger(name).level for name in ("", *NOISY_LOGGERS, *existing)}
    root.addHandler(handler)
    for name in levels:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
