"""Nothing is lost: results reach the rep when the channel refuses them, Slack rate limits are waited
out, and Saleshandy's errors are told in plain words with a retry (issue path 8). Dispatched to Bolt in
this process, on SQLite (the database is incidental here; tests/e2e/test_command.py and test_modal.py run
the whole path over HTTP on PostgreSQL too), except the retry whose way back is read from the database."""

from __future__ import annotations

import re

import pytest

from bot.slack import ids
from bot_testing.slack import RecordedCall
from bot_testing.slack_driver import element_action, fill_view
from tests.conftest import SALESHANDY_TEST_KEY
from tests.helpers.slack_app import (
    CHANNEL,
    message_text,
    opened_view,
    use_up,
    wait_for_creates,
    wait_until,
)
from tests.slack.conftest import BoltUnderTest


def shown(calls: list[RecordedCall]) -> str:
    return "\n".join(message_text(c.params) for c in calls)


def prospect_lines(calls: list[RecordedCall]) -> list[str]:
    """The prospect IDs of every result line in `calls`, in order (repeats kept)."""
    return re.findall(r"[✅❌❔] \*(\w+)\*", "\n".join(message_text({"blocks": c.params.get("blocks", [])})
                                                  for c in calls))


# ---- the channel refuses: the response_url, else a DM ---------------------------------------------------


@pytest.mark.parametrize("refusal", ["not_in_channel", "channel_not_found"])
def test_when_the_app_cannot_post_in_the_channel_the_results_go_by_response_url(
    bolt: BoltUnderTest, refusal: str
) -> None:
    slack = bolt.slack
    if refusal == "not_in_channel":
        slack.set_bot_not_in(CHANNEL)
    else:
        slack.set_missing_channel(CHANNEL)
    bolt.send.slash_command("call 8PvBmrB7P7 INVALIDbb2")

    intro, parent, results = slack.wait_for("response_url", count=3)
    (refused,) = slack.calls("chat.postMessage")
    assert refused.error == refusal
    assert all(c.ok and c.params["response_type"] == "ephemeral" for c in (intro, parent, results))
    assert all(c.channel == CHANNEL and c.user == "U123" for c in (intro, parent, results))
    assert f"`{refusal}`" in message_text(intro.params) and "/invite" in message_text(intro.params)
    assert "asked for a *Call · other* task" in parent.params["text"]
    assert "1 created · 1 failed" in message_text(results.params)
    assert prospect_lines([results]) == ["8PvBmrB7P7", "INVALIDbb2"]
    bolt.drain()
    assert not slack.calls("conversations.open")  # no DM needed


@pytest.mark.both_databases  # where the results went (in_channel: no) is kept with the submission
def test_a_retry_pressed_in_results_sent_by_response_url_reports_to_the_rep_again(
    bolt: BoltUnderTest,
) -> None:
    slack, saleshandy, driver = bolt.slack, bolt.saleshandy, bolt.send
    slack.set_bot_not_in(CHANNEL)
    saleshandy.fail_next(500)
    driver.slash_command("call 8PvBmrB7P7")
    *_, results = slack.wait_for("response_url", count=3)
    assert "1 unknown" in message_text(results.params)

    # An ephemeral message: Slack sends no `message` with the click, only a fresh response_url.
    driver.block_action(element_action(results.params["blocks"], ids.RETRY_FAILED_ACTION_ID))

    # The click's "Retrying…" notice and the retry's results both come by response_url, in any order.
    later = slack.wait_for("response_url", count=5)[3:]
    (retried,) = [c for c in later if "Retry:" in message_text(c.params)]
    assert retried.ok and retried.params["response_type"] == "ephemeral"
    assert "Retry: 1 created" in message_text(retried.params)
    assert [r.body["prospectIds"] for r in saleshandy.create_requests] == [["8PvBmrB7P7"]] * 2
    assert len(slack.calls("chat.postMessage")) == 1  # the channel was not tried again


