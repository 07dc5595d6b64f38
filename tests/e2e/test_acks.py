"""Every listener acks within Slack's 3 seconds, however slow Saleshandy is (issue path 10)."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest

from bot.slack import ids
from bot_testing.slack_driver import fill_view
from tests.e2e.conftest import CHANNEL, RunningApp, message_text, opened_view, wait_for_creates, wait_until

SLOW_SALESHANDY = 1.5
"""Seconds the fake Saleshandy takes per request: half of Slack's 3 s on its own, and more than an ack may
take, so an ack that waited for Saleshandy at all would fail."""
FAST_ACK = 1.0


def timed(send: Callable[[], httpx.Response]) -> tuple[httpx.Response, float]:
    started = time.perf_counter()
    response = send()
    return response, time.perf_counter() - started


@pytest.mark.parametrize("running_app", [{"saleshandy_timeout_seconds": 6.0}], indirect=True)
def test_command_form_shortcut_and_retry_ack_at_once_while_saleshandy_is_slow(
    running_app: RunningApp,
) -> None:
    slack, saleshandy, driver = running_app.slack, running_app.saleshandy, running_app.driver
    driver.slash_command("")  # the form, opened before Saleshandy turns slow
    view = opened_view(slack)
    saleshandy.set_latency(SLOW_SALESHANDY)

    command, command_took = timed(lambda: driver.slash_command("call 8PvBmrB7P7 INVALIDdQ4"))
    values = fill_view(view, {ids.TASK_TYPE_ACTION_ID: "12", ids.PROSPECTS_ACTION_ID: "Pr9xQ2Lm"})
    submission, submission_took = timed(lambda: driver.view_submission(view, values))
    message = slack.add_message(CHANNEL, "https://my.saleshandy.com/prospects/AbC123xyz9")
    shortcut, shortcut_took = timed(
        lambda: driver.message_shortcut(message, callback_id=ids.MESSAGE_SHORTCUT_CALLBACK_ID)
    )

    assert [command.status_code, submission.status_code, shortcut.status_code] == [200, 200, 200]
    assert submission.text == ""  # the modal closes
    assert max(command_took, submission_took, shortcut_took) < FAST_ACK, (
        command_took, submission_took, shortcut_took,
    )
    # Only the acks had to meet a slow Saleshandy: the work goes at speed from here.
    saleshandy.set_latency(0)
    saleshandy.answer_waiting()

    # The work still gets done, and reported: two parents, two replies.
    wait_until(lambda: len(slack.calls("chat.postMessage")) >= 4, what="both results", timeout=10)
    replies = [c for c in slack.calls("chat.postMessage") if "thread_ts" in c.params]
    summaries = sorted(message_text(r.params).split("\n")[0] for r in replies)
    assert summaries == ["1 created", "1 created · 1 failed"]
    assert sorted(t.prospect_id for t in saleshandy.tasks) == ["8PvBmrB7P7", "Pr9xQ2Lm"]

    # The retry button too, with Saleshandy slow again.
    failed = next(r for r in replies if "failed" in r.params["text"])
    recorded = next(m for m in slack.messages(CHANNEL) if m["ts"] == failed.response_json["ts"])
    saleshandy.set_latency(SLOW_SALESHANDY)
    retry, retry_took = timed(lambda: driver.press_button(recorded, ids.RETRY_FAILED_ACTION_ID))
    assert retry.status_code == 200 and retry_took < FAST_ACK, retry_took
    saleshandy.set_latency(0)
    saleshandy.answer_waiting()
    wait_for_creates(saleshandy, 3, timeout=10)
    wait_until(lambda: len(slack.calls("chat.postMessage")) >= 5, what="the retry's results", timeout=10)
    assert "Retry: 1 failed" in message_text(slack.calls("chat.postMessage")[-1].params)
