"""Slack failing the app: rate limits that outlast the retries, a channel the app is not in or cannot see, a
token Slack no longer accepts, an expired trigger_id. The rep still hears what happened, privately, every
prospect is reported once, nothing is created twice, and the next command works."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

import pytest

from bot.slack import ids
from bot_testing.slack import FakeSlack
from tests.e2e.conftest import CHANNEL, WAIT, RunningApp, message_text
from tests.helpers.faults import (
    COMMAND,
    PROSPECTS,
    assert_each_prospect_once,
    assert_next_command_works,
    assert_no_task_twice,
)
from tests.helpers.slack_app import RETRIES_AT_ONCE, assert_pointed_to_the_dm, dm_posts, use_up

EXPECTED = dict(zip(PROSPECTS, ("failed", "created", "created"), strict=True))

Break = Callable[[FakeSlack], None]
CHANNEL_FAULTS: dict[str, tuple[Break, Break]] = {
    # name: (break Slack, mend it)
    "ratelimited past the retries": (
        lambda s: s.rate_limit_next("chat.postMessage", retry_after=0, times=4), lambda s: None
    ),
    "not_in_channel": (lambda s: s.set_bot_not_in(CHANNEL), lambda s: s.set_bot_in(CHANNEL)),
    "channel_not_found": (lambda s: s.set_missing_channel(CHANNEL), lambda s: s.restore_channel(CHANNEL)),
    "invalid_auth": (lambda s: s.fail_next("chat.postMessage", "invalid_auth"), lambda s: None),
    "token_revoked": (lambda s: s.fail_next("chat.postMessage", "token_revoked"), lambda s: None),
}
REASON = {"ratelimited past the retries": "ratelimited"}


@pytest.mark.parametrize(
    ("fault", "running_app"),
    [(fault, RETRIES_AT_ONCE) for fault in CHANNEL_FAULTS],
    indirect=["running_app"],
    ids=list(CHANNEL_FAULTS),
)
def test_when_slack_refuses_the_channel_the_rep_gets_everything_in_their_dm_and_the_app_goes_on(
    running_app: RunningApp, fault: str
) -> None:
    slack, saleshandy = running_app.slack, running_app.saleshandy
    break_slack, mend_slack = CHANNEL_FAULTS[fault]
    break_slack(slack)

    assert running_app.driver.slash_command(COMMAND).status_code == 200

    intro, parent, results = dm_posts(slack, at_least=3)
    assert_pointed_to_the_dm(slack, intro.params["channel"])
    reason = REASON.get(fault, fault)
    assert f"I couldn't post in <#{CHANNEL}> (`{reason}`) — here are your results." in intro.params["text"]
    assert "asked for a *Call · other* task" in parent.params["text"]
    assert "2 created · 1 failed" in results.params["text"]
    assert_each_prospect_once([results], saleshandy, EXPECTED)
    assert len(saleshandy.create_requests) == 1
    assert_no_task_twice(saleshandy)
    in_channel = [c for c in slack.calls("chat.postMessage") if c.ok and c.params["channel"] == CHANNEL]
    assert not in_channel  # nothing half in the channel

    mend_slack(slack)
    assert_next_command_works(running_app)


@pytest.mark.parametrize("refusal", ["invalid_auth", "not_in_channel"])
def test_a_refusal_after_the_parent_sends_the_results_to_the_dm_once(
    running_app: RunningApp, refusal: str
) -> None:
    slack, saleshandy = running_app.slack, running_app.saleshandy
    saleshandy.set_latency(WAIT)  # no results before Slack is broken, between the parent and them
    running_app.driver.slash_command(COMMAND)
    (parent,) = slack.wait_for("chat.postMessage")
    assert parent.ok
    slack.fail_next("chat.postMessage", refusal)
    saleshandy.set_latency(0)
    saleshandy.answer_waiting()

    intro, results = dm_posts(slack, at_least=2)
    assert f"(`{refusal}`) — here are your results" in intro.params["text"]
    assert_each_prospect_once([results], saleshandy, EXPECTED)
    running_app.drain()
    assert len(dm_posts(slack, at_least=2)) == 2  # the parent is not sent again
    assert_next_command_works(running_app)


# ---- an expired trigger_id: the form cannot open ------------------------------------------------------


def expire_and_send_command(app: RunningApp) -> None:
    fields = app.driver.slash_command_fields("call tomorrow")  # no prospect: the form must open
    app.slack.expire_trigger(fields["trigger_id"])
    assert app.driver.send(urlencode(fields).encode()).status_code == 200


def expire_and_run_shortcut(app: RunningApp) -> None:
    message = app.slack.add_message(CHANNEL, "call 8PvBmrB7P7 tomorrow")
    payload = app.driver.message_shortcut_payload(message, callback_id=ids.MESSAGE_SHORTCUT_CALLBACK_ID)
    app.slack.expire_trigger(payload["trigger_id"])
    assert app.driver.send_payload(payload).status_code == 200


@pytest.mark.parametrize(
    "send", [expire_and_send_command, expire_and_run_shortcut], ids=["command", "shortcut"]
)
def test_an_expired_trigger_tells_the_rep_to_run_it_again_and_creates_nothing(
    running_app: RunningApp, send: Callable[[RunningApp], None]
) -> None:
    slack = running_app.slack
    send(running_app)

    (told,) = slack.wait_for("response_url")
    assert told.params["response_type"] == "ephemeral" and told.user == "U123"
    expected = "Slack did not let me open the task form in time. Please run it again."
    assert expected in message_text(told.params)
    (refused,) = slack.calls("views.open")
    assert refused.error == "expired_trigger_id"
    running_app.drain()
    assert running_app.saleshandy.requests == []
    assert slack.calls("chat.postMessage") == []
    assert_next_command_works(running_app)


def test_when_slack_refuses_even_the_dm_the_app_gives_up_once_instead_of_looping(
    running_app: RunningApp,
) -> None:
    """Channel refused, response_url used up, the DM refused too: nowhere is left for the announcement.
    The app must not open the DM again and again; the tasks are still created, and the results, which
    then say what was asked, go where Slack takes them (here the channel, working again)."""
    slack, driver = running_app.slack, running_app.driver
    slack.fail_next("chat.postMessage", "invalid_auth", times=2)  # the channel, then the DM
    fields = driver.slash_command_fields(COMMAND)
    use_up(fields["response_url"])
    assert driver.send(urlencode(fields).encode()).status_code == 200

    slack.wait_for("conversations.open")
    running_app.drain()
    assert [c.error for c in slack.calls("chat.postMessage")] == ["invalid_auth", "invalid_auth", None]
    assert len(slack.calls("conversations.open")) == 1
    assert len(running_app.saleshandy.create_requests) == 1
    results = slack.calls("chat.postMessage")[-1]
    assert "asked for" in message_text(results.params) and "thread_ts" not in results.params
    assert_next_command_works(running_app)


@pytest.mark.parametrize("running_app", [pytest.param(RETRIES_AT_ONCE, id="retries at once")], indirect=True)
def test_a_network_failure_posting_the_parent_still_creates_the_tasks_and_tells_the_rep(
    running_app: RunningApp,
) -> None:
    """The connection to Slack breaks on the parent message (and on slack_sdk's own retry of it): the
    submission goes on, and the announcement and results reach the rep in their DM with the app."""
    slack, driver = running_app.slack, running_app.driver
    slack.drop_next("chat.postMessage", times=2)
    driver.slash_command(COMMAND)
    running_app.drain()

    assert [c.error for c in slack.calls("chat.postMessage")][:2] == ["connection_dropped"] * 2
    assert len(running_app.saleshandy.create_requests) == 1
    told = dm_posts(slack, at_least=3)
    assert any("asked for" in message_text(c.params) for c in told)
    expected = dict(zip(PROSPECTS, ("failed", "created", "created"), strict=True))
    assert_each_prospect_once(told, running_app.saleshandy, expected)
    assert_next_command_works(running_app)