def test_a_shortcut_in_a_channel_without_the_app_answers_by_its_response_url(bolt: BoltUnderTest) -> None:
    slack, driver = bolt.slack, bolt.send
    message = slack.add_message(CHANNEL, "call https://my.saleshandy.com/prospects/aN7kQ2xLm4 today")
    slack.set_bot_not_in(CHANNEL)  # shortcuts work in any channel; posting there does not
    driver.message_shortcut(message, callback_id=ids.MESSAGE_SHORTCUT_CALLBACK_ID)
    view = opened_view(slack)
    driver.view_submission(view, fill_view(view, {ids.TASK_TYPE_ACTION_ID: "11"}))

    intro, results = slack.wait_for("response_url", count=2)
    (refused,) = slack.calls("chat.postMessage")
    assert refused.error == "not_in_channel" and refused.params["thread_ts"] == message["ts"]
    assert "`not_in_channel`" in intro.params["text"]
    assert "1 created" in message_text(results.params) and results.params["response_type"] == "ephemeral"
    assert [t.prospect_id for t in bolt.saleshandy.tasks] == ["aN7kQ2xLm4"]


def test_when_the_response_url_is_used_up_the_results_go_by_dm(bolt: BoltUnderTest) -> None:
    slack, driver = bolt.slack, bolt.send
    slack.set_bot_not_in(CHANNEL)
    fields = driver.slash_command_fields("call 8PvBmrB7P7")
    use_up(fields["response_url"])
    assert driver.send_command(fields).status == 200

    wait_for_creates(bolt.saleshandy, 1)
    (opened,) = slack.wait_for("conversations.open")
    assert opened.params["users"] == "U123"
    dm = opened.response_json["channel"]["id"]
    wait_until(lambda: len([c for c in slack.calls("chat.postMessage") if c.ok]) >= 3, what="3 DMs")
    refused, intro, parent, results = slack.calls("chat.postMessage")
    assert refused.error == "not_in_channel"
    assert [c.params["channel"] for c in (intro, parent, results)] == [dm] * 3
    assert "`not_in_channel`" in intro.params["text"]
    assert parent.params["thread_ts"] == results.params["thread_ts"] == intro.response_json["ts"]
    assert "1 created" in message_text(results.params)
    assert [c.ok for c in slack.calls("response_url")][-1] is False  # it was tried, and refused


def test_results_longer_than_five_posts_go_by_dm_whole(bolt: BoltUnderTest) -> None:
    slack, saleshandy = bolt.slack, bolt.saleshandy
    slack.set_bot_not_in(CHANNEL)
    prospect_ids = [f"INVALIDq{n:04d}Zx" for n in range(1000)]  # long lines: many pages of results
    bolt.send.slash_command("call " + " ".join(prospect_ids))

    wait_for_creates(saleshandy, 10)
    slack.wait_for("conversations.open")
    bolt.drain()
    dms = [c for c in slack.calls("chat.postMessage") if c.ok]
    assert len(dms) > 5
    via_response_url = [c for c in slack.calls("response_url") if "blocks" in c.params]
    everything = via_response_url + dms
    assert prospect_lines(everything) == prospect_ids  # each once, in order: none lost, none repeated
    assert "1000 failed" in shown(dms)


def test_results_never_arrive_twice_when_they_fill_the_response_url(bolt: BoltUnderTest) -> None:
    """The intro and the parent take two of the response_url's five posts; four pages of results do not
    fit in the three left, so they go by DM, whole, and nothing is shown twice."""
    slack, saleshandy = bolt.slack, bolt.saleshandy
    slack.set_bot_not_in(CHANNEL)
    prospect_ids = [f"Pq{n:04d}xZ" for n in range(1000)]  # 1,000 created: four pages of results
    bolt.send.slash_command("call " + " ".join(prospect_ids))

    wait_for_creates(saleshandy, 10)
    wait_until(lambda: "1000 created" in shown(slack.calls()), what="the results")
    bolt.drain()
    everything = slack.calls("response_url") + [c for c in slack.calls("chat.postMessage") if c.ok]
    assert all(c.ok for c in slack.calls("response_url"))
    assert prospect_lines(everything) == prospect_ids


# ---- Slack rate limits ------------------------------------------------------------------------------------


def test_a_rate_limited_post_is_sent_again_and_the_results_arrive(bolt: BoltUnderTest) -> None:
    slack = bolt.slack
    slack.rate_limit_next("chat.postMessage", retry_after=0)
    bolt.send.slash_command("call 8PvBmrB7P7")

    limited, parent, reply = slack.wait_for("chat.postMessage", count=3)
    assert limited.status == 429 and limited.error == "ratelimited"
    assert parent.ok and parent.params == limited.params  # the same message, sent again
    assert reply.ok and reply.params["thread_ts"] == parent.response_json["ts"]
    assert "1 created" in message_text(reply.params)
    assert len(bolt.saleshandy.create_requests) == 1


