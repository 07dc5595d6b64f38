"""/task over HTTP: signed requests in, what reached Slack and Saleshandy out (issue paths 1, 2, 3, 12)."""

from __future__ import annotations

import datetime
import json
from urllib.parse import urlencode

import pytest

from bot.domain import Priority, TaskType
from bot.parsing.command import describe_date
from bot.slack import ids
from tests.e2e.conftest import (
    CHANNEL,
    RunningApp,
    app_calls,
    input_element,
    message_text,
    opened_view,
    wait_for_creates,
)

pytestmark = pytest.mark.both_databases  # the whole path, on SQLite and on PostgreSQL

INPUT_BLOCKS = [
    ids.TASK_TYPE_BLOCK_ID,
    ids.PROSPECT_PICKER_BLOCK_ID,
    ids.PROSPECTS_BLOCK_ID,
    ids.DUE_DATE_BLOCK_ID,
    ids.PRIORITY_BLOCK_ID,
    ids.NOTE_BLOCK_ID,
]


def test_a_complete_command_creates_the_tasks_and_reports_in_a_thread(running_app: RunningApp) -> None:
    slack, saleshandy = running_app.slack, running_app.saleshandy
    response = running_app.driver.slash_command("call follow-up tomorrow high 8PvBmrB7P7 INVALIDxx1")
    assert response.status_code == 200

    parent, reply = slack.wait_for("chat.postMessage", count=2)
    tomorrow = running_app.today_for("America/Los_Angeles") + datetime.timedelta(days=1)
    assert [r.body for r in saleshandy.create_requests] == [
        {
            "prospectIds": ["8PvBmrB7P7", "INVALIDxx1"],
            "taskType": "13",
            "priority": "2",
            "dueDate": tomorrow.isoformat(),
        }
    ]
    assert parent.params["channel"] == CHANNEL and "thread_ts" not in parent.params
    assert reply.params["thread_ts"] == parent.response_json["ts"]
    assert "1 created · 1 failed" in message_text(reply.params)
    assert not slack.calls("views.open")


# ---- path 1: /task alone opens the form -------------------------------------------------------------


def test_task_alone_opens_the_empty_form_and_sends_nothing_to_saleshandy(running_app: RunningApp) -> None:
    slack = running_app.slack
    response = running_app.driver.slash_command("")
    assert response.status_code == 200 and response.text == ""

    (call,) = slack.wait_for("views.open")
    assert call.ok
    assert call.params["trigger_id"] == running_app.driver.last_payload["trigger_id"]
    view = call.params["view"]
    assert view["type"] == "modal" and view["callback_id"] == ids.TASK_MODAL_CALLBACK_ID
    assert [b["block_id"] for b in view["blocks"]] == INPUT_BLOCKS  # no notices: nothing to say yet
    # The picker and the text field are both optional: naming no prospect in either is our own error.
    assert [b["optional"] for b in view["blocks"]] == [False, True, True, True, True, True]
    for block in view["blocks"]:
        element = block["element"]
        assert not {"initial_option", "initial_value", "initial_date"} & set(element), element
    # The form remembers where to answer: the channel and the rep who asked.
    metadata = json.loads(view["private_metadata"])
    assert metadata["reply_to"]["channel"] == CHANNEL and metadata["reply_to"]["user"] == "U123"

    running_app.drain()  # anything the app might (wrongly) do after opening the form
    assert running_app.saleshandy.requests == []
    assert app_calls(slack) == ["views.open"]


# ---- path 2: /task help -----------------------------------------------------------------------------


@pytest.mark.parametrize("word", ["help", "HELP", "?", "--help"])
def test_help_answers_privately_in_the_ack_with_grammar_examples_types_and_priorities(
    running_app: RunningApp, word: str
) -> None:
    response = running_app.driver.slash_command(f"  {word} ")
    assert response.status_code == 200
    body = response.json()
    assert body.get("response_type", "ephemeral") == "ephemeral"  # Slack's default: only the rep sees it
    shown = message_text(body)
    assert "/task &lt;type&gt; &lt;prospects&gt; [due date] [priority]" in shown  # the grammar, escaped
    assert "/task call follow-up tomorrow high 8PvBmrB7P7" in shown  # an example
    for task_type in TaskType:
        assert task_type.label in shown, task_type
        assert f"*{task_type.group.label}*" in shown
    for priority in Priority:
        assert f"{priority.label}: " in shown and f"`p{priority.code}`" in shown

    running_app.drain()
    assert app_calls(running_app.slack) == []  # nothing posted, no form opened
    assert running_app.saleshandy.requests == []


