"""Events: a rep opens the Home tab (it is published as it is now); the app is uninstalled or its tokens
revoked (the workspace's keys and kept drafts are deleted)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.slack.deps import AppDeps
from bot.slack.home import publish_home

logger = logging.getLogger(__name__)


def register(app: App) -> None:
    app.event("app_home_opened")(handle_app_home_opened)
    app.event("app_uninstalled")(handle_app_uninstalled)
    app.event("tokens_revoked")(handle_tokens_revoked)


def handle_app_home_opened(
    event: dict[str, Any], client: WebClient, context: BoltContext, deps: AppDeps
) -> None:
    if event.get("tab") != "home":
        return  # the Messages tab: Slack shows its own
    publish_home(client, deps, team_id=context.team_id or "", user_id=str(event["user"]))


def handle_app_uninstalled(context: BoltContext, deps: AppDeps) -> None:
    team_id = context.team_id or ""
    forgotten = deps.accounts.forget_team(team_id)
    deps.drafts.delete_team(team_id)
    deps.defaults.delete_team(team_id)
    deps.store.anonymise_team(team_id)
    if deps.installations is not None:  # many workspaces: its installation (its bot token) goes too
        # An org-wide (Enterprise Grid) installation is the org's: it has no team.
        deps.installations.delete_all(
            enterprise_id=context.enterprise_id, team_id=None if context.is_enterprise_install else team_id
        )
    logger.info("app uninstalled from team %s: %d Saleshandy key(s) deleted", team_id, forgotten)


def handle_tokens_revoked(event: dict[str, Any], context: BoltContext, deps: AppDeps) -> None:
    """The bot's tokens revoked: nothing can be posted for the team any more; its keys go too."""
    if (event.get("tokens") or {}).get("bot"):
        handle_app_uninstalled(context, deps)
