"""Every kind of listener, dispatched to Bolt in this process (bolt-python's scenario-test style): the
ack Bolt returns, then what reached the fake Slack and the fake Saleshandy."""

from __future__ import annotations

import datetime
import json
from typing import Any

from bot.domain import TaskType
from bot.slack import ids
from bot_testing.slack_driver import fill_view
from tests.helpers.dispatch import ack_json
from tests.helpers.slack_app import (
    CHANNEL,
    app_calls,
    input_element,
    message_text,
    opened_view,
    today_in,
    wait_for_creates,
)
from tests.slack.conftest import BoltUnderTest

REP_ZONE = "America/Los_Angeles"
"""The zone the fake Slack gives its default user (U123)."""


# ---- signatures: Bolt's own check, before any listener ----------------------------------------------------


def test_a_request_signed_with_another_secret_is_refused_and_nothing_runs(bolt: BoltUnderTest) -> None:
    response = bolt.send.send("command=%2Ftask&text=call+8PvBmrB7P7", signature="v0=" + "0" * 64)

    assert response.status == 401
    bolt.drain()
    assert app_calls(bolt.slack) == [] and bolt.saleshandy.requests == []


# ---- the command -------------------------------------------------------------------------------------------


def test_a_complete_command_is_acked_empty_creates_the_tasks_and_reports_in_a_thread(
    bolt: BoltUnderTest,
) -> None:
    response = bolt.send.slash_command("call follow-up tomorrow high 8PvBmrB7P7")

    assert response.status == 200 and response.body == ""
    (create,) = wait_for_creates(bolt.saleshandy, 1)
    tomorrow = today_in(REP_ZONE) + datetime.timedelta(days=1)
    assert create.body == {
        "prospectIds": ["8PvBmrB7P7"], "taskType": "13", "priority": "2", "dueDate": tomorrow.isoformat()
    }
    parent, reply = bolt.slack.wait_for("chat.postMessage", count=2)
    assert parent.params["channel"] == CHANNEL and reply.params["thread_ts"] == parent.response_json["ts"]
    assert "1 created" in message_text(reply.params)


def test_help_is_the_ack_itself_and_nothing_else_happens(bolt: BoltUnderTest) -> None:
    shown = ack_json(bolt.send.slash_command("help"))

    assert shown.get("response_type", "ephemeral") == "ephemeral"
    assert "/task call follow-up tomorrow high 8PvBmrB7P7" in message_text(shown)
    bolt.drain()
    assert app_calls(bolt.slack) == [] and bolt.saleshandy.requests == []


def test_a_command_with_an_unknown_word_opens_the_form_prefilled_and_naming_the_word(
    bolt: BoltUnderTest,
) -> None:
    response = bolt.send.slash_command("demo urgent bogusword 8PvBmrB7P7")

    assert response.status == 200 and response.body == ""
    view = opened_view(bolt.slack)
    assert view["callback_id"] == ids.TASK_MODAL_CALLBACK_ID
    assert "bogusword" in json.dumps(view["blocks"])
    # The word is left where the rep can fix it: in the prospects field, after the prospect understood.
    prospects = input_element(view, ids.PROSPECTS_BLOCK_ID)["initial_value"]
    assert prospects.split("\n") == ["8PvBmrB7P7", "bogusword"]
    metadata = json.loads(view["private_metadata"])
    assert metadata["reply_to"]["channel"] == CHANNEL and metadata["reply_to"]["user"] == "U123"
    bolt.drain()
    assert bolt.saleshandy.requests == []


# ---- the form (view submissions) ---------------------------------------------------------------------------


def open_form(bolt: BoltUnderTest) -> dict[str, Any]:
    assert bolt.send.slash_command("").status == 200
    return opened_view(bolt.slack)


def test_a_form_with_a_mistake_gets_its_field_errors_in_the_ack(bolt: BoltUnderTest) -> None:
    view = open_form(bolt)
    answers = {ids.TASK_TYPE_ACTION_ID: TaskType.CALL_DEMO.code, ids.PROSPECTS_ACTION_ID: "8PvBmrB7P7, hello"}

    refused = ack_json(bolt.send.view_submission(view, fill_view(view, answers)))

    assert refused["response_action"] == "errors"
    assert list(refused["errors"]) == [ids.PROSPECTS_BLOCK_ID]
    assert "“hello”" in refused["errors"][ids.PROSPECTS_BLOCK_ID]
    bolt.drain()
    assert bolt.saleshandy.requests == []


