"""Results in the thread, within Slack's limits, and the "Retry failed" button (issue path 6)."""

from __future__ import annotations

import datetime
import re
import threading
from typing import Any

import httpx
import pytest

from bot.domain import Priority, TaskType
from bot.parsing.command import describe_date
from bot.service import RetryRefused
from bot.slack import ids
from bot.slack.blocks.results import WHY_NOT_RETRIED
from bot_testing.slack import RecordedCall
from bot_testing.slack_driver import fill_view
from tests.e2e.conftest import (
    CHANNEL,
    RunningApp,
    message_text,
    opened_view,
    wait_for_creates,
    wait_until,
)
from tests.helpers.slack_app import thread_message_with_retry

# On SQLite only: a retry read back from the store runs on both databases in tests/test_workflow.py and
# tests/test_store.py, the whole path in test_command.py.

ALREADY_RETRIED = WHY_NOT_RETRIED[RetryRefused.ALREADY_RETRIED]


def lines_of(call: RecordedCall) -> list[str]:
    return [line for _, text in _mrkdwn(call.params["blocks"]) for line in text.split("\n")]


def _mrkdwn(blocks: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [("mrkdwn", b["text"]["text"]) for b in blocks if b.get("type") == "section"]


# ---- what a command's results look like ------------------------------------------------------------------


def test_the_parent_says_who_what_when_priority_and_how_many_and_the_reply_reports_each_prospect(
    running_app: RunningApp,
) -> None:
    slack, saleshandy = running_app.slack, running_app.saleshandy
    running_app.driver.slash_command(
        "demo tomorrow urgent 8PvBmrB7P7 <https://my.saleshandy.com/prospects/Pr9xQ2Lm|Jane Doe> INVALIDaa1"
    )

    parent, reply = slack.wait_for("chat.postMessage", count=2)
    tomorrow = running_app.today_for("America/Los_Angeles") + datetime.timedelta(days=1)
    assert parent.params["channel"] == CHANNEL and "thread_ts" not in parent.params
    assert parent.params["text"] == (
        f"<@U123> asked for a *Call · demo* task · due *{describe_date(tomorrow)}* · priority *Urgent*"
        " · 3 prospects"
    )
    assert describe_date(tomorrow).startswith(f"{tomorrow:%a} ")  # the weekday, at a glance

    assert reply.params["channel"] == CHANNEL and reply.params["thread_ts"] == parent.response_json["ts"]
    task_of = {t.prospect_id: t.task_id for t in saleshandy.tasks}
    lines = lines_of(reply)
    assert lines[0] == "*2 created · 1 failed*"
    assert lines[1] == f"✅ *8PvBmrB7P7* — task {task_of['8PvBmrB7P7']}"
    jane = "<https://my.saleshandy.com/prospects/Pr9xQ2Lm|Jane Doe>"
    assert lines[2] == f"✅ *{jane}* (Pr9xQ2Lm) — task {task_of['Pr9xQ2Lm']}"
    assert lines[3].startswith("❌ *INVALIDaa1* — Saleshandy could not create a task for this prospect")
    assert "2 created · 1 failed" in reply.params["text"]  # the notification says it too


def test_a_thousand_prospects_are_split_over_several_replies_none_lost_none_repeated(
    running_app: RunningApp,
) -> None:
    slack, saleshandy, driver = running_app.slack, running_app.saleshandy, running_app.driver
    prospect_ids = [f"{'INVALID' if n % 10 == 0 else 'Pq'}{n:04d}xZ" for n in range(1000)]
    driver.slash_command("")
    view = opened_view(slack)
    values = fill_view(
        view,
        {
            ids.TASK_TYPE_ACTION_ID: TaskType.CALL_FOLLOW_UP.code,
            ids.PROSPECTS_ACTION_ID: "\n".join(prospect_ids),
        },
    )
    assert driver.view_submission(view, values).text == ""

    requests = wait_for_creates(saleshandy, 10)
    assert [len(r.body["prospectIds"]) for r in requests] == [100] * 10  # chunks of 100
    wait_until(lambda: len(slack.calls("chat.postMessage")) >= 3, what="the parent and several replies")
    running_app.drain()  # let every reply arrive
    parent, *replies = slack.calls("chat.postMessage")
    assert "1000 prospects" in parent.params["text"]
    assert len(replies) >= 2 and all(r.ok for r in replies)
    assert all(r.params["thread_ts"] == parent.response_json["ts"] for r in replies)
    assert all(len(r.params["blocks"]) <= 50 for r in replies)
    assert "*900 created · 100 failed*" in message_text(replies[0].params)

    shown = "\n".join(message_text({"blocks": r.params["blocks"]}) for r in replies)
    counts = {pid: len(re.findall(rf"\*{pid}\*", shown)) for pid in prospect_ids}
    assert set(counts.values()) == {1}, {pid: n for pid, n in counts.items() if n != 1}
    # One line per prospect, in the order given.
    assert re.findall(r"\*((?:INVALID|Pq)\d{4}xZ)\*", shown) == prospect_ids
    # The retry button comes once, at the very end.
    buttons = [r for r in replies if ids.RETRY_FAILED_ACTION_ID in str(r.params["blocks"])]
    assert buttons == [replies[-1]]


# ---- the retry button --------------------------------------------------------------------------------------


@pytest.mark.parametrize("running_app", [{"saleshandy_chunk_size": 2}], indirect=True)
def test_retry_resubmits_exactly_the_failed_prospects_with_the_same_fields_in_the_same_thread(
    running_app: RunningApp,
) -> None:
    slack, saleshandy, driver = running_app.slack, running_app.saleshandy, running_app.driver
    saleshandy.fail_next(500, after=1)  # the second chunk meets an internal error: nothing created
    driver.slash_command("wa voice message 8PvBmrB7P7 Pr9xQ2Lm Ab12Cd34 Ef56Gh78 in 2 days p3 note: Q&A call")

    first, second = wait_for_creates(saleshandy, 2)
    parent, reply = slack.wait_for("chat.postMessage", count=2)
    thread = parent.response_json["ts"]
    shown = message_text(reply.params)
    assert "2 created · 2 unknown" in shown and "internal error" in shown
    message = thread_message_with_retry(running_app, thread)
    button = next(e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"])
    assert button["text"]["text"] == "Retry unknown (2)" and "confirm" in button  # check first

    assert driver.press_button(message, ids.RETRY_FAILED_ACTION_ID).status_code == 200

    retry = wait_for_creates(saleshandy, 3)[2]
    assert retry.body == {**first.body, "prospectIds": ["Ab12Cd34", "Ef56Gh78"]}
    assert retry.body == {
        "prospectIds": ["Ab12Cd34", "Ef56Gh78"],
        "taskType": TaskType.WHATSAPP_VOICE_MESSAGE.code,
        "dueDate": (running_app.today_for("America/Los_Angeles") + datetime.timedelta(days=2)).isoformat(),
        "priority": Priority.MEDIUM.code,
        "taskNote": "Q&A call",
    }
    assert second.body["prospectIds"] == retry.body["prospectIds"]
    *_, retry_reply = slack.wait_for("chat.postMessage", count=3)
    assert retry_reply.params["thread_ts"] == thread and retry_reply.params["channel"] == CHANNEL
    assert "Retry: 2 created" in message_text(retry_reply.params)
    assert ids.RETRY_FAILED_ACTION_ID not in str(retry_reply.params["blocks"])  # nothing left to retry
    created = sorted(t.prospect_id for t in saleshandy.tasks)
    assert created == ["8PvBmrB7P7", "Ab12Cd34", "Ef56Gh78", "Pr9xQ2Lm"]


def test_a_double_click_on_retry_creates_nothing_twice(running_app: RunningApp) -> None:
    slack, saleshandy, driver = running_app.slack, running_app.saleshandy, running_app.driver
    saleshandy.fail_next(503)
    driver.slash_command("call 8PvBmrB7P7 Pr9xQ2Lm")
    parent, _ = slack.wait_for("chat.postMessage", count=2)
    message = thread_message_with_retry(running_app, parent.response_json["ts"])
    assert saleshandy.tasks == []

    responses: list[httpx.Response] = []

    def click() -> None:
        responses.append(driver.press_button(message, ids.RETRY_FAILED_ACTION_ID))

    clicks = [threading.Thread(target=click) for _ in range(2)]
    for one in clicks:
        one.start()
    for one in clicks:
        one.join()
    assert [r.status_code for r in responses] == [200, 200]

    slack.wait_for("chat.postMessage", count=3)
    # One click hears the retry started, the other that it was already done.
    told = slack.wait_for("response_url", count=2)
    assert all(t.params["response_type"] == "ephemeral" for t in told)
    assert all(t.params.get("replace_original") is False for t in told)
    assert sorted(ALREADY_RETRIED in message_text(t.params) for t in told) == [False, True]
    assert any("Retrying 2 prospects" in message_text(t.params) for t in told)
    driver.press_button(message, ids.RETRY_FAILED_ACTION_ID)  # and a third click, later
    slack.wait_for("response_url", count=3)
    running_app.drain()
    assert len(saleshandy.create_requests) == 2  # the first attempt, one retry
    assert sorted(t.prospect_id for t in saleshandy.tasks) == ["8PvBmrB7P7", "Pr9xQ2Lm"]
    assert len(slack.calls("chat.postMessage")) == 3


def test_a_retry_that_fails_again_offers_its_own_retry(running_app: RunningApp) -> None:
    slack, saleshandy, driver = running_app.slack, running_app.saleshandy, running_app.driver
    saleshandy.fail_next(500, times=2)
    driver.slash_command("call 8PvBmrB7P7")
    parent, _ = slack.wait_for("chat.postMessage", count=2)
    thread = parent.response_json["ts"]

    driver.press_button(thread_message_with_retry(running_app, thread), ids.RETRY_FAILED_ACTION_ID)
    *_, failed_again = slack.wait_for("chat.postMessage", count=3)
    assert "Retry: 1 unknown" in message_text(failed_again.params)
    driver.press_button(thread_message_with_retry(running_app, thread), ids.RETRY_FAILED_ACTION_ID)
    *_, created = slack.wait_for("chat.postMessage", count=4)

    assert "Retry: 1 created" in message_text(created.params) and created.params["thread_ts"] == thread
    assert [r.body["prospectIds"] for r in saleshandy.create_requests] == [["8PvBmrB7P7"]] * 3
    assert [t.prospect_id for t in saleshandy.tasks] == ["8PvBmrB7P7"]


def test_a_retry_button_whose_submission_is_unknown_says_so_and_what_to_do(running_app: RunningApp) -> None:
    slack, driver = running_app.slack, running_app.driver
    action = {"type": "button", "action_id": ids.RETRY_FAILED_ACTION_ID, "value": "0" * 32}
    message = slack.add_message(CHANNEL, "old results", user="UBOT")
    assert driver.block_action(action, message=message).status_code == 200
    (told,) = slack.wait_for("response_url")
    assert "no longer have the details" in message_text(told.params)
    assert "Run /task again" in message_text(told.params)
    assert running_app.saleshandy.create_requests == []
