"""Reps and their own Saleshandy keys: who they are, their Home tab, connecting a key from it."""

from __future__ import annotations

from typing import Any

import httpx
from cryptography.fernet import Fernet

from bot.slack import ids
from bot_testing.slack_driver import element_action, fill_view
from tests.helpers.slack_app import RunningApp, opened_view, text_objects, wait_until

ENCRYPTION_KEY = Fernet.generate_key().decode()
REP = "U123"
"""The fake Slack's default user (ann), who sends the driver's commands."""
OTHER_REP = "U777"
REP_KEY = "sh-rep-ann-4e8d2c61b9f0"
OTHER_KEY = "sh-rep-bob-93aa17c5de28"

WITH_ENCRYPTION = {"encryption_keys": ENCRYPTION_KEY}
NO_WORKSPACE_KEY = {"encryption_keys": ENCRYPTION_KEY, "saleshandy_api_key": None}


def home_of(app: RunningApp, user: str = REP, *, count: int = 1) -> dict[str, Any]:
    """The Home tab published for `user` after its `count`-th publish."""
    wait_until(lambda: publishes(app, user) >= count, what=f"Home tab #{count} for {user}")
    home = app.slack.home(user)
    assert home is not None
    return home


def publishes(app: RunningApp, user: str) -> int:
    return len([c for c in app.slack.calls("views.publish") if c.params.get("user_id") == user])


def home_text(home: dict[str, Any]) -> str:
    return "\n".join(text for _, text in text_objects(home["blocks"]))


def open_home(app: RunningApp, user: str = REP) -> dict[str, Any]:
    before = publishes(app, user)
    assert app.driver.app_home_opened(user).status_code == 200
    return home_of(app, user, count=before + 1)


def press_in_home(app: RunningApp, home: dict[str, Any], action_id: str, user: str = REP) -> httpx.Response:
    action = element_action(home["blocks"], action_id)
    return app.driver.block_action(action, view=home, user_id=user)


def connect(app: RunningApp, key: str, user: str = REP) -> httpx.Response:
    """Open the Home tab, press Connect, paste `key`, submit; the answer to the submission."""
    home = open_home(app, user)
    opened = len(app.slack.calls("views.open"))
    assert press_in_home(app, home, ids.HOME_CONNECT_ACTION_ID, user).status_code == 200
    app.slack.wait_for("views.open", count=opened + 1)
    modal = opened_view(app.slack)
    assert modal["callback_id"] == ids.CONNECT_MODAL_CALLBACK_ID
    return app.driver.view_submission(
        modal, fill_view(modal, {ids.CONNECT_KEY_ACTION_ID: key}), user_id=user
    )