def test_a_valid_form_closes_with_an_empty_ack_and_creates_the_tasks_once_even_if_sent_twice(
    bolt: BoltUnderTest,
) -> None:
    view = open_form(bolt)
    values = fill_view(view, {ids.TASK_TYPE_ACTION_ID: "12", ids.PROSPECTS_ACTION_ID: "Pr9xQ2Lm 8PvBmrB7P7"})

    first = bolt.send.view_submission(view, values)
    again = bolt.send.view_submission(view, values)  # Slack's retry of the same view

    assert (first.status, first.body, again.status) == (200, "", 200)
    (create,) = wait_for_creates(bolt.saleshandy, 1)
    assert create.body["prospectIds"] == ["Pr9xQ2Lm", "8PvBmrB7P7"] and create.body["taskType"] == "12"
    bolt.drain()
    assert len(bolt.saleshandy.create_requests) == 1


# ---- the message shortcut ----------------------------------------------------------------------------------


def test_the_message_shortcut_opens_the_form_with_the_messages_prospects_and_answers_in_its_thread(
    bolt: BoltUnderTest,
) -> None:
    link = "https://my.saleshandy.com/prospects/aN7kQ2xLm4"
    message = bolt.slack.add_message(CHANNEL, f"Call <{link}|Ann Lee> and 8PvBmrB7P7 please")

    response = bolt.send.message_shortcut(message, callback_id=ids.MESSAGE_SHORTCUT_CALLBACK_ID)

    assert response.status == 200 and response.body == ""
    view = opened_view(bolt.slack)
    assert input_element(view, ids.PROSPECTS_BLOCK_ID)["initial_value"] == f"{link}\n8PvBmrB7P7"
    assert bolt.send.view_submission(view, fill_view(view, {ids.TASK_TYPE_ACTION_ID: "5"})).body == ""
    (create,) = wait_for_creates(bolt.saleshandy, 1)
    assert create.body["prospectIds"] == ["aN7kQ2xLm4", "8PvBmrB7P7"]
    (reply,) = bolt.slack.wait_for("chat.postMessage")
    assert reply.params["thread_ts"] == message["ts"] and "2 created" in message_text(reply.params)


# ---- block actions: the retry button -----------------------------------------------------------------------


def test_the_retry_button_resubmits_the_failed_prospects_in_the_same_thread(bolt: BoltUnderTest) -> None:
    bolt.saleshandy.fail_next(503, "Service Unavailable")
    bolt.send.slash_command("demo tomorrow 8PvBmrB7P7 Pr9xQ2Lm")
    parent, _ = bolt.slack.wait_for("chat.postMessage", count=2)
    thread = parent.response_json["ts"]
    with_button = [
        m for m in bolt.slack.messages(CHANNEL)
        if m.get("thread_ts") == thread and ids.RETRY_FAILED_ACTION_ID in str(m.get("blocks"))
    ]

    response = bolt.send.press_button(with_button[-1], ids.RETRY_FAILED_ACTION_ID)

    assert response.status == 200
    first, retry = wait_for_creates(bolt.saleshandy, 2)
    assert retry.body == first.body
    _, _, retried = bolt.slack.wait_for("chat.postMessage", count=3)
    assert retried.params["thread_ts"] == thread and "Retry: 2 created" in message_text(retried.params)


# ---- options (the prospect picker's suggestions) -----------------------------------------------------------


def test_the_picker_suggests_the_prospects_saleshandy_finds_in_the_ack(bolt: BoltUnderTest) -> None:
    bolt.saleshandy.add_prospect(
        "8PvBmrB7P7", email="jane@acme.com", first_name="Jane", last_name="Doe", company="Acme"
    )
    view = open_form(bolt)

    answer = ack_json(
        bolt.send.block_suggestion(ids.PROSPECT_PICKER_ACTION_ID, ids.PROSPECT_PICKER_BLOCK_ID, "jane", view)
    )

    assert [(o["value"], o["text"]["text"]) for o in answer["options"]] == [
        ("8PvBmrB7P7", "Jane Doe · Acme · jane@acme.com")
    ]


def test_the_picker_suggests_nothing_for_one_letter_and_asks_saleshandy_nothing(bolt: BoltUnderTest) -> None:
    view = open_form(bolt)

    answer = ack_json(
        bolt.send.block_suggestion(ids.PROSPECT_PICKER_ACTION_ID, ids.PROSPECT_PICKER_BLOCK_ID, "j", view)
    )

    assert answer["options"] == []
    assert bolt.saleshandy.search_requests == []
