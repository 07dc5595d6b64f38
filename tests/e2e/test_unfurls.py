"""Prospect links unfurl with a button, over HTTP: a posted link is previewed (only what was pasted, and
*Create task*); pressing it opens the form with every prospect link of the message for whoever presses,
results in that message's thread, made with that rep's key; retried or replayed events and double-clicked
or replayed presses act once (issue 11, items 1 and 5)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.domain import TaskType
from bot.slack import ids
from bot_testing.slack_driver import fill_view
from tests.e2e.conftest import (
    CHANNEL,
    RunningApp,
    input_element,
    message_text,
    opened_view,
    text_objects,
    wait_for_creates,
)
from tests.helpers.accounts import ENCRYPTION_KEY, REP, REP_KEY, connect

pytestmark = pytest.mark.both_databases  # the whole path, on SQLite and on PostgreSQL

ANN = "https://my.saleshandy.com/prospects/aN7kQ2xLm4"
BOB = "https://app.saleshandy.com/prospects/bR5tY8wPz1?tab=activity"
NOT_A_PROSPECT = "https://my.saleshandy.com/sequences/4821/steps"
ELSEWHERE = "https://www.example.com/Pricing2026"
POSTER = "U999"
"""Who posts the links: not the rep who presses the button."""


def post_links(app: RunningApp, *, thread_ts: str | None = None) -> dict[str, Any]:
    """A message with two prospect links (one labelled), a Saleshandy link that is not a prospect's and
    another site's, posted by someone else; Slack tells the app of its Saleshandy links."""
    message = app.slack.add_message(
        CHANNEL,
        f"Call <{ANN}|Ann Lee> and <{BOB}> this week (see <{NOT_A_PROSPECT}> and <{ELSEWHERE}>)",
        user=POSTER,
        thread_ts=thread_ts,
    )
    assert app.driver.link_shared(message, channel_id=CHANNEL, user_id=POSTER).status_code == 200
    return message


def unfurled(app: RunningApp, message: dict[str, Any], *, calls: int = 1) -> dict[str, Any]:
    """What the channel shows under `message`: the app's previews by URL."""
    app.slack.wait_for("chat.unfurl", count=calls)
    return app.slack.unfurls(CHANNEL, message["ts"])


def press(app: RunningApp, message: dict[str, Any], url: str = ANN, *, user: str = REP) -> dict[str, Any]:
    """`user` presses *Create task* in the preview of `url`; the payload sent."""
    current = next(m for m in app.slack.messages(CHANNEL) if m["ts"] == message["ts"])
    response = app.driver.press_unfurl_button(
        current, url, ids.UNFURL_CREATE_TASK_ACTION_ID, channel_id=CHANNEL, user_id=user
    )
    assert response.status_code == 200 and response.text == ""
    return app.driver.last_payload


def test_a_posted_prospect_link_unfurls_with_create_task_showing_only_what_was_pasted(
    running_app: RunningApp,
) -> None:
    message = post_links(running_app)

    (call,) = running_app.slack.wait_for("chat.unfurl")
    assert call.ok, call.response
    assert (call.params["channel"], call.params["ts"]) == (CHANNEL, message["ts"])
    previews = unfurled(running_app, message)
    assert list(previews) == [ANN, BOB]  # the other links are left as Slack shows them
    shown = {url: [text for _, text in text_objects(p["blocks"])] for url, p in previews.items()}
    assert shown[ANN] == ["*Saleshandy prospect* `aN7kQ2xLm4`", "Create task"]
    assert shown[BOB] == ["*Saleshandy prospect* `bR5tY8wPz1`", "Create task"]
    running_app.drain()
    assert running_app.saleshandy.requests == []  # nothing fetched for the whole channel to see


@pytest.mark.parametrize("running_app", [{"encryption_keys": ENCRYPTION_KEY}], indirect=True)
def test_create_task_opens_the_form_with_the_messages_links_and_replies_in_its_thread(
    running_app: RunningApp,
) -> None:
    app, slack = running_app, running_app.slack
    app.saleshandy.add_key(REP_KEY)
    connect(app, REP_KEY)  # the rep who presses has their own Saleshandy key
    message = post_links(app)
    unfurled(app, message)

    opened = len(slack.calls("views.open"))
    press(app, message, BOB)
    slack.wait_for("views.open", count=opened + 1)
    view = opened_view(slack)
    assert input_element(view, ids.PROSPECTS_BLOCK_ID)["initial_value"].split("\n") == [
        "aN7kQ2xLm4", "bR5tY8wPz1",
    ]
    link_back = f"https://fake.slack.com/archives/{CHANNEL}/p{message['ts'].replace('.', '')}"
    assert input_element(view, ids.NOTE_BLOCK_ID)["initial_value"] == f"From Slack: {link_back}"
    assert json.loads(view["private_metadata"])["names"] == {"aN7kQ2xLm4": "Ann Lee"}  # the label

    values = fill_view(view, {ids.TASK_TYPE_ACTION_ID: TaskType.CALL_FOLLOW_UP.code})
    assert app.driver.view_submission(view, values, user_id=REP).text == ""
    (create,) = wait_for_creates(app.saleshandy, 1)
    assert create.body["prospectIds"] == ["aN7kQ2xLm4", "bR5tY8wPz1"]
    assert create.headers["x-api-key"] == REP_KEY  # the presser's key, not the poster's nor the workspace's
    assert create.body["taskNote"] == f"From Slack: {link_back}"
    reply = slack.wait_for("chat.postMessage")[-1]
    assert reply.params["channel"] == CHANNEL and reply.params["thread_ts"] == message["ts"]
    assert "2 created" in message_text(reply.params)


