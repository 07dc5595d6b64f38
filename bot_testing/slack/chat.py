"""`chat.*`: posting messages as the app's bot."""

from __future__ import annotations

import copy

from bot_testing.slack.protocol import ApiError, JsonDict, content_of
from bot_testing.slack.registry import ApiCall, web_api_method
from bot_testing.slack.workspace import Workspace

MAX_BLOCKS = 50
"""Blocks Slack takes in one message."""
MAX_TEXT = 40_000
"""Characters of `text` Slack takes in one message (longer: `msg_too_long`)."""


@web_api_method("chat.postMessage")
def post_message(workspace: Workspace, call: ApiCall) -> JsonDict:
    params = call.params
    channel = workspace.resolve_channel(params, membership=True)
    message = workspace.bot_message(valid_content(params))
    if params.get("thread_ts"):
        message["thread_ts"] = str(params["thread_ts"])
    if isinstance(params.get("metadata"), dict):
        message["metadata"] = params["metadata"]
    workspace.messages_by_channel[channel].append(message)
    return {"channel": channel, "ts": message["ts"], "message": copy.deepcopy(message)}


def valid_content(params: JsonDict) -> JsonDict:
    """The message's text, blocks and attachments, or the error Slack answers for them."""
    for name, error in (("blocks", "invalid_blocks_format"), ("attachments", "invalid_attachments")):
        if name in params and not isinstance(params[name], list):
            raise ApiError(error)
    blocks = params.get("blocks")
    if blocks is not None and len(blocks) > MAX_BLOCKS:
        raise ApiError("invalid_blocks", messages=[f"[ERROR] no more than {MAX_BLOCKS} items allowed"])
    content = content_of(params)
    if not content:
        raise ApiError("no_text")
    if len(str(content.get("text", ""))) > MAX_TEXT:
        raise ApiError("msg_too_long")
    return content
