"""Many workspaces, work outside a request (results, resumes, users.info): the bot token of the team's
installation or its Enterprise Grid org's org-wide one, refreshed first when it rotates and runs out."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.token_rotation import TokenRotator

from bot.slack.app import GridTeams, NotInstalledError, TeamClients
from bot.store import open_database
from bot_testing.slack import FakeSlack

CLIENT_ID, CLIENT_SECRET = "1111.2222", "team-clients-secret"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[FakeSlack, SQLAlchemyInstallationStore, TeamClients]]:
    engine = open_database(f"sqlite:///{tmp_path / 'teams.sqlite3'}")
    store = SQLAlchemyInstallationStore(
        CLIENT_ID, engine, bots_table_name="slack_bots", installations_table_name="slack_installations"
    )
    with FakeSlack() as slack:
        base = WebClient(base_url=slack.api_url)
        rotator = TokenRotator(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, client=base)
        yield slack, store, TeamClients(store, base, orgs=GridTeams(), rotator=rotator)
    engine.dispose()


def installed(
    slack: FakeSlack, store: SQLAlchemyInstallationStore, code: str, **install: Any
) -> Installation:
    """What Bolt's OAuth flow saves for an install the fake answers."""
    slack.add_install_code(code, **install)
    answer = WebClient(base_url=slack.api_url).oauth_v2_access(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, code=code
    )
    enterprise = answer.get("enterprise") or {}
    installation = Installation(
        app_id=answer["app_id"],
        enterprise_id=enterprise.get("id"),
        team_id=(answer.get("team") or {}).get("id"),
        user_id=answer["authed_user"]["id"],
        bot_token=answer["access_token"],
        bot_id="BBOT",
        bot_user_id=answer["bot_user_id"],
        bot_refresh_token=answer.get("refresh_token"),
        bot_token_expires_in=answer.get("expires_in"),
        is_enterprise_install=answer["is_enterprise_install"],
    )
    store.save(installation)
    return installation


def test_an_expiring_token_is_refreshed_and_saved_before_background_work_uses_it(
    world: tuple[FakeSlack, SQLAlchemyInstallationStore, TeamClients],
) -> None:
    slack, store, clients = world
    first = installed(slack, store, "code-rotating", team_id="T0ROTATE", expires_in=60)

    client = clients("T0ROTATE")

    assert client.token != first.bot_token
    assert client.auth_test()["ok"]
    saved = store.find_installation(enterprise_id=None, team_id="T0ROTATE")
    assert saved is not None and saved.bot_token == client.token
    assert (saved.bot_token_expires_at or 0) > time.time() + 11 * 3600  # a fresh 12-hour token
    assert clients("T0ROTATE").token == client.token  # not refreshed again while it is fresh


def test_a_workspace_of_an_org_installed_org_wide_gets_the_orgs_token(
    world: tuple[FakeSlack, SQLAlchemyInstallationStore, TeamClients],
) -> None:
    slack, store, clients = world
    org = installed(slack, store, "code-org", enterprise_id="E0ORG", is_enterprise_install=True)

    assert clients("E0ORG", "E0ORG", True).token == org.bot_token
    assert clients("T0INORG", "E0ORG", True).token == org.bot_token
    with pytest.raises(NotInstalledError):
        clients("T0INORG")  # no org named, none remembered: not this team's own installation
