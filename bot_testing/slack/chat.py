"""`chat.*`: posting messages as the app's bot; previewing links Slack told it of (`chat.unfurl`)."""

from __future__ import annotations

import copy
import json

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block

from bot_testing.slack.links import SharedLink, attach_previews, check_shared, links_in
from bot_testing.slack.protocol import ApiError, JsonDict, content_of, required
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


SOURCES = frozenset({"composer", "conversations_history"})
"""Where a link to unfurl is: still in someone's message box, or in a posted message."""
_ATTACHMENT_CONTENT = ("text", "title", "fallback", "pretext", "image_url", "fields")


@web_api_method("chat.unfurl")
def unfurl(workspace: Workspace, call: ApiCall) -> JsonDict:
    """The app's previews of links Slack told it of: for a posted message (`channel` + `ts`, or its
    link's `unfurl_id` + `source`) or a message box (`unfurl_id` + `source=composer`). Every URL must be
    one a link_shared named, and one that is in the message."""
    params = call.params
    previews = valid_unfurls(params.get("unfurls"))
    if params.get("unfurl_id") or params.get("source"):
        shared = _shared_by_unfurl_id(workspace, params)
        if shared.channel is None or shared.ts is None:  # still in the message box
            check_shared(shared.urls, previews)
            shared.previews.update(copy.deepcopy(previews))
            return {}
        channel, ts = shared.channel, shared.ts
    else:
        channel = required(params, "channel", "missing_channel")
        ts = required(params, "ts", "missing_ts")
    if channel in workspace.missing:
        raise ApiError("cannot_find_channel")
    message = workspace.find_message(channel, ts)
    if message is None:
        raise ApiError("cannot_find_message")
    in_message = set(links_in(message))
    if any(url not in in_message for url in previews):
        raise ApiError("cannot_unfurl_message")
    check_shared(workspace.shared_links.urls_of(channel, ts), previews)
    attach_previews(message, previews)
    return {}


def valid_unfurls(raw: object) -> dict[str, JsonDict]:
    """`unfurls`: a JSON map of URL → `{"blocks": [...]}` (valid Block Kit) or an attachment."""
    if raw is None or raw == "":
        raise ApiError("missing_unfurls")
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise ApiError("invalid_unfurls_format") from None
    if not isinstance(raw, dict) or not raw or not all(isinstance(p, dict) for p in raw.values()):
        raise ApiError("invalid_unfurls_format")
    for preview in raw.values():
        _check_preview(preview)
    return raw


def _check_preview(preview: JsonDict) -> None:
    blocks = preview.get("blocks")
    if blocks is None:
        if not any(preview.get(name) for name in _ATTACHMENT_CONTENT):
            raise ApiError("cannot_parse_attachment")
        return
    if not isinstance(blocks, list) or not blocks or len(blocks) > MAX_BLOCKS:
        raise ApiError("invalid_blocks", messages=[f"[ERROR] 1 to {MAX_BLOCKS} blocks allowed"])
    for number, block in enumerate(blocks):
        try:
            model = Block.parse(block)
            if model is None:
                raise SlackObjectFormationError(f"not a block: {block!r:.80}")
            model.validate_json()
        except (SlackObjectFormationError, TypeError, ValueError, KeyError) as error:
            problem = f"[ERROR] {error} [json-pointer:/blocks/{number}]"
            raise ApiError("invalid_blocks", messages=[problem]) from None


def _shared_by_unfurl_id(workspace: Workspace, params: JsonDict) -> SharedLink:
    unfurl_id = required(params, "unfurl_id", "invalid_arguments")
    source = required(params, "source", "invalid_arguments")
    shared = workspace.shared_links.get(unfurl_id)
    in_composer = shared is not None and shared.channel is None
    if source not in SOURCES or shared is None or (source == "composer") != in_composer:
        raise ApiError("invalid_arguments", messages=["[ERROR] no such unfurl_id for this source"])
    return shared
