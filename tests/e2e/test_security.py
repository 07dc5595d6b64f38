"""Only Slack gets in: a bad signature, a stale (replayed) timestamp or no signature at all is refused with
401, and nothing reaches Saleshandy or Slack."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

import httpx
import pytest

from bot.slack import ids
from bot_testing.slack_driver import FORM_CONTENT_TYPE, SlackDriver, fill_view, interaction_body
from tests.e2e.conftest import RunningApp, app_calls, opened_view

Attack = Callable[[SlackDriver, bytes], httpx.Response]
ATTACKS: dict[str, Attack] = {
    "bad signature": lambda driver, body: driver.send_badly_signed(body),
    "stale timestamp": lambda driver, body: driver.send_stale(body),
    "timestamp from the future": lambda driver, body: driver.send(body, timestamp=int(time.time()) + 600),
    "no signature": lambda driver, body: driver.raw(body, {"Content-Type": FORM_CONTENT_TYPE}),
    "signature of another body": lambda driver, body: driver.send(
        body, signature=driver.signed_headers(body + b"&x=1")["X-Slack-Signature"]
    ),
}


def assert_nothing_happened(app: RunningApp, response: httpx.Response, calls_before: list[str]) -> None:
    assert response.status_code == 401
    app.drain()  # refused before any listener ran: nothing can be on its way
    assert app.saleshandy.requests == []
    assert app_calls(app.slack) == calls_before


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_a_forged_or_replayed_command_is_refused_and_creates_nothing(
    running_app: RunningApp, attack: str
) -> None:
    fields = running_app.driver.slash_command_fields("call 8PvBmrB7P7 Pr9xQ2Lm")
    response = ATTACKS[attack](running_app.driver, urlencode(fields).encode())

    assert_nothing_happened(running_app, response, [])


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_a_forged_or_replayed_form_submission_is_refused_and_creates_nothing(
    running_app: RunningApp, attack: str
) -> None:
    driver = running_app.driver
    driver.slash_command("")
    view = opened_view(running_app.slack)
    values = fill_view(view, {ids.TASK_TYPE_ACTION_ID: "13", ids.PROSPECTS_ACTION_ID: "8PvBmrB7P7"})
    body = interaction_body(driver.view_submission_payload(view, values))

    response = ATTACKS[attack](driver, body)

    assert_nothing_happened(running_app, response, ["views.open"])


def test_the_same_requests_signed_properly_are_accepted(running_app: RunningApp) -> None:
    """The refusals above are about the signature, not the requests: signed, they work."""
    driver = running_app.driver
    fields = driver.slash_command_fields("call 8PvBmrB7P7")
    assert driver.send(urlencode(fields).encode()).status_code == 200
    running_app.slack.wait_for("chat.postMessage", count=2)
    assert len(running_app.saleshandy.create_requests) == 1
