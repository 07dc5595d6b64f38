"""`users.*`: members' profiles, with their time zone as of the fake's clock."""

from __future__ import annotations

import datetime
import zoneinfo

from bot_testing.slack.protocol import ApiError, JsonDict
from bot_testing.slack.registry import ApiCall, web_api_method
from bot_testing.slack.workspace import User, Workspace


@web_api_method("users.info")
def user_info(workspace: Workspace, call: ApiCall) -> JsonDict:
    user = workspace.users.get(str(call.params.get("user") or ""))
    if user is None:
        raise ApiError("user_not_found")
    return {"user": _user_object(workspace, user)}


def _user_object(workspace: Workspace, user: User) -> JsonDict:
    answer: JsonDict = {
        "id": user.id,
        "team_id": workspace.team_id,
        "name": user.name,
        "deleted": False,
        "real_name": user.real_name,
        "is_bot": user.is_bot,
        "is_admin": user.is_admin,
        "is_owner": False,
        "profile": {
            "real_name": user.real_name,
            "real_name_normalized": user.real_name,
            "display_name": user.display_name,
            "display_name_normalized": user.display_name,
            **({"email": user.email} if user.email else {}),
        },
    }
    if user.tz is not None:
        now = datetime.datetime.fromtimestamp(workspace.clock(), zoneinfo.ZoneInfo(user.tz))
        offset = now.utcoffset() or datetime.timedelta(0)
        answer.update(tz=user.tz, tz_label=now.tzname(), tz_offset=int(offset.total_seconds()))
    return answer
