"""The task modal over HTTP: errors on their fields in the ack, or an empty ack and the work done in the
background (issue paths 4 and 9)."""

from __future__ import annotations

import datetime
import threading
from typing import Any

import httpx
import pytest

from bot.domain import Priority, TaskType
from bot.slack import ids
from bot_testing.slack_driver import fill_view
from tests.e2e.conftest import (
    CHANNEL,
    RunningApp,
    far_zone,
    message_text,
    opened_view,
    today_in,
    wait_for_creates,
)

DEFAULT_ZONE = "UTC"
"""The app's default zone here: the server's own, so that at any hour a zone exists whose date differs
from both (with Berlin as the default, none does between 23:00 and midnight UTC in winter)."""

# On SQLite only: the database is incidental to the form (test_command.py runs the whole path on both).
pytestmark = [
    pytest.mark.parametrize("running_app", [{"default_timezone": DEFAULT_ZONE}], indirect=True, ids=[""]),
]

REP = "U555"


def open_form(app: RunningApp, *, user: str = REP, text: str = "") -> dict[str, Any]:
    """`/task` (with `text`) typed by `user`; the form the app opened, as the fake stores it."""
    assert app.driver.slash_command(text, user_id=user).status_code == 200
    return opened_view(app.slack)


def submit(app: RunningApp, view: dict[str, Any], *, user: str = REP, **answers: Any) -> httpx.Response:
    values = fill_view(view, {getattr(ids, f"{name.upper()}_ACTION_ID"): v for name, v in answers.items()})
    return app.driver.view_submission(view, values, user_id=user)


@pytest.fixture
def rep_zone(running_app: RunningApp) -> str:
    """The rep's zone: one whose date differs from UTC's and the default zone's right now."""
    zone = far_zone()
    running_app.slack.add_user(REP, name="rita", tz=zone)
    assert today_in(zone) not in {today_in("UTC"), today_in(DEFAULT_ZONE)}
    return zone


# ---- invalid input: shown on its field, nothing created -----------------------------------------------


def assert_nothing_happened(app: RunningApp) -> None:
    app.drain()  # anything the app might (wrongly) do after the ack
    assert app.saleshandy.requests == []
    assert not app.slack.calls("chat.postMessage") and not app.slack.calls("response_url")


def test_an_unknown_word_in_prospects_is_shown_on_the_prospects_field(
    running_app: RunningApp, rep_zone: str
) -> None:
    view = open_form(running_app)
    response = submit(
        running_app, view, task_type=TaskType.CALL_DEMO.code, prospects="8PvBmrB7P7, hello\nPr9xQ2Lm"
    )

    assert response.status_code == 200
    body = response.json()
    assert body["response_action"] == "errors"
    assert list(body["errors"]) == [ids.PROSPECTS_BLOCK_ID]
    assert "“hello”" in body["errors"][ids.PROSPECTS_BLOCK_ID]
    assert_nothing_happened(running_app)


def test_a_due_date_in_the_past_is_shown_on_the_due_date_field(
    running_app: RunningApp, rep_zone: str
) -> None:
    view = open_form(running_app)
    yesterday = today_in(rep_zone) - datetime.timedelta(days=1)
    response = submit(
        running_app, view, task_type=TaskType.CALL_DEMO.code, prospects="8PvBmrB7P7", due_date=yesterday
    )

    body = response.json()
    assert body["response_action"] == "errors" and list(body["errors"]) == [ids.DUE_DATE_BLOCK_ID]
    assert "in the past" in body["errors"][ids.DUE_DATE_BLOCK_ID]
    assert_nothing_happened(running_app)


def test_no_prospects_is_shown_on_the_prospects_field(running_app: RunningApp, rep_zone: str) -> None:
    view = open_form(running_app)
    response = submit(running_app, view, task_type=TaskType.CALL_DEMO.code, prospects="   ")

    body = response.json()
    assert body["response_action"] == "errors" and list(body["errors"]) == [ids.PROSPECTS_BLOCK_ID]
    assert "Add at least one prospect" in body["errors"][ids.PROSPECTS_BLOCK_ID]
    assert_nothing_happened(running_app)