# ---- path 3: incomplete commands open the form, prefilled ----------------------------------------------


def test_a_command_with_a_problem_opens_the_form_with_everything_understood_and_the_problem(
    running_app: RunningApp,
) -> None:
    slack = running_app.slack
    response = running_app.driver.slash_command(
        "demo in 3 days urgent bogusword 8PvBmrB7P7 <https://my.saleshandy.com/prospects/Pr9xQ2Lm|Jane Doe> "
        "note: bring the slides"
    )
    assert response.status_code == 200 and response.text == ""

    view = opened_view(slack)
    today = running_app.today_for("America/Los_Angeles")
    assert input_element(view, ids.TASK_TYPE_BLOCK_ID)["initial_option"]["value"] == TaskType.CALL_DEMO.code
    assert input_element(view, ids.PROSPECTS_BLOCK_ID)["initial_value"] == (
        "8PvBmrB7P7\nhttps://my.saleshandy.com/prospects/Pr9xQ2Lm\nbogusword"
    )
    in_3_days = today + datetime.timedelta(days=3)
    assert input_element(view, ids.DUE_DATE_BLOCK_ID)["initial_date"] == in_3_days.isoformat()
    assert input_element(view, ids.PRIORITY_BLOCK_ID)["initial_option"]["value"] == Priority.URGENT.code
    assert input_element(view, ids.NOTE_BLOCK_ID)["initial_value"] == "bring the slides"
    notices = view["blocks"][0]
    assert notices["block_id"] == ids.MODAL_NOTICES_BLOCK_ID
    assert notices["text"]["type"] == "plain_text" and "“bogusword”" in notices["text"]["text"]
    # The link's label is remembered for the results, though the form can only show the link.
    assert json.loads(view["private_metadata"])["names"] == {"Pr9xQ2Lm": "Jane Doe"}

    running_app.drain()
    assert running_app.saleshandy.requests == []
    assert not slack.calls("chat.postMessage")


def test_a_command_without_a_task_type_opens_the_form_saying_what_is_missing(running_app: RunningApp) -> None:
    running_app.driver.slash_command("8PvBmrB7P7 tomorrow low")

    view = opened_view(running_app.slack)
    tomorrow = running_app.today_for("America/Los_Angeles") + datetime.timedelta(days=1)
    assert "initial_option" not in input_element(view, ids.TASK_TYPE_BLOCK_ID)
    assert input_element(view, ids.PROSPECTS_BLOCK_ID)["initial_value"] == "8PvBmrB7P7"
    assert input_element(view, ids.DUE_DATE_BLOCK_ID)["initial_date"] == tomorrow.isoformat()
    assert input_element(view, ids.PRIORITY_BLOCK_ID)["initial_option"]["value"] == Priority.LOW.code
    assert "initial_value" not in input_element(view, ids.NOTE_BLOCK_ID)
    notices = view["blocks"][0]
    assert notices["block_id"] == ids.MODAL_NOTICES_BLOCK_ID
    assert "No task type given" in notices["text"]["text"]
    assert running_app.saleshandy.requests == []


def test_a_command_without_prospects_opens_the_form_saying_so(running_app: RunningApp) -> None:
    running_app.driver.slash_command("call tomorrow")

    view = opened_view(running_app.slack)
    assert input_element(view, ids.TASK_TYPE_BLOCK_ID)["initial_option"]["value"] == TaskType.CALL_OTHER.code
    assert "initial_value" not in input_element(view, ids.PROSPECTS_BLOCK_ID)
    assert "No prospect given" in view["blocks"][0]["text"]["text"]
    assert running_app.saleshandy.requests == []


def test_an_expired_trigger_tells_the_rep_instead_of_failing_silently(running_app: RunningApp) -> None:
    slack, driver = running_app.slack, running_app.driver
    fields = driver.slash_command_fields("")
    slack.expire_trigger(fields["trigger_id"])
    assert driver.send(urlencode(fields).encode()).status_code == 200

    (told,) = slack.wait_for("response_url")
    assert "open the task form" in message_text(told.params)
    assert told.params.get("response_type") == "ephemeral"


