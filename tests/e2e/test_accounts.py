"""Every rep as themselves: the Home tab, connecting and disconnecting a Saleshandy key, tasks made with the
rep's own key (then the workspace's, then none: how to connect, the draft kept for one click), the picker
and the retry acting as the rep who asked. Over signed HTTP against the fakes."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.service import RetryRefused
from bot.slack import ids
from bot.slack.blocks.results import WHY_NOT_RETRIED
from bot_testing.slack_driver import element_action, fill_view
from tests.conftest import SALESHANDY_TEST_KEY
from tests.e2e.conftest import (
    CHANNEL,
    RunningApp,
    message_text,
    opened_view,
    wait_for_creates,
    wait_until,
)
from tests.helpers.accounts import (
    NO_WORKSPACE_KEY,
    OTHER_KEY,
    OTHER_REP,
    REP,
    REP_KEY,
    WITH_ENCRYPTION,
    connect,
    home_text,
    open_home,
    press_in_home,
)
from tests.helpers.slack_app import RETRIES_AT_ONCE, thread_message_with_retry

# On SQLite only: the keys store itself runs on both databases in tests/test_accounts.py.


def stored_keys(app: RunningApp) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(app.settings.database_url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text("SELECT count(*) FROM saleshandy_keys")).scalar_one())
    finally:
        engine.dispose()


# ---- the Home tab and connecting ---------------------------------------------------------------------------


@pytest.mark.parametrize("running_app", [WITH_ENCRYPTION], indirect=True)
def test_a_rep_connects_from_the_home_tab_and_their_tasks_are_made_as_them(running_app: RunningApp) -> None:
    app, saleshandy = running_app, running_app.saleshandy
    saleshandy.add_key(REP_KEY)

    home = open_home(app)
    shown = home_text(home)
    assert "Create Saleshandy tasks without leaving Slack" in shown
    assert "workspace's Saleshandy key" in shown  # until connected, the workspace's key acts
    find = [b for b in home["blocks"] if b.get("block_id") == ids.HOME_ACCOUNT_BLOCK_ID]
    assert find and find[0]["accessory"]["action_id"] == ids.HOME_CONNECT_ACTION_ID

    # A wrong key: a field error, nothing kept.
    answer = connect(app, "sh-not-a-real-key")
    assert answer.json()["response_action"] == "errors"
    assert "did not accept this key" in answer.json()["errors"][ids.CONNECT_KEY_BLOCK_ID]
    assert stored_keys(app) == 0
    check = saleshandy.search_requests[-1]
    assert check.headers["x-api-key"] == "sh-not-a-real-key" and "pageSize=10" in check.query

    # The right one: kept, the Home tab says so.
    answer = connect(app, REP_KEY)
    assert answer.status_code == 200 and answer.text == ""
    assert stored_keys(app) == 1
    wait_until(lambda: "is connected" in home_text(app.slack.home(REP) or {"blocks": []}), what="connected")
    home = app.slack.home(REP)
    assert home is not None and REP_KEY not in str(home)
    element_action(home["blocks"], ids.HOME_DISCONNECT_ACTION_ID)  # there is a Disconnect button

    # Tasks now are the rep's.
    app.driver.slash_command("call 8PvBmrB7P7 tomorrow")
    (create,) = wait_for_creates(saleshandy, 1)
    assert create.headers["x-api-key"] == REP_KEY
    assert [t.prospect_id for t in saleshandy.tasks_made_with(REP_KEY)] == ["8PvBmrB7P7"]
    app.slack.wait_for("chat.postMessage", count=2)
    app.drain()

    # Another rep is not connected: theirs still go with the workspace's key.
    app.slack.add_user(OTHER_REP, name="bob")
    app.driver.slash_command("call Pr9xQ2Lm tomorrow", user_id=OTHER_REP)
    assert wait_for_creates(saleshandy, 2)[1].headers["x-api-key"] == SALESHANDY_TEST_KEY
    app.drain()

    # Once bob connects his own, his go with his, and ann's still with hers: each rep as themselves.
    saleshandy.add_key(OTHER_KEY)
    assert connect(app, OTHER_KEY, user=OTHER_REP).text == ""
    app.driver.slash_command("call Qz7Wx2Lm9k tomorrow", user_id=OTHER_REP)
    app.driver.slash_command("call Ab3Cd4Ef5g tomorrow")
    made = {r.body["prospectIds"][0]: r.headers["x-api-key"] for r in wait_for_creates(saleshandy, 4)[2:]}
    assert made == {"Qz7Wx2Lm9k": OTHER_KEY, "Ab3Cd4Ef5g": REP_KEY}
    assert [t.prospect_id for t in saleshandy.tasks_made_with(OTHER_KEY)] == ["Qz7Wx2Lm9k"]
    app.drain()

    # The Home tab lists the rep's own submission, with its counts and a link to the results' thread.
    home = open_home(app)
    recent = home_text(home)
    assert "Your last submissions" in recent and "1 created · 0 failed · 0 unknown" in recent
    parent = app.slack.calls("chat.postMessage")[0].response_json
    assert f"https://slack.com/archives/{CHANNEL}/p{parent['ts'].replace('.', '')}" in recent
    assert recent.count("created ·") == 2  # ann's two, not bob's

    # Disconnect: the key is deleted at once; the next task goes with the workspace's key.
    assert press_in_home(app, home, ids.HOME_DISCONNECT_ACTION_ID).status_code == 200
    wait_until(lambda: stored_keys(app) == 1, what="ann's key deleted (bob's stays)")
    wait_until(lambda: "Connect Saleshandy" in str(app.slack.home(REP)), what="the Connect button back")
    app.driver.slash_command("call Ab12Cd34 tomorrow")
    assert wait_for_creates(saleshandy, 5)[4].headers["x-api-key"] == SALESHANDY_TEST_KEY


@pytest.mark.parametrize("running_app", [{**WITH_ENCRYPTION, **RETRIES_AT_ONCE}], indirect=True)
def test_saleshandy_unreachable_while_checking_keeps_nothing(running_app: RunningApp) -> None:
    running_app.saleshandy.add_key(REP_KEY)
    running_app.saleshandy.fail_next(503, times=5, endpoint="search")
    answer = connect(running_app, REP_KEY)
    assert "could not check this key" in answer.json()["errors"][ids.CONNECT_KEY_BLOCK_ID]
    assert stored_keys(running_app) == 0


def test_without_encryption_keys_the_home_tab_tells_the_operator_what_to_set(running_app: RunningApp) -> None:
    home = open_home(running_app)
    shown = home_text(home)
    assert "ENCRYPTION_KEYS" in shown and "Fernet.generate_key()" in shown
    with pytest.raises(LookupError):
        element_action(home["blocks"], ids.HOME_CONNECT_ACTION_ID)


@pytest.mark.parametrize("database_kind", ["sqlite"])  # it reads the SQLite file's bytes
@pytest.mark.parametrize("running_app", [WITH_ENCRYPTION], indirect=True)
def test_no_key_is_readable_in_the_database_file(running_app: RunningApp) -> None:
    running_app.saleshandy.add_key(REP_KEY)
    assert connect(running_app, REP_KEY).text == ""
    running_app.drain()
    path = Path(running_app.settings.database_url.removeprefix("sqlite:///"))
    with closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA wal_checkpoint(FULL)")
    raw = b"".join(p.read_bytes() for p in path.parent.iterdir() if p.name.startswith(path.name))
    assert REP_KEY.encode() not in raw and b"saleshandy_keys" in raw


# ---- no key at all: how to connect, and the draft kept --------------------------------------------------


@pytest.mark.parametrize("running_app", [NO_WORKSPACE_KEY], indirect=True)
def test_with_no_key_the_command_says_how_to_connect_and_one_click_creates_the_kept_draft(
    running_app: RunningApp,
) -> None:
    app, slack, saleshandy = running_app, running_app.slack, running_app.saleshandy
    saleshandy.add_key(REP_KEY)
    app.driver.slash_command("call 8PvBmrB7P7 Pr9xQ2Lm tomorrow high note: hello")
    (told,) = slack.wait_for("response_url")
    assert told.params["response_type"] == "ephemeral"
    shown = message_text(told.params)
    assert "connect your Saleshandy account first" in shown and "kept" in shown
    button = element_action(told.params["blocks"], ids.OPEN_HOME_ACTION_ID)
    assert button["url"] == f"slack://app?team=T0001&id={slack.app_id}&tab=home"
    app.drain()
    assert saleshandy.requests == []

    home = open_home(app)
    assert "this workspace has no Saleshandy key" in home_text(home)
    assert ids.HOME_CREATE_DRAFT_ACTION_ID not in str(home)  # nothing to create it with yet
    assert connect(app, REP_KEY).text == ""
    home = open_home(app)
    assert "Waiting for you:" in home_text(home) and "2 prospects" in home_text(home)

    assert press_in_home(app, home, ids.HOME_CREATE_DRAFT_ACTION_ID).status_code == 200
    (create,) = wait_for_creates(saleshandy, 1)
    assert create.headers["x-api-key"] == REP_KEY
    assert create.body["prospectIds"] == ["8PvBmrB7P7", "Pr9xQ2Lm"] and create.body["taskNote"] == "hello"
    parent, reply = slack.wait_for("chat.postMessage", count=2)
    assert parent.params["channel"] == CHANNEL and "2 created" in message_text(reply.params)

    press_in_home(app, home, ids.HOME_CREATE_DRAFT_ACTION_ID)  # a second click: the draft is gone
    app.drain()
    assert len(saleshandy.create_requests) == 1
    wait_until(lambda: ids.HOME_CREATE_DRAFT_ACTION_ID not in str(slack.home(REP)), what="draft gone")


@pytest.mark.parametrize("running_app", [NO_WORKSPACE_KEY], indirect=True)
def test_with_no_key_the_form_becomes_how_to_connect(running_app: RunningApp) -> None:
    app = running_app
    app.driver.slash_command("")
    view = opened_view(app.slack)
    assert "no Saleshandy account connected" in str(view["blocks"])  # said before the rep types
    values = fill_view(view, {ids.TASK_TYPE_ACTION_ID: "13", ids.PROSPECTS_ACTION_ID: "8PvBmrB7P7"})
    answer = app.driver.view_submission(view, values).json()
    assert answer["response_action"] == "update"
    assert answer["view"]["callback_id"] == ids.CONNECT_PROMPT_CALLBACK_ID
    assert "kept" in str(answer["view"]) and "slack://app?team=T0001" in str(answer["view"])
    from tests.helpers.block_kit import assert_valid_view

    assert_valid_view(answer["view"])
    app.drain()
    assert app.saleshandy.requests == []
    assert "Waiting for you:" not in home_text(open_home(app))  # shown only once there is a key


@pytest.mark.parametrize("running_app", [NO_WORKSPACE_KEY], indirect=True)
def test_the_picker_searches_with_the_reps_own_key(running_app: RunningApp) -> None:
    app, saleshandy = running_app, running_app.saleshandy
    saleshandy.add_key(REP_KEY)
    saleshandy.add_prospect("Jane0Doe01", email="jane@acme.com", first_name="Jane", key=REP_KEY)
    app.driver.slash_command("")
    view = opened_view(app.slack)

    def suggested() -> list[str]:
        answer = app.driver.block_suggestion(
            ids.PROSPECT_PICKER_ACTION_ID, ids.PROSPECT_PICKER_BLOCK_ID, "jane", view
        )
        return [o["value"] for o in answer.json()["options"]]

    assert suggested() == [] and saleshandy.search_requests == []  # no key: no search
    assert connect(app, REP_KEY).text == ""
    assert suggested() == ["Jane0Doe01"]
    assert saleshandy.search_requests[-1].headers["x-api-key"] == REP_KEY


# ---- the retry acts for the rep who asked ------------------------------------------------------------------


@pytest.mark.parametrize("running_app", [WITH_ENCRYPTION], indirect=True)
def test_only_the_rep_who_asked_can_retry_and_it_uses_their_key(running_app: RunningApp) -> None:
    app, slack, saleshandy = running_app, running_app.slack, running_app.saleshandy
    saleshandy.add_key(REP_KEY)
    slack.add_user(OTHER_REP, name="bob")
    assert connect(app, REP_KEY).text == ""
    saleshandy.fail_next(500)
    app.driver.slash_command("call 8PvBmrB7P7 tomorrow")
    parent, _ = slack.wait_for("chat.postMessage", count=2)
    app.drain()
    message = thread_message_with_retry(app, parent.response_json["ts"])

    assert app.driver.press_button(message, ids.RETRY_FAILED_ACTION_ID, user_id=OTHER_REP).status_code == 200
    (told,) = slack.wait_for("response_url")
    assert told.user == OTHER_REP and told.params["response_type"] == "ephemeral"
    assert WHY_NOT_RETRIED[RetryRefused.NOT_YOURS] in message_text(told.params)
    app.drain()
    assert len(saleshandy.create_requests) == 1  # nothing sent

    app.driver.press_button(message, ids.RETRY_FAILED_ACTION_ID)
    retry = wait_for_creates(saleshandy, 2)[1]
    assert retry.headers["x-api-key"] == REP_KEY
    assert [t.prospect_id for t in saleshandy.tasks_made_with(REP_KEY)] == ["8PvBmrB7P7"]


# ---- lookups, a key deleted in Saleshandy, uninstalling ---------------------------------------------------


@pytest.mark.parametrize("running_app", [WITH_ENCRYPTION], indirect=True)
def test_emails_are_looked_up_with_the_reps_own_key(running_app: RunningApp) -> None:
    app, saleshandy = running_app, running_app.saleshandy
    saleshandy.add_key(REP_KEY)
    saleshandy.add_prospect("Ja9Ne0Doe1", email="jane@acme.com", first_name="Jane", key=REP_KEY)
    assert connect(app, REP_KEY).text == ""
    app.driver.slash_command("call jane@acme.com tomorrow")
    (create,) = wait_for_creates(saleshandy, 1)
    assert create.body["prospectIds"] == ["Ja9Ne0Doe1"] and create.headers["x-api-key"] == REP_KEY
    lookups = [r for r in saleshandy.search_requests if "jane" in r.query]
    assert lookups and {r.headers["x-api-key"] for r in lookups} == {REP_KEY}


@pytest.mark.parametrize("running_app", [WITH_ENCRYPTION], indirect=True)
def test_a_reps_key_deleted_in_saleshandy_says_to_connect_again(running_app: RunningApp) -> None:
    app, saleshandy = running_app, running_app.saleshandy
    saleshandy.add_key(REP_KEY)
    assert connect(app, REP_KEY).text == ""
    saleshandy.remove_key(REP_KEY)
    app.driver.slash_command("call 8PvBmrB7P7 tomorrow")
    _, reply = app.slack.wait_for("chat.postMessage", count=2)
    shown = message_text(reply.params)
    assert "no longer accepts your API key" in shown and "Home tab" in shown
    assert "SALESHANDY_API_KEY" not in shown  # not the operator's setting: the rep's own key
    assert saleshandy.tasks == []

    app.driver.slash_command("call jane@acme.com tomorrow")  # an email looked up with that key: the same
    *_, looked_up = app.slack.wait_for("response_url", count=1)
    shown = message_text(looked_up.params)
    assert "jane@acme.com" in shown and "no longer accepts your API key" in shown
    assert "SALESHANDY_API_KEY" not in shown


@pytest.mark.parametrize("running_app", [WITH_ENCRYPTION], indirect=True)
def test_uninstalling_the_app_deletes_the_workspaces_keys(running_app: RunningApp) -> None:
    running_app.saleshandy.add_key(REP_KEY)
    assert connect(running_app, REP_KEY).text == ""
    assert stored_keys(running_app) == 1
    assert running_app.driver.send_event({"type": "app_uninstalled"}).status_code == 200
    wait_until(lambda: stored_keys(running_app) == 0, what="the keys deleted")


@pytest.mark.parametrize("running_app", [NO_WORKSPACE_KEY], indirect=True)
def test_with_no_key_the_shortcut_says_so_and_its_task_waits_in_the_home_tab(running_app: RunningApp) -> None:
    app, saleshandy = running_app, running_app.saleshandy
    saleshandy.add_key(REP_KEY)
    message = app.slack.add_message(CHANNEL, "call https://my.saleshandy.com/prospects/Ef56Gh78 today")
    app.driver.message_shortcut(message, callback_id=ids.MESSAGE_SHORTCUT_CALLBACK_ID)
    view = opened_view(app.slack)
    assert "no Saleshandy account connected" in str(view["blocks"])
    answer = app.driver.view_submission(view, fill_view(view, {ids.TASK_TYPE_ACTION_ID: "11"})).json()
    assert answer["response_action"] == "update"
    assert connect(app, REP_KEY).text == ""
    home = open_home(app)
    press_in_home(app, home, ids.HOME_CREATE_DRAFT_ACTION_ID)
    (create,) = wait_for_creates(saleshandy, 1)
    assert create.body["prospectIds"] == ["Ef56Gh78"] and create.headers["x-api-key"] == REP_KEY
    (reply,) = app.slack.wait_for("chat.postMessage")
    assert reply.params["thread_ts"] == message["ts"]  # in the message's thread, as the shortcut does


# ---- the workspace's key, set by an admin ------------------------------------------------------------------

ADMIN = "U0ADMIN"
TEAM_KEY = "sh-team-key-0a7d3f5c2e91"


@pytest.mark.parametrize("running_app", [WITH_ENCRYPTION], indirect=True)
def test_an_admin_sets_the_workspace_key_for_reps_who_have_not_connected(running_app: RunningApp) -> None:
    app, slack, saleshandy = running_app, running_app.slack, running_app.saleshandy
    slack.add_user(ADMIN, name="admin", is_admin=True)
    saleshandy.add_key(TEAM_KEY)
    assert ids.HOME_SET_WORKSPACE_KEY_ACTION_ID not in str(open_home(app))  # ann is no admin

    home = open_home(app, ADMIN)
    assert "SALESHANDY_API_KEY" in home_text(home)  # what is used while none is set here
    press_in_home(app, home, ids.HOME_SET_WORKSPACE_KEY_ACTION_ID, ADMIN)
    modal = opened_view(slack)
    assert modal["private_metadata"] == ids.CONNECT_FOR_WORKSPACE

    # A rep who is no admin cannot submit it (say, a form shared or replayed).
    refused = app.driver.view_submission(modal, fill_view(modal, {ids.CONNECT_KEY_ACTION_ID: TEAM_KEY}))
    assert "Only a workspace admin" in refused.json()["errors"][ids.CONNECT_KEY_BLOCK_ID]
    assert stored_keys(app) == 0
    answer = app.driver.view_submission(
        modal, fill_view(modal, {ids.CONNECT_KEY_ACTION_ID: TEAM_KEY}), user_id=ADMIN
    )
    assert answer.text == "" and stored_keys(app) == 1
    wait_until(lambda: "Workspace key (admins):* set" in str(slack.home(ADMIN)), what="the key shown set")

    app.driver.slash_command("call 8PvBmrB7P7 tomorrow")  # ann has no key of her own: the team's
    assert wait_for_creates(saleshandy, 1)[0].headers["x-api-key"] == TEAM_KEY
    app.drain()

    press_in_home(app, app.slack.home(ADMIN) or {}, ids.HOME_REMOVE_WORKSPACE_KEY_ACTION_ID, ADMIN)
    wait_until(lambda: stored_keys(app) == 0, what="the workspace key removed")
    app.driver.slash_command("call Pr9xQ2Lm tomorrow")
    assert wait_for_creates(saleshandy, 2)[1].headers["x-api-key"] == SALESHANDY_TEST_KEY


# ---- per-rep form defaults ------------------------------------------------------------------------------


def test_form_defaults_set_in_the_home_tab_prefill_the_form_only(running_app: RunningApp) -> None:
    import datetime

    app, slack = running_app, running_app.slack
    home = open_home(app)
    assert "Your form's defaults:* none" in home_text(home)
    press_in_home(app, home, ids.HOME_EDIT_DEFAULTS_ACTION_ID)
    modal = opened_view(slack)
    assert modal["callback_id"] == ids.DEFAULTS_MODAL_CALLBACK_ID

    def save(due: str) -> httpx.Response:
        values = fill_view(
            modal,
            {ids.TASK_TYPE_ACTION_ID: "13", ids.PRIORITY_ACTION_ID: "2", ids.DEFAULTS_DUE_ACTION_ID: due},
        )
        return app.driver.view_submission(modal, values)

    assert "past" in save("yesterday").json()["errors"][ids.DEFAULTS_DUE_BLOCK_ID]
    assert ids.DEFAULTS_DUE_BLOCK_ID in save("whenever pigs fly").json()["errors"]
    assert save("tomorrow").text == ""
    wait_until(lambda: "priority High · due tomorrow" in home_text(slack.home(REP) or {"blocks": []}),
               what="the defaults in the Home tab")
    assert "Call · follow-up" in home_text(slack.home(REP) or {})

    tomorrow = (app.today_for("America/Los_Angeles") + datetime.timedelta(days=1)).isoformat()

    def element(view: dict[str, Any], block: str) -> dict[str, Any]:
        return next(dict(b["element"]) for b in view["blocks"] if b.get("block_id") == block)

    opened = len(slack.calls("views.open"))  # the defaults modal's, which is no answer to this command
    app.driver.slash_command("")  # the form alone: every default
    form = opened_view(slack, index=opened)
    assert element(form, ids.TASK_TYPE_BLOCK_ID)["initial_option"]["value"] == "13"
    assert element(form, ids.PRIORITY_BLOCK_ID)["initial_option"]["value"] == "2"
    assert element(form, ids.DUE_DATE_BLOCK_ID)["initial_date"] == tomorrow

    app.driver.slash_command("demo 8PvBmrB7P7 note: needs a date?")  # complete: created as typed
    (create,) = wait_for_creates(app.saleshandy, 1)
    assert create.body["taskType"] == "12" and "priority" not in create.body
    assert create.body["dueDate"] == app.today_for("America/Los_Angeles").isoformat()

    opened = len(slack.calls("views.open"))
    app.driver.slash_command("8PvBmrB7P7 urgent")  # no type: the form, with what was typed kept first
    form = opened_view(slack, index=opened)
    assert element(form, ids.TASK_TYPE_BLOCK_ID)["initial_option"]["value"] == "13"
    assert element(form, ids.PRIORITY_BLOCK_ID)["initial_option"]["value"] == "1"  # typed, not the default


@pytest.mark.parametrize("running_app", [NO_WORKSPACE_KEY], indirect=True)
def test_a_kept_task_whose_day_has_passed_opens_the_form_instead_of_being_created(
    running_app: RunningApp,
) -> None:
    import datetime
    import json

    from sqlalchemy import create_engine, text

    app, slack, saleshandy = running_app, running_app.slack, running_app.saleshandy
    saleshandy.add_key(REP_KEY)
    app.driver.slash_command("call 8PvBmrB7P7 tomorrow high note: hello")
    slack.wait_for("response_url")
    app.drain()
    engine = create_engine(app.settings.database_url)
    try:
        with engine.begin() as connection:
            (task_json,) = connection.execute(text("SELECT task_json FROM kept_drafts")).one()
            task = json.loads(task_json) | {"due_date": "2020-01-02"}  # a week went by, and more
            connection.execute(text("UPDATE kept_drafts SET task_json = :t"), {"t": json.dumps(task)})
    finally:
        engine.dispose()
    assert connect(app, REP_KEY).text == ""
    home = open_home(app)
    opened = len(slack.calls("views.open"))
    press_in_home(app, home, ids.HOME_CREATE_DRAFT_ACTION_ID)
    slack.wait_for("views.open", count=opened + 1)
    form = opened_view(slack)
    assert form["callback_id"] == ids.TASK_MODAL_CALLBACK_ID
    assert "has passed" in str(form["blocks"]) and "Thu 2 Jan 2020" in str(form["blocks"])
    app.drain()
    assert saleshandy.create_requests == []

    tomorrow = app.today_for("America/Los_Angeles") + datetime.timedelta(days=1)
    values = fill_view(form, {ids.DUE_DATE_ACTION_ID: tomorrow})
    assert app.driver.view_submission(form, values).text == ""
    (create,) = wait_for_creates(saleshandy, 1)
    assert create.headers["x-api-key"] == REP_KEY and create.body["dueDate"] == tomorrow.isoformat()
    assert create.body["priority"] == "2" and create.body["taskNote"] == "hello"
