"""The Bolt app with every listener, on a migrated SQLite copy, its Web API the fake Slack and its
Saleshandy the fake one (both on loopback), driven by `app.dispatch` of signed requests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from bot.config import Settings
from bot.slack.app import SlackApp, build_app
from bot_testing.saleshandy import FakeSaleshandy
from bot_testing.slack import FakeSlack
from tests.helpers.dispatch import Dispatcher
from tests.helpers.slack_app import (
    SLACK_SIGNING_SECRET,
    assert_everything_posted_is_valid_block_kit,
    e2e_settings,
)


@dataclass
class BoltUnderTest:
    slack: FakeSlack
    saleshandy: FakeSaleshandy
    slack_app: SlackApp
    send: Dispatcher
    settings: Settings

    def drain(self, timeout: float = 8.0) -> None:
        """Wait until the app's background work (listeners, submissions, reports) is all done."""
        assert self.slack_app.drain(timeout), f"background work still running after {timeout}s"


@pytest.fixture
def bolt(
    fake_slack: FakeSlack, fake_saleshandy: FakeSaleshandy, database_url: str, request: pytest.FixtureRequest
) -> Iterator[BoltUnderTest]:
    """The app; a test parametrizes `bolt` indirectly with settings to override."""
    settings = e2e_settings(fake_slack, fake_saleshandy, database_url, **getattr(request, "param", {}))
    slack_app = build_app(settings)
    try:
        send = Dispatcher(slack_app.bolt, SLACK_SIGNING_SECRET, fake_slack)
        yield BoltUnderTest(fake_slack, fake_saleshandy, slack_app, send, settings)
        slack_app.drain(8.0)
    finally:
        slack_app.close()
    assert_everything_posted_is_valid_block_kit(fake_slack)
