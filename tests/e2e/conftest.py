"""The app served over HTTP on loopback, talking to a fake Slack and a fake Saleshandy."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.config import Settings
from bot.fakes.saleshandy import FakeSaleshandy
from bot.fakes.slack import FakeSlack
from bot.fakes.slack_driver import SlackDriver
from bot.fakes.wsgi_server import serve_wsgi
from bot.slack.app import build_app
from bot.slack.server import build_wsgi_app
from tests.conftest import SALESHANDY_TEST_KEY

SLACK_BOT_TOKEN = "xoxb-e2e-8d1f0c2a9b7e"
SLACK_SIGNING_SECRET = "e2e-signing-secret-51c4f7aa"


@dataclass
class RunningApp:
    url: str
    slack: FakeSlack
    saleshandy: FakeSaleshandy
    driver: SlackDriver
    settings: Settings

    def today_for(self, zone: str) -> datetime.date:
        return datetime.datetime.now(datetime.UTC).astimezone(_zone(zone)).date()


def _zone(name: str) -> datetime.tzinfo:
    import zoneinfo

    return zoneinfo.ZoneInfo(name)


@pytest.fixture(scope="session")
def _running_fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack(bot_token=SLACK_BOT_TOKEN)
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def fake_slack(_running_fake_slack: FakeSlack) -> Iterator[FakeSlack]:
    _running_fake_slack.reset()
    yield _running_fake_slack
    _running_fake_slack.reset()


def e2e_settings(slack: FakeSlack, saleshandy: FakeSaleshandy, database: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "slack_bot_token": SecretStr(SLACK_BOT_TOKEN),
        "slack_signing_secret": SecretStr(SLACK_SIGNING_SECRET),
        "slack_api_url": slack.api_url,
        "saleshandy_api_key": SecretStr(SALESHANDY_TEST_KEY),
        "saleshandy_api_url": saleshandy.base_url,
        "saleshandy_timeout_seconds": 2.0,
        "database_url": f"sqlite:///{database}",
        "default_timezone": "Europe/Berlin",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def running_app(
    fake_slack: FakeSlack, fake_saleshandy: FakeSaleshandy, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[RunningApp]:
    overrides = getattr(request, "param", {})
    settings = e2e_settings(fake_slack, fake_saleshandy, tmp_path / "app.sqlite3", **overrides)
    server, url = serve_wsgi(build_wsgi_app(build_app(settings)))
    driver = SlackDriver(url, SLACK_SIGNING_SECRET, fake_slack)
    try:
        yield RunningApp(url, fake_slack, fake_saleshandy, driver, settings)
    finally:
        driver.close()
        server.stop()
