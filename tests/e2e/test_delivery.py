"""Nothing is lost: results the channel refuses are kept in the rep's DM with the app (a one-line pointer
where they acted), Slack rate limits are waited out, and Saleshandy's errors are told in plain words with
a retry (issue path 8)."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest

from bot.slack import ids
from bot_testing.slack import RecordedCall
from bot_testing.slack_driver import fill_view
from tests.conftest import SALESHANDY_TEST_KEY
from tests.e2e.conftest import RunningApp
from tests.helpers.slack_app import (
    CHANNEL,
    RETRIES_AT_ONCE,
    WAIT,
    assert_pointed_to_the_dm,
    dm_posts,
    message_text,
    opened_view,
    use_up,
    wait_for_creates,
    wait_until,
)

pytestmark = pytest.mark.both_databases  # the whole path, on SQLite and on PostgreSQL


def shown(calls: list[RecordedCall]) -> str:
    return "\n".join(message_text(c.params) for c in calls)


def prospect_lines(calls: list[RecordedCall]) -> list[str]:
    """The prospect IDs of every result line in `calls`, in order (repeats kept)."""
    return re.findall(r"[✅❌❔] \*(\w+)\*", "\n".join(message_text({"blocks": c.params.get("blocks", [])})
                                                  for c in calls))


# ---- the channel refuses: the rep's DM with the app, and a pointer to it ----------------------------------


@pytest.mark.parametrize("refusal", ["not_in_channel", "channel_not_found"])
def test_when_the_app_cannot_post_in_the_channel_the_results_are_kept_in_the_reps_dm(
    running_app: RunningApp, refusal: str
) -> None:
    slack = running_app.slack
    if refusal == "not_in_channel":
        slack.set_bot_not_in(CHANNEL)
    else:
        slack.set_missing_channel(CHANNEL)
    running_app.driver.slash_command("call 8PvBmrB7P7 INVALIDbb2")

    intro, parent, results = dm_posts(slack, at_least=3)
    assert slack.calls("chat.postMessage")[0].error == refusal
    dm = intro.params["channel"]
    assert parent.params["thread_ts"] == results.params["thread_ts"] == intro.response_json["ts"]
    assert f"`{refusal}`" in message_text(intro.params) and "/invite" in message_text(intro.params)
    assert "asked for a *Call · other* task" in parent.params["text"]
    assert "1 created · 1 failed" in message_text(results.params)
    assert prospect_lines([results]) == ["8PvBmrB7P7", "INVALIDbb2"]
    assert_pointed_to_the_dm(slack, dm)
    running_app.drain()
    assert len(slack.calls("response_url")) == 1 and len(dm_posts(slack, at_least=3)) == 3  # nothing twice


def test_a_retry_pressed_in_the_dm_reports_in_that_thread(running_app: RunningApp) -> None:
    slack, saleshandy, driver = running_app.slack, running_app.saleshandy, running_app.driver
    slack.set_bot_not_in(CHANNEL)
    saleshandy.fail_next(500)
    driver.slash_command("call 8PvBmrB7P7")
    intro, _, results = dm_posts(slack, at_least=3)
    dm = intro.params["channel"]
    assert "1 unknown" in message_text(results.params)
    running_app.drain()

    (message,) = [m for m in slack.messages(dm) if ids.RETRY_FAILED_ACTION_ID in str(m.get("blocks"))]
    assert driver.press_button(message, ids.RETRY_FAILED_ACTION_ID, channel_id=dm).status_code == 200

    retried = dm_posts(slack, at_least=4)[-1]
    assert retried.params["thread_ts"] == intro.response_json["ts"]
    assert "Retry: 1 created" in message_text(retried.params)
    assert [r.body["prospectIds"] for r in saleshandy.create_requests] == [["8PvBmrB7P7"]] * 2
    assert len(slack.calls("chat.postMessage")) == 5  # the channel was not tried again


def test_a_shortcut_in_a_channel_without_the_app_keeps_the_results_in_the_reps_dm(
    running_app: RunningApp,
) -> None:
    slack, driver = running_app.slack, running_app.driver
    message = slack.add_message(CHANNEL, "call https://my.saleshandy.com/prospects/aN7kQ2xLm4 today")
    slack.set_bot_not_in(CHANNEL)  # shortcuts work in any channel; posting there does not
    driver.message_shortcut(message, callback_id=ids.MESSAGE_SHORTCUT_CALLBACK_ID)
    view = opened_view(slack)
    driver.view_submission(view, fill_view(view, {ids.TASK_TYPE_ACTION_ID: "11"}))

    intro, results = dm_posts(slack, at_least=2)
    refused = slack.calls("chat.postMessage")[0]
    assert refused.error == "not_in_channel" and refused.params["thread_ts"] == message["ts"]
    assert "`not_in_channel`" in intro.params["text"]
    assert "1 created" in message_text(results.params)
    assert_pointed_to_the_dm(slack, intro.params["channel"])
    assert [t.prospect_id for t in running_app.saleshandy.tasks] == ["aN7kQ2xLm4"]


def test_when_even_the_dm_is_refused_the_results_go_by_response_url(running_app: RunningApp) -> None:
    """The last resort: shown to the rep alone where they asked (gone on reload, but not lost now)."""
    slack = running_app.slack
    slack.fail_next("chat.postMessage", "invalid_auth", times=2)  # the channel, then the DM
    running_app.driver.slash_command("call 8PvBmrB7P7")

    intro, parent, results = slack.wait_for("response_url", count=3)
    assert [c.error for c in slack.calls("chat.postMessage")] == ["invalid_auth"] * 2
    assert all(c.ok and c.params["response_type"] == "ephemeral" for c in (intro, parent, results))
    assert "`invalid_auth`" in intro.params["text"] and "asked for" in parent.params["text"]
    assert "1 created" in message_text(results.params)
    running_app.drain()
    assert len(slack.calls("conversations.open")) == 1 and len(slack.calls("chat.postMessage")) == 2


def test_when_the_response_url_is_used_up_the_results_go_by_dm(running_app: RunningApp) -> None:
    slack, driver = running_app.slack, running_app.driver
    slack.set_bot_not_in(CHANNEL)
    fields = driver.slash_command_fields("call 8PvBmrB7P7")
    use_up(fields["response_url"])
    assert driver.send(urlencode(fields).encode()).status_code == 200

    wait_for_creates(running_app.saleshandy, 1)
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


def test_results_longer_than_five_posts_go_by_dm_whole(running_app: RunningApp) -> None:
    slack, saleshandy = running_app.slack, running_app.saleshandy
    slack.set_bot_not_in(CHANNEL)
    prospect_ids = [f"INVALIDq{n:04d}Zx" for n in range(1000)]  # long lines: many pages of results
    running_app.driver.slash_command("call " + " ".join(prospect_ids))

    wait_for_creates(saleshandy, 10)
    slack.wait_for("conversations.open")
    running_app.drain()
    dms = [c for c in slack.calls("chat.postMessage") if c.ok]
    assert len(dms) > 5
    via_response_url = [c for c in slack.calls("response_url") if "blocks" in c.params]
    everything = via_response_url + dms
    assert prospect_lines(everything) == prospect_ids  # each once, in order: none lost, none repeated
    assert "1000 failed" in shown(dms)


def test_results_never_arrive_twice_when_they_are_long(running_app: RunningApp) -> None:
    """Four pages of results go to the DM, whole; the response_url carries only the pointer to it."""
    slack, saleshandy = running_app.slack, running_app.saleshandy
    slack.set_bot_not_in(CHANNEL)
    prospect_ids = [f"Pq{n:04d}xZ" for n in range(1000)]  # 1,000 created: four pages of results
    running_app.driver.slash_command("call " + " ".join(prospect_ids))

    wait_for_creates(saleshandy, 10)
    wait_until(lambda: "1000 created" in shown(slack.calls()), what="the results")
    running_app.drain()
    everything = slack.calls("response_url") + [c for c in slack.calls("chat.postMessage") if c.ok]
    assert [c.ok for c in slack.calls("response_url")] == [True]
    assert prospect_lines(everything) == prospect_ids


# ---- Slack rate limits ------------------------------------------------------------------------------------


@pytest.mark.parametrize("running_app", [pytest.param(RETRIES_AT_ONCE, id="retries at once")], indirect=True)
def test_a_rate_limited_post_is_sent_again_and_the_results_arrive(running_app: RunningApp) -> None:
    slack = running_app.slack
    slack.rate_limit_next("chat.postMessage", retry_after=0)
    running_app.driver.slash_command("call 8PvBmrB7P7")

    limited, parent, reply = slack.wait_for("chat.postMessage", count=3)
    assert limited.status == 429 and limited.error == "ratelimited"
    assert parent.ok and parent.params == limited.params  # the same message, sent again
    assert reply.ok and reply.params["thread_ts"] == parent.response_json["ts"]
    assert "1 created" in message_text(reply.params)
    assert len(running_app.saleshandy.create_requests) == 1


@pytest.mark.parametrize("running_app", [pytest.param(RETRIES_AT_ONCE, id="retries at once")], indirect=True)
def test_a_rate_limit_outlasting_the_retries_still_creates_the_tasks_and_tells_the_rep(
    running_app: RunningApp,
) -> None:
    slack = running_app.slack
    slack.rate_limit_next("chat.postMessage", retry_after=0, times=4)  # the first try and three more
    running_app.driver.slash_command("call 8PvBmrB7P7")

    wait_for_creates(running_app.saleshandy, 1)
    intro, parent, results = dm_posts(slack, at_least=3)
    assert [c.status for c in slack.calls("chat.postMessage")][:4] == [429] * 4
    assert "`ratelimited`" in intro.params["text"] and "/invite" not in intro.params["text"]
    assert "asked for a *Call · other* task" in parent.params["text"]
    assert "1 created" in message_text(results.params)


def test_a_slack_error_after_the_parent_sends_only_the_rest_to_the_rep(running_app: RunningApp) -> None:
    slack, saleshandy = running_app.slack, running_app.saleshandy
    saleshandy.set_latency(WAIT)  # no reply before Slack's failure is scripted, between the parent and it
    running_app.driver.slash_command("call 8PvBmrB7P7")
    (parent,) = slack.wait_for("chat.postMessage")
    slack.fail_next("chat.postMessage", "internal_error")
    saleshandy.set_latency(0)
    saleshandy.answer_waiting()

    intro, results = dm_posts(slack, at_least=2)
    assert parent.ok and slack.calls("chat.postMessage")[1].error == "internal_error"
    assert "`internal_error`" in intro.params["text"]
    assert "1 created" in message_text(results.params)
    assert_pointed_to_the_dm(slack, intro.params["channel"])
    running_app.drain()
    assert len(dm_posts(slack, at_least=2)) == 2  # the parent is in the channel already: not repeated


# ---- Saleshandy errors, in plain words, with the retry button --------------------------------------------


def assert_reported_with_retry(app: RunningApp, words: str, *, confirm: bool) -> RecordedCall:
    parent, reply = app.slack.wait_for("chat.postMessage", count=2)
    assert reply.params["thread_ts"] == parent.response_json["ts"]
    text = message_text(reply.params)
    assert words in text and words in reply.params["text"]
    (actions,) = [b for b in reply.params["blocks"] if b["type"] == "actions"]
    (button,) = actions["elements"]
    assert button["action_id"] == ids.RETRY_FAILED_ACTION_ID
    assert ("confirm" in button) is confirm  # "may have been created": the rep is asked to check first
    return reply


@pytest.mark.parametrize("running_app", [{"saleshandy_api_key": "sh-wrong-key-0000"}], indirect=True)
def test_a_rejected_api_key_is_reported_in_plain_words(running_app: RunningApp) -> None:
    running_app.driver.slash_command("call 8PvBmrB7P7 Pr9xQ2Lm")

    reply = assert_reported_with_retry(
        running_app, "The Saleshandy API key was rejected — check SALESHANDY_API_KEY.", confirm=False
    )
    assert "2 failed" in message_text(reply.params)
    (create,) = running_app.saleshandy.create_requests
    assert create.headers["x-api-key"] == "sh-wrong-key-0000"
    assert running_app.saleshandy.tasks == []
    assert "sh-wrong-key-0000" not in shown(running_app.slack.calls())


def test_an_exhausted_rate_limit_is_reported_in_plain_words(running_app: RunningApp) -> None:
    running_app.saleshandy.rate_limit_next("0", times=4)  # the first try and three more
    running_app.driver.slash_command("call 8PvBmrB7P7")

    reply = assert_reported_with_retry(
        running_app, "Saleshandy's rate limit was reached, so nothing was created", confirm=False
    )
    assert len(running_app.saleshandy.create_requests) == 4
    assert "1 failed" in message_text(reply.params)
    assert SALESHANDY_TEST_KEY not in shown(running_app.slack.calls())


def test_an_internal_error_is_reported_in_plain_words(running_app: RunningApp) -> None:
    running_app.saleshandy.fail_next(500)
    running_app.driver.slash_command("call 8PvBmrB7P7")

    reply = assert_reported_with_retry(
        running_app, "Saleshandy had an internal error; the task may have been created", confirm=True
    )
    assert "1 unknown" in message_text(reply.params)
    assert len(running_app.saleshandy.create_requests) == 1  # a 500 is never sent again silently