def test_on_a_thread_reply_the_results_go_to_that_thread(running_app: RunningApp) -> None:
    slack = running_app.slack
    parent = slack.add_message(CHANNEL, "Leads from the webinar, thread below")
    message = post_links(running_app, thread_ts=parent["ts"])
    unfurled(running_app, message)

    press(running_app, message)
    view = opened_view(slack)
    assert input_element(view, ids.NOTE_BLOCK_ID)["initial_value"].endswith(
        f"?thread_ts={parent['ts']}&cid={CHANNEL}"
    )
    running_app.driver.view_submission(view, fill_view(view, {ids.TASK_TYPE_ACTION_ID: "9"}))
    (reply,) = slack.wait_for("chat.postMessage")
    assert reply.ok and reply.params["thread_ts"] == parent["ts"]


def test_a_double_click_opens_one_form(running_app: RunningApp) -> None:
    message = post_links(running_app)
    unfurled(running_app, message)

    press(running_app, message, ANN)
    press(running_app, message, BOB)  # a second press, on the same message, a moment later
    running_app.drain()
    assert len(running_app.slack.calls("views.open")) == 1
    # Another rep pressing is not a double click: they get their own form.
    running_app.slack.add_user("U777", name="bob")
    press(running_app, message, user="U777")
    running_app.slack.wait_for("views.open", count=2)


def test_a_replayed_press_opens_one_form(running_app: RunningApp) -> None:
    message = post_links(running_app)
    unfurled(running_app, message)

    payload = press(running_app, message)
    assert running_app.driver.send_payload(payload).status_code == 200  # the same signed request again
    running_app.drain()
    assert len(running_app.slack.calls("views.open")) == 1


@pytest.mark.parametrize("retried", [True, False], ids=["retried-by-slack", "replayed"])
def test_a_link_shared_delivered_again_unfurls_once(running_app: RunningApp, retried: bool) -> None:
    message = post_links(running_app)
    envelope = running_app.driver.last_payload
    running_app.slack.wait_for("chat.unfurl")

    for attempt in (1, 2):
        retry = {"retry_num": attempt, "retry_reason": "http_timeout"} if retried else {}
        assert running_app.driver.deliver_event(envelope, **retry).status_code == 200
    running_app.drain()
    assert len(running_app.slack.calls("chat.unfurl")) == 1
    assert list(unfurled(running_app, message)) == [ANN, BOB]


def test_an_unfurl_slack_refused_is_made_by_the_next_delivery(running_app: RunningApp) -> None:
    running_app.slack.fail_next("chat.unfurl", "internal_error")
    message = post_links(running_app)
    envelope = running_app.driver.last_payload
    running_app.slack.wait_for("chat.unfurl")
    running_app.drain()

    running_app.driver.deliver_event(envelope, retry_num=1, retry_reason="http_error")
    assert list(unfurled(running_app, message, calls=2)) == [ANN, BOB]


def test_a_link_in_the_message_box_is_previewed_there(running_app: RunningApp) -> None:
    response = running_app.driver.composer_link_shared([ANN, ELSEWHERE], user_id=POSTER)
    assert response.status_code == 200
    unfurl_id = running_app.driver.last_payload["event"]["unfurl_id"]

    (call,) = running_app.slack.wait_for("chat.unfurl")
    assert call.ok, call.response
    assert call.params["unfurl_id"] == unfurl_id and call.params["source"] == "composer"
    assert "channel" not in call.params and "ts" not in call.params
    assert list(running_app.slack.composer_unfurls(unfurl_id)) == [ANN]


def test_a_message_without_prospect_links_is_not_unfurled(running_app: RunningApp) -> None:
    message = running_app.slack.add_message(CHANNEL, f"Our sequence: <{NOT_A_PROSPECT}>", user=POSTER)
    assert running_app.driver.link_shared(message, channel_id=CHANNEL, user_id=POSTER).status_code == 200
    running_app.drain()  # the listener has run
    assert running_app.slack.calls("chat.unfurl") == []
