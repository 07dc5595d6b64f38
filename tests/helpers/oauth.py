"""Installing the app in a workspace over OAuth, and a rep of that workspace connecting their key."""

from __future__ import annotations

import re
from typing import Any

import httpx

from bot.slack import ids
from bot_testing.slack_driver import SlackDriver, element_action, fill_view
from tests.helpers.fakes import tls_context
from tests.helpers.slack_app import RunningApp, opened_view, wait_until


def install(app: RunningApp, team_id: str | None, code: str, **install: Any) -> str:
    """An admin of `team_id` installs the app: the install page, Slack's authorize page (played by the
    fake), the redirect. The team's bot token. `install`: more of what Slack answers (an org-wide
    install, a rotating token), as `FakeSlack.add_install_code` takes it."""
    with httpx.Client(
        base_url=app.url, trust_env=False, follow_redirects=False, verify=tls_context()
    ) as browser:
        page = browser.get("/slack/install")
        assert page.status_code == 200, page.text
        state = re.search(r"state=([\w-]+)", page.text)
        assert state is not None and "client_id=1111.2222" in page.text
        token = app.slack.add_install_code(code, team_id=team_id, **install)
        # Bolt's state cookie is Secure (https only): the browser here is on loopback http, so it is sent
        # by hand, as a browser on the app's https URL would.
        cookie = page.headers["set-cookie"].split(";")[0]
        done = browser.get(
            "/slack/oauth_redirect",
            params={"code": code, "state": state.group(1)},
            headers={"Cookie": cookie},
        )
        assert done.status_code == 200, done.text
    return token


def connect(app: RunningApp, driver: SlackDriver, user: str, key: str) -> None:
    driver.app_home_opened(user)
    wait_until(lambda: app.slack.home(user) is not None, what=f"{user}'s Home tab")
    home = app.slack.home(user)
    assert home is not None
    opened = len(app.slack.calls("views.open"))
    driver.block_action(element_action(home["blocks"], ids.HOME_CONNECT_ACTION_ID), view=home, user_id=user)
    app.slack.wait_for("views.open", count=opened + 1)
    modal = opened_view(app.slack)
    answer = driver.view_submission(modal, fill_view(modal, {ids.CONNECT_KEY_ACTION_ID: key}), user_id=user)
    assert answer.text == "", answer.text
