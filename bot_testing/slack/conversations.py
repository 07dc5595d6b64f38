"""`conversations.*`: the DMs the app opens to reach a person; what a conversation is."""

from __future__ import annotations

from bot_testing.slack.links import Conversation
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


@web_api_method("conversations.info")
def conversation_info(workspace: Workspace, call: ApiCall) -> JsonDict:
    """What a conversation is (a DM, a group DM, a Slack Connect channel…) and whether the bot is in it."""
    channel = workspace.resolve_channel(call.params)
    known = workspace.conversations.get(channel) or Conversation(
        kind="im" if channel.startswith("D") else "channel", bot_member=channel not in workspace.not_in
    )
    return {"channel": known.info(channel, workspace.channel_name(channel), workspace.team_id)}