# ---- path 12: what reaches Saleshandy is plain text; escaped or raw command text parse the same --------


def test_the_note_sent_to_saleshandy_is_readable_plain_text(running_app: RunningApp) -> None:
    running_app.driver.slash_command(
        "call 8PvBmrB7P7 note: see <https://example.com/deal?a=1&amp;b=2|the deal> with <@U777|bob> "
        "&amp; <#C999|sales> R&amp;D &lt;3"
    )

    (create,) = wait_for_creates(running_app.saleshandy, 1)
    assert create.body["taskNote"] == (
        "see the deal (https://example.com/deal?a=1&b=2) with @bob & #sales R&D <3"
    )
    (task,) = running_app.saleshandy.tasks
    assert task.note == create.body["taskNote"]


def test_escaped_and_raw_command_text_create_the_same_task(running_app: RunningApp) -> None:
    slack, saleshandy = running_app.slack, running_app.saleshandy
    escaped = (
        "li msg <https://my.saleshandy.com/prospects/Pr9xQ2Lm> 8PvBmrB7P7 tomorrow p2 "
        "note: Q&amp;A, budget &gt; 10k"
    )
    raw = "li msg https://my.saleshandy.com/prospects/Pr9xQ2Lm 8PvBmrB7P7 tomorrow p2 note: Q&A, budget > 10k"

    running_app.driver.slash_command(escaped)
    first = wait_for_creates(saleshandy, 1)[0].body
    slack.wait_for("chat.postMessage", count=2)
    running_app.driver.slash_command(raw)
    second = wait_for_creates(saleshandy, 2)[1].body

    tomorrow = running_app.today_for("America/Los_Angeles") + datetime.timedelta(days=1)
    assert first == second == {
        "prospectIds": ["Pr9xQ2Lm", "8PvBmrB7P7"],
        "taskType": TaskType.LINKEDIN_MESSAGE.code,
        "dueDate": tomorrow.isoformat(),
        "priority": Priority.HIGH.code,
        "taskNote": "Q&A, budget > 10k",
    }
    slack.wait_for("chat.postMessage", count=4)
    parents = [c for c in slack.calls("chat.postMessage") if "thread_ts" not in c.params]
    assert len(parents) == 2
    assert all(describe_date(tomorrow) in c.params["text"] for c in parents)


# ---- a month-day that has just passed is asked about, never moved a year on silently ----------------


def test_a_month_day_that_just_passed_opens_the_form_on_next_years_date_and_asks(
    running_app: RunningApp,
) -> None:
    today = running_app.today_for("America/Los_Angeles")
    passed = today - datetime.timedelta(days=5)
    if (passed.month, passed.day) == (2, 29):
        passed -= datetime.timedelta(days=1)
    running_app.driver.slash_command(f"call 8PvBmrB7P7 {passed:%b} {passed.day} high")

    view = opened_view(running_app.slack)
    next_year = passed.replace(year=passed.year + 1)
    assert input_element(view, ids.DUE_DATE_BLOCK_ID)["initial_date"] == next_year.isoformat()
    assert input_element(view, ids.TASK_TYPE_BLOCK_ID)["initial_option"]["value"] == TaskType.CALL_OTHER.code
    notices = view["blocks"][0]
    assert notices["block_id"] == ids.MODAL_NOTICES_BLOCK_ID
    assert notices["text"]["text"] == (
        f"{passed:%b} {passed.day} has passed — did you mean {next_year.day} {next_year:%b %Y}?"
    )
    running_app.drain()
    assert running_app.saleshandy.requests == []
    assert not running_app.slack.calls("chat.postMessage")


def test_a_month_day_long_past_is_next_years_and_created_at_once(running_app: RunningApp) -> None:
    today = running_app.today_for("America/Los_Angeles")
    older = today - datetime.timedelta(days=40)
    if (older.month, older.day) == (2, 29):
        older -= datetime.timedelta(days=1)
    running_app.driver.slash_command(f"call 8PvBmrB7P7 {older:%b} {older.day}")

    (create,) = wait_for_creates(running_app.saleshandy, 1)
    assert create.body["dueDate"] == older.replace(year=older.year + 1).isoformat()
    assert not running_app.slack.calls("views.open")
