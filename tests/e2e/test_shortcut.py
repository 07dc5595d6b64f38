"""The message shortcut over HTTP: prospects read from a message, the form prefilled, results in that
message's thread (issue path 5)."""

from __future__ import annotations

import json
from typing import Any

from bot.domain import TaskType
from bot.slack import ids
from bot.slack.listeners.shortcuts import NO_PROSPECTS_NOTICE
from bot_testing.slack_driver import fill_view
from tests.e2e.conftest import (
    CHANNEL,
    RunningApp,
    input_element,
    message_text,
    opened_view,
    rich_text,
    wait_for_creates,
)

# On SQLite only: the database is incidental to the shortcut (test_command.py runs the whole path on both).

IN_TEXT = "https://my.saleshandy.com/prospects/aN7kQ2xLm4"
IN_BLOCKS = "https://my.saleshandy.com/prospects/bR5tY8wPz1"
UNFURLED_FROM = "https://app.saleshandy.com/prospects/cK3vH9nJq6"
UNFURLED_ORIGINAL = "https://my.saleshandy.com/prospects/dM2sF7gTb8?tab=activity"


def message_with_prospects(app: RunningApp, *, thread_ts: str | None = None) -> dict[str, Any]:
    """A message naming prospects in its text, in its blocks only, and in two link unfurls."""
    return app.slack.add_message(
        CHANNEL,
        f"Follow up with <{IN_TEXT}|Ann Lee> and 8PvBmrB7P7 please",
        thread_ts=thread_ts,
        blocks=rich_text(
            {"type": "text", "text": "Follow up with "},
            {"type": "link", "url": IN_TEXT, "text": "Ann Lee"},
            {"type": "text", "text": " and 8PvBmrB7P7 please, and "},
            {"type": "link", "url": IN_BLOCKS, "text": "Bob Roe"},
        ),
        attachments=[
            {"from_url": UNFURLED_FROM, "title": "Carl Poe", "service_name": "Saleshandy"},
            {"original_url": UNFURLED_ORIGINAL, "fallback": "Saleshandy prospect"},
        ],
    )


def run_shortcut(app: RunningApp, message: dict[str, Any]) -> dict[str, Any]:
    response = app.driver.message_shortcut(message, callback_id=ids.MESSAGE_SHORTCUT_CALLBACK_ID)
    assert response.status_code == 200 and response.text == ""
    return opened_view(app.slack)


def permalink(message: dict[str, Any]) -> str:
    return f"https://fake.slack.com/archives/{CHANNEL}/p{message['ts'].replace('.', '')}"


def test_the_shortcut_opens_the_form_with_the_prospects_of_text_blocks_and_unfurls(
    running_app: RunningApp,
) -> None:
    message = message_with_prospects(running_app)
    view = run_shortcut(running_app, message)

    (opened,) = running_app.slack.calls("views.open")
    assert opened.params["trigger_id"] == running_app.driver.last_payload["trigger_id"]
    assert input_element(view, ids.PROSPECTS_BLOCK_ID)["initial_value"].split("\n") == [
        IN_TEXT, "8PvBmrB7P7", IN_BLOCKS, UNFURLED_FROM, UNFURLED_ORIGINAL,
    ]
    assert input_element(view, ids.NOTE_BLOCK_ID)["initial_value"] == f"From Slack: {permalink(message)}"
    assert "initial_option" not in input_element(view, ids.TASK_TYPE_BLOCK_ID)  # the rep picks it
    assert view["blocks"][0]["block_id"] != ids.MODAL_NOTICES_BLOCK_ID  # nothing to warn about
    assert json.loads(view["private_metadata"])["names"] == {
        "aN7kQ2xLm4": "Ann Lee", "bR5tY8wPz1": "Bob Roe", "cK3vH9nJq6": "Carl Poe",
    }
    running_app.drain()
    assert running_app.saleshandy.requests == []


def test_submitting_the_shortcuts_form_replies_in_the_messages_thread(running_app: RunningApp) -> None:
    slack = running_app.slack
    message = message_with_prospects(running_app)
    view = run_shortcut(running_app, message)

    values = fill_view(view, {ids.TASK_TYPE_ACTION_ID: TaskType.LINKEDIN_VIEW_PROFILE.code})
    assert running_app.driver.view_submission(view, values).text == ""

    (create,) = wait_for_creates(running_app.saleshandy, 1)
    assert create.body["prospectIds"] == [
        "aN7kQ2xLm4", "8PvBmrB7P7", "bR5tY8wPz1", "cK3vH9nJq6", "dM2sF7gTb8",
    ]
    assert create.body["taskNote"] == f"From Slack: {permalink(message)}"
    (reply,) = slack.wait_for("chat.postMessage")
    assert reply.params["channel"] == CHANNEL and reply.params["thread_ts"] == message["ts"]
    shown = message_text(reply.params)
    assert "5 created" in shown
    # No parent message says what was asked, so the reply does, for everyone in the thread.
    assert "asked for a *LinkedIn · view profile* task" in shown and "5 prospects" in shown
    assert f"<{IN_TEXT}|Ann Lee>" in shown and f"<{UNFURLED_FROM}|Carl Poe>" in shown
    running_app.drain()
    assert len(slack.calls("chat.postMessage")) == 1  # no announcement in the channel: just the reply


def test_on_a_reply_the_results_go_to_the_thread_it_belongs_to(running_app: RunningApp) -> None:
    slack = running_app.slack
    parent = slack.add_message(CHANNEL, "Leads from the webinar, thread below")
    reply_message = message_with_prospects(running_app, thread_ts=parent["ts"])
    view = run_shortcut(running_app, reply_message)
    assert input_element(view, ids.NOTE_BLOCK_ID)["initial_value"] == (
        f"From Slack: {permalink(reply_message)}?thread_ts={parent['ts']}&cid={CHANNEL}"
    )

    values = fill_view(view, {ids.TASK_TYPE_ACTION_ID: TaskType.CALL_INTRODUCTION.code})
    running_app.driver.view_submission(view, values)

    (reply,) = slack.wait_for("chat.postMessage")
    assert reply.params["thread_ts"] == parent["ts"]
    assert reply.ok


def test_a_message_without_prospects_still_opens_the_form_and_says_so(running_app: RunningApp) -> None:
    message = running_app.slack.add_message(
        CHANNEL,
        "Lunch at <https://maps.example.com/place/AbcDef1234|Luigi's>?",
        attachments=[{"from_url": "https://www.example.com/Pricing2026", "title": "Pricing"}],
    )
    view = run_shortcut(running_app, message)

    notices = view["blocks"][0]
    assert notices["block_id"] == ids.MODAL_NOTICES_BLOCK_ID
    assert notices["text"]["text"] == NO_PROSPECTS_NOTICE
    assert "initial_value" not in input_element(view, ids.PROSPECTS_BLOCK_ID)
    assert input_element(view, ids.NOTE_BLOCK_ID)["initial_value"] == f"From Slack: {permalink(message)}"

    # The rep pastes a prospect and submits: the task is made, the reply lands in that message's thread.
    values = fill_view(view, {ids.TASK_TYPE_ACTION_ID: "9", ids.PROSPECTS_ACTION_ID: "8PvBmrB7P7"})
    running_app.driver.view_submission(view, values)
    (reply,) = running_app.slack.wait_for("chat.postMessage")
    assert reply.params["thread_ts"] == message["ts"]
    assert [t.prospect_id for t in running_app.saleshandy.tasks] == ["8PvBmrB7P7"]
