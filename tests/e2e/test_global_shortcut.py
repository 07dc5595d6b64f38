"""The doors with no channel, over HTTP: the global shortcut *New Saleshandy task* and App Home's *Create a
task* open the form; the parent message and the results arrive by DM with the app (issue 11, item 3)."""

from __future__ import annotations

import pytest

from bot.slack import ids
from bot_testing.slack_driver import fill_view
from tests.e2e.conftest import RunningApp, input_element, message_text, opened_view, wait_for_creates
from tests.helpers.accounts import ENCRYPTION_KEY, REP, REP_KEY, connect, open_home, press_in_home

pytestmark = pytest.mark.both_databases


def submit_and_read_the_dm(app: RunningApp, *, user: str = REP) -> str:
    """Fill the open form (a call for two prospects) and submit it; the DM's id, once the results are in
    its thread under the parent message."""
    view = opened_view(app.slack)
    assert view["callback_id"] == ids.TASK_MODAL_CALLBACK_ID
    assert "initial_value" not in input_element(view, ids.PROSPECTS_BLOCK_ID)  # an empty form
    answers = {ids.TASK_TYPE_ACTION_ID: "9", ids.PROSPECTS_ACTION_ID: "8PvBmrB7P7 Pr9xQ2Lm"}
    assert app.driver.view_submission(view, fill_view(view, answers), user_id=user).text == ""

    parent, results = app.slack.wait_for("chat.postMessage", count=2)
    assert parent.ok and results.ok, (parent.response, results.response)
    dm = str(parent.response_json["channel"])
    assert dm.startswith("D") and parent.params["channel"] == user  # posted to the rep: their DM
    assert results.params["channel"] == dm and results.params["thread_ts"] == parent.response_json["ts"]
    assert "2 created" in message_text(results.params)
    texts = [m["text"] for m in app.slack.messages(dm)]
    assert len(texts) == 2 and f"<@{user}> asked for" in texts[0]
    return dm


def test_the_global_shortcut_opens_the_form_and_the_results_arrive_by_dm(running_app: RunningApp) -> None:
    response = running_app.driver.global_shortcut(ids.GLOBAL_SHORTCUT_CALLBACK_ID, user_id=REP)
    assert response.status_code == 200 and response.text == ""
    assert "channel" not in running_app.driver.last_payload  # Slack sends none: there is none

    submit_and_read_the_dm(running_app)
    assert [t.prospect_id for t in running_app.saleshandy.tasks] == ["8PvBmrB7P7", "Pr9xQ2Lm"]
    running_app.drain()
    assert running_app.slack.calls("response_url") == []  # a global shortcut has none


def test_a_replayed_global_shortcut_opens_no_second_form_as_slack_spends_each_trigger_once(
    running_app: RunningApp,
) -> None:
    running_app.driver.global_shortcut(ids.GLOBAL_SHORTCUT_CALLBACK_ID, user_id=REP)
    payload = running_app.driver.last_payload
    assert running_app.driver.send_payload(payload).status_code == 200
    running_app.drain()
    opened = running_app.slack.calls("views.open")
    assert [c.ok for c in opened] == [True, False]  # Slack spends a trigger_id once
    assert opened[1].error == "exchanged_trigger_id"


@pytest.mark.parametrize("running_app", [{"encryption_keys": ENCRYPTION_KEY}], indirect=True)
def test_app_homes_create_a_task_opens_the_form_and_the_results_arrive_by_dm_with_the_reps_key(
    running_app: RunningApp,
) -> None:
    app = running_app
    app.saleshandy.add_key(REP_KEY)
    connect(app, REP_KEY)
    home = open_home(app)
    opened = len(app.slack.calls("views.open"))

    assert press_in_home(app, home, ids.HOME_CREATE_TASK_ACTION_ID).status_code == 200
    app.slack.wait_for("views.open", count=opened + 1)
    submit_and_read_the_dm(app)
    assert {r.headers["x-api-key"] for r in wait_for_creates(app.saleshandy, 1)} == {REP_KEY}
