"""One message shortcut for any message, over HTTP: in a DM or group DM the bot is not in, in a Slack Connect
channel; the results always reach the rep (issue 11, item 4; a thread reply: tests/e2e/test_shortcut.py)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.slack import ids
from bot_testing.slack_driver import fill_view
from tests.e2e.conftest import RunningApp, message_text, opened_view

pytestmark = pytest.mark.both_databases

PROSPECT = "https://my.saleshandy.com/prospects/aN7kQ2xLm4"


def run_and_submit(app: RunningApp, channel: str, message: dict[str, Any]) -> None:
    response = app.driver.message_shortcut(
        message, callback_id=ids.MESSAGE_SHORTCUT_CALLBACK_ID, channel_id=channel
    )
    assert response.status_code == 200
    view = opened_view(app.slack)
    app.driver.view_submission(view, fill_view(view, {ids.TASK_TYPE_ACTION_ID: "11"}))


@pytest.mark.parametrize(
    ("channel", "kind", "refusal"),
    [
        ("D0PEOPLE1", "im", "channel_not_found"),  # the bot cannot see a DM it is not in
        ("C0PEOPLE3", "mpim", "channel_not_found"),
        ("C0SHARED2", "slack-connect", "not_in_channel"),  # chat:write.public stops at Slack Connect
    ],
    ids=["dm", "group-dm", "slack-connect-without-the-bot"],
)
def test_in_a_conversation_the_bot_is_not_in_the_results_reach_the_rep_privately(
    running_app: RunningApp, channel: str, kind: str, refusal: str
) -> None:
    slack = running_app.slack
    shared = kind == "slack-connect"
    slack.add_conversation(channel, kind="channel" if shared else kind, bot_member=False, ext_shared=shared)
    message = slack.add_message(channel, f"can you call <{PROSPECT}|Ann>?", user="U999")
    run_and_submit(running_app, channel, message)

    intro, results = slack.wait_for("response_url", count=2)
    (refused,) = slack.calls("chat.postMessage")
    assert refused.error == refusal
    assert intro.channel == channel and intro.user == "U123"  # shown to the rep, in that conversation
    assert results.params["response_type"] == "ephemeral" and "1 created" in message_text(results.params)
    assert [t.prospect_id for t in running_app.saleshandy.tasks] == ["aN7kQ2xLm4"]


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

