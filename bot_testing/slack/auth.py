"""`auth.test`, `oauth.v2.access` (installs and token rotation) and `apps.connections.open`."""

from __future__ import annotations

from bot_testing.slack.installs import Issued
from bot_testing.slack.protocol import ApiError, JsonDict
from bot_testing.slack.registry import ApiCall, web_api_method
from bot_testing.slack.workspace import Workspace

BOT_SCOPES = "commands,chat:write,chat:write.public,users:read,im:write"


@web_api_method("auth.test")
def auth_test(workspace: Workspace, call: ApiCall) -> JsonDict:
    installed = workspace.installs.installed(call.token or "")
    if installed is None:
        return {
            "url": f"https://{workspace.team_domain}.slack.com/",
            "team": workspace.team_name,
            "user": workspace.users[workspace.bot_user_id].name,
            "team_id": workspace.team_id,
            "user_id": workspace.bot_user_id,
            "bot_id": workspace.bot_id,
            "is_enterprise_install": False,
        }
    return {
        "url": f"https://{installed.owner.lower()}.slack.com/",
        "team": installed.team_name or installed.enterprise_name,
        "user": "fakebot",
        "team_id": installed.team_id or "",
        "enterprise_id": installed.enterprise_id,
        "user_id": workspace.bot_user_id,
        "bot_id": workspace.bot_id,
        "is_enterprise_install": installed.is_enterprise_install,
    }


@web_api_method("oauth.v2.access", token=None)  # client credentials (HTTP Basic), not a token
def oauth_v2_access(workspace: Workspace, call: ApiCall) -> JsonDict:
    if call.params.get("grant_type") == "refresh_token":
        issued = workspace.installs.refresh(str(call.params.get("refresh_token") or ""))
    else:
        issued = workspace.installs.exchange(str(call.params.get("code") or ""))
    return _access_answer(workspace, issued)


@web_api_method("apps.connections.open", token="app")
def open_socket_mode_connection(workspace: Workspace, call: ApiCall) -> JsonDict:
    if workspace.socket_mode_urls is None:
        raise ApiError("internal_error")  # the fake was given an app token but not started
    return {"url": workspace.socket_mode_urls.issue_url()}


def _access_answer(workspace: Workspace, issued: Issued) -> JsonDict:
    install = issued.install
    answer: JsonDict = {
        "access_token": issued.token,
        "token_type": "bot",
        "scope": BOT_SCOPES,
        "bot_user_id": workspace.bot_user_id,
        "app_id": workspace.app_id,
        "team": {"id": install.team_id, "name": install.team_name} if install.team_id else None,
        "enterprise": (
            {"id": install.enterprise_id, "name": install.enterprise_name} if install.enterprise_id else None
        ),
        "is_enterprise_install": install.is_enterprise_install,
        "authed_user": {"id": install.installer},
    }
    if issued.refresh_token is not None:
        answer.update(refresh_token=issued.refresh_token, expires_in=issued.expires_in)
    return answer
