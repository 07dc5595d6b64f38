"""Many workspaces: the OAuth install (GET /slack/install, /slack/oauth_redirect) against the fake Slack,
installations in the app's database, each workspace's own bot token for its work, workspaces kept apart,
and an uninstall deleting the installation and the keys. Over HTTP with signed requests."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from cryptography.fernet import Fernet

from bot.service import RetryRefused
from bot.slack import ids
from bot.slack.blocks.results import WHY_NOT_RETRIED
from bot_testing.slack_driver import SlackDriver
from tests.e2e.conftest import (
    CHANNEL,
    SLACK_SIGNING_SECRET,
    RunningApp,
    message_text,
    wait_for_creates,
    wait_until,
)
from tests.helpers.oauth import connect, install
from tests.helpers.slack_app import thread_message_with_retry

pytestmark = pytest.mark.both_databases

OAUTH = {
    "slack_bot_token": None,
    "slack_client_id": "1111.2222",
    "slack_client_secret": "oauth-client-secret-93e1",
    "saleshandy_api_key": None,
    "encryption_keys": Fernet.generate_key().decode(),
}
TEAM_A, TEAM_B = "T0AAAAAAA", "T0BBBBBBB"
REP_A, REP_B = "U0AREP", "U0BREP"
KEY_A, KEY_B = "sh-oauth-rep-a-51e0c9", "sh-oauth-rep-b-7d2a44"



@pytest.fixture
def teams(running_app: RunningApp) -> Iterator[dict[str, SlackDriver]]:
    running_app.slack.add_user(REP_A, name="ann-a")
    running_app.slack.add_user(REP_B, name="bob-b")
    install(running_app, TEAM_A, "code-a")
    install(running_app, TEAM_B, "code-b")
    drivers = {
        team: SlackDriver(running_app.url, SLACK_SIGNING_SECRET, running_app.slack, team_id=team)
        for team in (TEAM_A, TEAM_B)
    }
    yield drivers
    for driver in drivers.values():
        driver.close()



@pytest.mark.parametrize("running_app", [OAUTH], indirect=True)
def test_two_workspaces_install_and_each_works_with_its_own_token_and_keys(
    running_app: RunningApp, teams: dict[str, SlackDriver]
) -> None:
    app, slack, saleshandy = running_app, running_app.slack, running_app.saleshandy
    saleshandy.add_key(KEY_A)
    saleshandy.add_key(KEY_B)

    # No key anywhere yet: how to connect (no SALESHANDY_API_KEY for every workspace).
    teams[TEAM_A].slash_command("call 8PvBmrB7P7 tomorrow", user_id=REP_A)
    (told,) = slack.wait_for("response_url")
    assert "connect your Saleshandy account first" in message_text(told.params)
    assert f"team={TEAM_A}" in str(told.params["blocks"])

    connect(app, teams[TEAM_A], REP_A, KEY_A)
    connect(app, teams[TEAM_B], REP_B, KEY_B)
    assert {c.team for c in slack.calls("views.publish")} == {TEAM_A, TEAM_B}

    teams[TEAM_A].slash_command("call 8PvBmrB7P7 tomorrow", user_id=REP_A)
    teams[TEAM_B].slash_command("call Pr9xQ2Lm tomorrow", user_id=REP_B)
    creates = wait_for_creates(saleshandy, 2)
    assert {(r.body["prospectIds"][0], r.headers["x-api-key"]) for r in creates} == {
        ("8PvBmrB7P7", KEY_A), ("Pr9xQ2Lm", KEY_B),
    }
    posts = slack.wait_for("chat.postMessage", count=4)
    app.drain()
    by_team = {c.team: message_text(c.params) for c in posts if "created" in message_text(c.params)}
    assert "8PvBmrB7P7" in by_team[TEAM_A] and "Pr9xQ2Lm" in by_team[TEAM_B]  # each with its own token


@pytest.mark.parametrize("running_app", [OAUTH], indirect=True)
def test_a_rep_of_one_workspace_cannot_retry_or_see_anothers_work(
    running_app: RunningApp, teams: dict[str, SlackDriver]
) -> None:
    app, slack, saleshandy = running_app, running_app.slack, running_app.saleshandy
    saleshandy.add_key(KEY_A)
    connect(app, teams[TEAM_A], REP_A, KEY_A)
    saleshandy.fail_next(500)
    teams[TEAM_A].slash_command("call 8PvBmrB7P7 tomorrow", user_id=REP_A)
    parent, _ = slack.wait_for("chat.postMessage", count=2)
    app.drain()
    message = thread_message_with_retry(app, parent.response_json["ts"])

    # The same user id in another workspace (or anyone there) pressing A's button: not theirs to see.
    teams[TEAM_B].press_button(message, ids.RETRY_FAILED_ACTION_ID, user_id=REP_A)
    (told,) = slack.wait_for("response_url")
    assert WHY_NOT_RETRIED[RetryRefused.UNKNOWN_SUBMISSION] in message_text(told.params)
    app.drain()
    assert len(saleshandy.create_requests) == 1

    # B's Home tab for the same user id shows nothing of A's: not connected, no submissions.
    teams[TEAM_B].app_home_opened(REP_A)
    wait_until(lambda: any(c.team == TEAM_B for c in slack.calls("views.publish")), what="B's Home tab")
    home = str(slack.home(REP_A))
    assert "Connect Saleshandy" in home and "Your last submissions" not in home
    assert CHANNEL not in home


@pytest.mark.parametrize("running_app", [OAUTH], indirect=True)
def test_uninstalling_deletes_the_installation_and_the_keys(
    running_app: RunningApp, teams: dict[str, SlackDriver]
) -> None:
    from sqlalchemy import create_engine, text

    app = running_app
    app.saleshandy.add_key(KEY_A)
    connect(app, teams[TEAM_A], REP_A, KEY_A)
    assert teams[TEAM_A].send_event({"type": "app_uninstalled"}).status_code == 200

    def rows(table: str, team: str) -> int:
        engine = create_engine(app.settings.database_url)
        try:
            with engine.connect() as connection:
                return int(
                    connection.execute(
                        text(f"SELECT count(*) FROM {table} WHERE team_id = :team"), {"team": team}
                    ).scalar_one()
                )
        finally:
            engine.dispose()

    wait_until(lambda: rows("slack_installations", TEAM_A) == 0, what="A's installation deleted")
    assert rows("saleshandy_keys", TEAM_A) == 0 and rows("slack_bots", TEAM_A) == 0
    assert rows("slack_installations", TEAM_B) == 1  # B is untouched


@pytest.mark.parametrize("running_app", [OAUTH], indirect=True)
@pytest.mark.parametrize(
    "events",
    [
        [{"type": "tokens_revoked", "tokens": {"bot": ["B1"]}}, {"type": "app_uninstalled"}],
        [{"type": "app_uninstalled"}, {"type": "tokens_revoked", "tokens": {"bot": ["B1"]}}],
    ],
    ids=["revoked-then-uninstalled", "uninstalled-then-revoked"],
)
def test_an_uninstall_in_either_order_leaves_no_key_and_no_personal_data(
    running_app: RunningApp, teams: dict[str, SlackDriver], events: list[dict[str, object]]
) -> None:
    from sqlalchemy import create_engine, text

    app = running_app
    app.saleshandy.add_key(KEY_A)
    connect(app, teams[TEAM_A], REP_A, KEY_A)
    link = "<https://acme.my.saleshandy.com/prospects/8PvBmrB7P7|Jane Secretname>"
    teams[TEAM_A].slash_command(f"call {link} tomorrow note: her private number", user_id=REP_A)
    wait_for_creates(app.saleshandy, 1)
    app.drain()
    for event in events:
        assert teams[TEAM_A].send_event(event).status_code == 200
        app.drain()

    engine = create_engine(app.settings.database_url)
    try:
        with engine.connect() as connection:
            dump = " ".join(
                str(connection.execute(text(f"SELECT * FROM {table}")).all())
                for table in ("submissions", "saleshandy_keys", "slack_installations", "slack_bots")
            )
            kept = connection.execute(
                text("SELECT state, outcomes_json IS NULL FROM submissions WHERE team_id = :t"), {"t": TEAM_A}
            ).all()
    finally:
        engine.dispose()
    assert KEY_A not in dump and "private number" not in dump and "Secretname" not in dump
    assert "8PvBmrB7P7" in dump  # what was done stays, for the audit trail: prospect IDs and task ids
    assert [state for state, _ in kept] == ["done"]


@pytest.mark.parametrize("running_app", [OAUTH], indirect=True)
def test_a_rotating_bot_token_is_refreshed_before_it_expires_and_the_work_uses_the_new_one(
    running_app: RunningApp,
) -> None:
    app, slack = running_app, running_app.slack
    slack.add_user(REP_A, name="ann-a")
    # Token rotation on: the token lasts a minute, well inside the app's refresh margin (two hours).
    first = install(app, TEAM_A, "code-rotating", expires_in=60)
    app.saleshandy.add_key(KEY_A)
    with SlackDriver(app.url, SLACK_SIGNING_SECRET, slack, team_id=TEAM_A) as driver:
        connect(app, driver, REP_A, KEY_A)
        driver.slash_command("call 8PvBmrB7P7 tomorrow", user_id=REP_A)
        wait_for_creates(app.saleshandy, 1)
        posts = slack.wait_for("chat.postMessage", count=2)
        app.drain()

    (refresh,) = [c for c in slack.calls("oauth.v2.access") if c.params.get("grant_type") == "refresh_token"]
    assert refresh.ok
    refreshed = str(refresh.response_json["access_token"])
    assert refreshed != first
    # The first request refreshed it (Bolt, against SLACK_API_URL); from then on only the new one is used.
    made_with = {c.token for c in slack.calls() if c.team == TEAM_A and c.method != "oauth.v2.access"}
    assert first not in {c.token for c in slack.calls() if c.at > refresh.at}
    assert refreshed in made_with
    assert all(post.ok and post.token == refreshed for post in posts)
    # The old token no longer works anywhere.
    answer = httpx.post(f"{slack.api_url}auth.test", headers={"Authorization": f"Bearer {first}"})
    assert answer.json()["error"] == "invalid_auth"


ORG, TEAM_G, REP_G, KEY_G = "E0ORGWIDE1", "T0GRIDWS1", "U0GREP", "sh-oauth-rep-grid-3c9f1b"


@pytest.mark.parametrize("running_app", [OAUTH], indirect=True)
def test_an_org_wide_install_serves_a_workspace_of_the_org_with_the_orgs_token(
    running_app: RunningApp,
) -> None:
    from sqlalchemy import create_engine, text

    app, slack = running_app, running_app.slack
    slack.add_user(REP_G, name="gia-g")
    # An Enterprise Grid org admin installs the app for the whole org: one installation, no team.
    org_token = install(app, None, "code-org", enterprise_id=ORG, is_enterprise_install=True)
    app.saleshandy.add_key(KEY_G)
    with SlackDriver(
        app.url, SLACK_SIGNING_SECRET, slack, team_id=TEAM_G, enterprise_id=ORG, is_enterprise_install=True
    ) as driver:
        connect(app, driver, REP_G, KEY_G)
        driver.slash_command("call 8PvBmrB7P7 tomorrow", user_id=REP_G)
        (create,) = wait_for_creates(app.saleshandy, 1)
        assert create.headers["x-api-key"] == KEY_G  # the rep's own key, kept for their workspace
        posts = slack.wait_for("chat.postMessage", count=2)
        app.drain()
        assert all(post.ok and post.token == org_token and post.team == ORG for post in posts)
        assert "8PvBmrB7P7" in " ".join(message_text(post.params) for post in posts)

        engine = create_engine(app.settings.database_url)

        def count(sql: str) -> int:
            with engine.connect() as connection:
                return int(connection.execute(text(sql), {"org": ORG}).scalar_one())

        try:
            # Installed org-wide, the org is where reps' keys are kept (its member ids are the org's).
            assert count("SELECT count(*) FROM saleshandy_keys WHERE team_id = :org") == 1
            # Uninstalled org-wide: the org's installation goes (it has no team), and the keys.
            assert driver.send_event({"type": "app_uninstalled"}).status_code == 200
            app.drain()
            wait_until(
                lambda: count("SELECT count(*) FROM slack_installations WHERE enterprise_id = :org") == 0,
                what="the org's installation deleted",
            )
            assert count("SELECT count(*) FROM slack_bots WHERE enterprise_id = :org") == 0
            assert count("SELECT count(*) FROM saleshandy_keys WHERE team_id = :org") == 0
        finally:
            engine.dispose()
