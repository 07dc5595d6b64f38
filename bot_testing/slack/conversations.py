"""`conversations.*`: the DMs the app opens to reach a person."""

from __future__ import annotations

from bot_testing.slack.protocol import ApiError, JsonDict
from bot_testing.slack.registry import ApiCall, web_api_method
from bot_testing.slack.workspace import Workspace


@web_api_method("conversations.open")
def open_conversation(workspace: Workspace, call: ApiCall) -> JsonDict:
    if call.params.get("channel"):
        return {"channel": {"id": workspace.resolve_channel(call.params)}}
    users = [u for u in str(call.params.get("users") or "").split(",") if u]
    if not users:
        raise ApiError("users_list_not_supplied")
    channel, already_open = workspace.open_dm(users)
    answer: JsonDict = {"channel": {"id": channel}}
    if already_open:
        answer.update(no_op=True, already_open=True)
    return answer