def test_every_problem_is_shown_on_its_own_field_at_once(running_app: RunningApp, rep_zone: str) -> None:
    view = open_form(running_app)
    last_week = today_in(rep_zone) - datetime.timedelta(days=7)
    response = submit(running_app, view, prospects="nope", due_date=last_week)

    errors = response.json()["errors"]
    assert set(errors) == {ids.TASK_TYPE_BLOCK_ID, ids.PROSPECTS_BLOCK_ID, ids.DUE_DATE_BLOCK_ID}
    assert all(len(message) <= 150 for message in errors.values())  # Slack shows short errors best
    assert_nothing_happened(running_app)


# ---- valid input: the modal closes, the work goes on ----------------------------------------------------


def test_valid_input_closes_the_form_and_creates_the_tasks_due_today_in_the_reps_zone(
    running_app: RunningApp, rep_zone: str
) -> None:
    slack = running_app.slack
    view = open_form(running_app)
    response = submit(
        running_app,
        view,
        task_type=TaskType.WHATSAPP_VOICE_CALL.code,
        prospects="8PvBmrB7P7\nhttps://app.saleshandy.com/prospects/Pr9xQ2Lm INVALIDzz9",
        priority=Priority.MEDIUM.code,
        note="  Ask about the renewal  ",
    )
    assert response.status_code == 200 and response.text == ""  # an empty ack closes the modal

    (create,) = wait_for_creates(running_app.saleshandy, 1)
    assert create.body == {
        "prospectIds": ["8PvBmrB7P7", "Pr9xQ2Lm", "INVALIDzz9"],
        "taskType": TaskType.WHATSAPP_VOICE_CALL.code,
        "dueDate": today_in(rep_zone).isoformat(),
        "priority": Priority.MEDIUM.code,
        "taskNote": "Ask about the renewal",
    }
    parent, reply = slack.wait_for("chat.postMessage", count=2)
    assert parent.params["channel"] == CHANNEL and f"<@{REP}>" in parent.params["text"]
    assert reply.params["thread_ts"] == parent.response_json["ts"]
    assert "2 created · 1 failed" in message_text(reply.params)


def test_a_prefilled_form_submitted_as_is_keeps_what_the_command_said(
    running_app: RunningApp, rep_zone: str
) -> None:
    """The form a command opened (with a problem), fixed and submitted: the prefilled type, date,
    priority and note reach Saleshandy, and the link's label names the prospect in the results."""
    slack = running_app.slack
    view = open_form(
        running_app,
        text="inmail in 10 days p4 <https://my.saleshandy.com/prospects/Pr9xQ2Lm|Jane Doe> typo "
        "note: mention the webinar",
    )
    link = "https://my.saleshandy.com/prospects/Pr9xQ2Lm"
    assert submit(running_app, view, prospects=f"{link}\n8PvBmrB7P7").text == ""

    (create,) = wait_for_creates(running_app.saleshandy, 1)
    assert create.body == {
        "prospectIds": ["Pr9xQ2Lm", "8PvBmrB7P7"],
        "taskType": TaskType.LINKEDIN_INMAIL.code,
        "dueDate": (today_in(rep_zone) + datetime.timedelta(days=10)).isoformat(),
        "priority": Priority.LOW.code,
        "taskNote": "mention the webinar",
    }
    _, reply = slack.wait_for("chat.postMessage", count=2)
    assert f"<{link}|Jane Doe>" in message_text(reply.params)


# ---- path 9: a double-submitted modal creates nothing twice ------------------------------------------------


def test_the_same_modal_submitted_twice_creates_the_tasks_once(
    running_app: RunningApp, rep_zone: str
) -> None:
    slack, saleshandy = running_app.slack, running_app.saleshandy
    view = open_form(running_app)
    answers = {"task_type": TaskType.CALL_REMINDER.code, "prospects": "8PvBmrB7P7 Pr9xQ2Lm"}

    responses: list[httpx.Response] = []

    def press_submit() -> None:
        responses.append(submit(running_app, view, **answers))

    presses = [threading.Thread(target=press_submit) for _ in range(2)]
    for press in presses:
        press.start()
    for press in presses:
        press.join()
    assert [r.status_code for r in responses] == [200, 200]
    assert all(r.text == "" for r in responses)  # both close the modal; only one does the work

    wait_for_creates(saleshandy, 1)
    slack.wait_for("chat.postMessage", count=2)
    submit(running_app, view, **answers)  # and once more, later
    running_app.drain()
    assert len(saleshandy.create_requests) == 1
    assert sorted(t.prospect_id for t in saleshandy.tasks) == ["8PvBmrB7P7", "Pr9xQ2Lm"]
    assert len(slack.calls("chat.postMessage")) == 2  # one parent, one reply