def test_a_rate_limit_outlasting_the_retries_still_creates_the_tasks_and_tells_the_rep(
    bolt: BoltUnderTest,
) -> None:
    slack = bolt.slack
    slack.rate_limit_next("chat.postMessage", retry_after=0, times=4)  # the first try and three more
    bolt.send.slash_command("call 8PvBmrB7P7")

    wait_for_creates(bolt.saleshandy, 1)
    intro, parent, results = slack.wait_for("response_url", count=3)
    assert [c.status for c in slack.calls("chat.postMessage")] == [429] * 4
    assert "`ratelimited`" in intro.params["text"] and "/invite" not in intro.params["text"]
    assert "asked for a *Call · other* task" in parent.params["text"]
    assert "1 created" in message_text(results.params)


def test_a_slack_error_after_the_parent_sends_only_the_rest_to_the_rep(bolt: BoltUnderTest) -> None:
    slack, saleshandy = bolt.slack, bolt.saleshandy
    saleshandy.set_latency(0.5)  # time to script Slack's failure between the parent and the reply
    bolt.send.slash_command("call 8PvBmrB7P7")
    (parent,) = slack.wait_for("chat.postMessage")
    slack.fail_next("chat.postMessage", "internal_error")

    intro, results = slack.wait_for("response_url", count=2)
    assert parent.ok and slack.calls("chat.postMessage")[1].error == "internal_error"
    assert "`internal_error`" in intro.params["text"]
    assert "1 created" in message_text(results.params)
    bolt.drain()
    assert len(slack.calls("response_url")) == 2  # the parent is in the channel already: not repeated


# ---- Saleshandy errors, in plain words, with the retry button --------------------------------------------


def assert_reported_with_retry(app: BoltUnderTest, words: str, *, confirm: bool) -> RecordedCall:
    parent, reply = app.slack.wait_for("chat.postMessage", count=2)
    assert reply.params["thread_ts"] == parent.response_json["ts"]
    text = message_text(reply.params)
    assert words in text and words in reply.params["text"]
    (actions,) = [b for b in reply.params["blocks"] if b["type"] == "actions"]
    (button,) = actions["elements"]
    assert button["action_id"] == ids.RETRY_FAILED_ACTION_ID
    assert ("confirm" in button) is confirm  # "may have been created": the rep is asked to check first
    return reply


@pytest.mark.parametrize("bolt", [{"saleshandy_api_key": "sh-wrong-key-0000"}], indirect=True)
def test_a_rejected_api_key_is_reported_in_plain_words(bolt: BoltUnderTest) -> None:
    bolt.send.slash_command("call 8PvBmrB7P7 Pr9xQ2Lm")

    reply = assert_reported_with_retry(
        bolt, "The Saleshandy API key was rejected — check SALESHANDY_API_KEY.", confirm=False
    )
    assert "2 failed" in message_text(reply.params)
    (create,) = bolt.saleshandy.create_requests
    assert create.headers["x-api-key"] == "sh-wrong-key-0000"
    assert bolt.saleshandy.tasks == []
    assert "sh-wrong-key-0000" not in shown(bolt.slack.calls())


def test_an_exhausted_rate_limit_is_reported_in_plain_words(bolt: BoltUnderTest) -> None:
    bolt.saleshandy.rate_limit_next("0", times=4)  # the first try and three more
    bolt.send.slash_command("call 8PvBmrB7P7")

    reply = assert_reported_with_retry(
        bolt, "Saleshandy's rate limit was reached, so nothing was created", confirm=False
    )
    assert len(bolt.saleshandy.create_requests) == 4
    assert "1 failed" in message_text(reply.params)
    assert SALESHANDY_TEST_KEY not in shown(bolt.slack.calls())


def test_an_internal_error_is_reported_in_plain_words(bolt: BoltUnderTest) -> None:
    bolt.saleshandy.fail_next(500)
    bolt.send.slash_command("call 8PvBmrB7P7")

    reply = assert_reported_with_retry(
        bolt, "Saleshandy had an internal error; the task may have been created", confirm=True
    )
    assert "1 unknown" in message_text(reply.params)
    assert len(bolt.saleshandy.create_requests) == 1  # a 500 is never sent again silently
