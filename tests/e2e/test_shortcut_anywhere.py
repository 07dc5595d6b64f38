"""One message shortcut for any message, over HTTP: in a DM or group DM the bot is not in, in a Slack Connect
channel; the results always reach the rep, kept in their DM with the app with its Retry button (issue 11,
item 4; a thread reply: tests/e2e/test_shortcut.py)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.slack import ids
from bot.slack.blocks.notices import APP_REDIRECT_URL
from bot_testing.slack import FakeSlack, RecordedCall
from bot_testing.slack_driver import fill_view
from tests.e2e.conftest import (
    RunningApp,
    message_text,
    opened_view,
    wait_for_creates,
    wait_until,
)
from tests.helpers.accounts import REP_KEY, WITH_ENCRYPTION, connect

pytestmark = pytest.mark.both_databases

PROSPECT = "https://my.saleshandy.com/prospects/aN7kQ2xLm4"


def run_and_submit(app: RunningApp, channel: str, message: dict[str, Any]) -> None:
    opened_before = len(app.slack.calls("views.open"))  # e.g. the modal connecting the rep's key
    response = app.driver.message_shortcut(
        message, callback_id=ids.MESSAGE_SHORTCUT_CALLBACK_ID, channel_id=channel
    )
    assert response.status_code == 200
    view = opened_view(app.slack, index=opened_before)  # the shortcut's own form, not an earlier view
    app.driver.view_submission(view, fill_view(view, {ids.TASK_TYPE_ACTION_ID: "11"}))


CONVERSATIONS_WITHOUT_THE_BOT = pytest.mark.parametrize(
    ("channel", "kind", "refusal"),
    [
        ("D0PEOPLE1", "im", "channel_not_found"),  # the bot cannot see a DM it is not in
        ("C0PEOPLE3", "mpim", "channel_not_found"),
        ("C0SHARED2", "slack-connect", "not_in_channel"),  # chat:write.public stops at Slack Connect
    ],
    ids=["dm", "group-dm", "slack-connect-without-the-bot"],
)


def add_conversation_without_the_bot(slack: FakeSlack, channel: str, kind: str) -> None:
    shared = kind == "slack-connect"
    slack.add_conversation(channel, kind="channel" if shared else kind, bot_member=False, ext_shared=shared)


def dm_posts(slack: FakeSlack, dm: str) -> list[RecordedCall]:
    return [c for c in slack.calls("chat.postMessage") if c.ok and c.params["channel"] == dm]


@CONVERSATIONS_WITHOUT_THE_BOT
def test_in_a_conversation_the_bot_is_not_in_the_results_are_kept_in_the_reps_dm(
    running_app: RunningApp, channel: str, kind: str, refusal: str
) -> None:
    slack = running_app.slack
    add_conversation_without_the_bot(slack, channel, kind)
    message = slack.add_message(channel, f"can you call <{PROSPECT}|Ann>?", user="U999")
    run_and_submit(running_app, channel, message)

    (opened,) = slack.wait_for("conversations.open")
    dm = opened.response_json["channel"]["id"]
    assert opened.params["users"] == "U123"
    (pointer,) = slack.wait_for("response_url")
    refused, intro, results = slack.calls("chat.postMessage")
    assert refused.error == refusal and refused.params["channel"] == channel
    assert [c.params["channel"] for c in (intro, results)] == [dm] * 2
    assert results.params["thread_ts"] == intro.response_json["ts"]  # a message that stays, in a thread
    assert "1 created" in message_text(results.params)
    # Where the rep acted, one line (to them alone) that points to the DM.
    assert pointer.ok and pointer.channel == channel and pointer.user == "U123"
    assert pointer.params["response_type"] == "ephemeral"
    assert "Results are in" in pointer.params["text"]
    assert f"{APP_REDIRECT_URL}?channel={dm}" in pointer.params["text"]
    running_app.drain()
    assert len(slack.calls("response_url")) == 1 and len(dm_posts(slack, dm)) == 2  # nothing twice
    assert [t.prospect_id for t in running_app.saleshandy.tasks] == ["aN7kQ2xLm4"]


@CONVERSATIONS_WITHOUT_THE_BOT
@pytest.mark.parametrize("running_app", [WITH_ENCRYPTION], indirect=True)
def test_retry_pressed_in_the_dm_acts_for_the_rep_with_their_key_and_reports_in_that_thread(
    running_app: RunningApp, channel: str, kind: str, refusal: str
) -> None:
    app, slack, saleshandy = running_app, running_app.slack, running_app.saleshandy
    saleshandy.add_key(REP_KEY)
    assert connect(app, REP_KEY).text == ""
    add_conversation_without_the_bot(slack, channel, kind)
    message = slack.add_message(channel, f"can you call <{PROSPECT}|Ann>?", user="U999")
    saleshandy.fail_next(500)
    run_and_submit(app, channel, message)
    (opened,) = slack.wait_for("conversations.open")
    dm = opened.response_json["channel"]["id"]
    wait_until(lambda: len(dm_posts(slack, dm)) == 2, what="the results in the DM")
    app.drain()
    intro, results = dm_posts(slack, dm)
    assert "1 unknown" in message_text(results.params)
    (with_retry,) = [m for m in slack.messages(dm) if ids.RETRY_FAILED_ACTION_ID in str(m.get("blocks"))]

    assert app.driver.press_button(with_retry, ids.RETRY_FAILED_ACTION_ID, channel_id=dm).status_code == 200
    retry = wait_for_creates(saleshandy, 2)[1]
    assert retry.headers["x-api-key"] == REP_KEY
    wait_until(lambda: len(dm_posts(slack, dm)) == 3, what="the retry's results")
    app.drain()
    retried = dm_posts(slack, dm)[-1]
    assert retried.params["thread_ts"] == intro.response_json["ts"]  # in the same DM thread
    assert "Retry: 1 created" in message_text(retried.params)
    assert [c.error for c in slack.calls("chat.postMessage")].count(refusal) == 1  # not tried again
    assert len(slack.calls("conversations.open")) == 1 and len(dm_posts(slack, dm)) == 3


def test_in_a_slack_connect_channel_the_results_go_to_the_messages_thread(running_app: RunningApp) -> None:
    slack = running_app.slack
    slack.add_conversation("C0SHARED1", kind="channel", ext_shared=True)
    message = slack.add_message(
        "C0SHARED1", f"from our partner: <{PROSPECT}>", user="U0PARTNER", team="T0OTHER"
    )
    run_and_submit(running_app, "C0SHARED1", message)

    (posted,) = slack.wait_for("chat.postMessage")
    assert posted.ok, posted.response
    assert (posted.params["channel"], posted.params["thread_ts"]) == ("C0SHARED1", message["ts"])
    assert "1 created" in message_text(posted.params)

