"""Posts to a response_url: answers in the interaction's channel, shown to one person or to all.

Slack takes up to `response_url_max_uses` posts within `response_url_ttl` seconds of the interaction;
it answers in text ("ok", "no_text", "expired_url"…), not JSON.
"""

from __future__ import annotations

import json

from bot_testing.http_adapter import Answer, Request
from bot_testing.slack.calls import CallLog
from bot_testing.slack.protocol import JsonDict, content_of
from bot_testing.slack.workspace import ResponseUrl, Workspace

TEXT_TYPE = "text/plain; charset=utf-8"


def answer_response_url(workspace: Workspace, log: CallLog, token: str, request: Request) -> Answer:
    with workspace.lock:
        entry = workspace.response_urls.get(token)
        try:
            payload = json.loads(request.body)
        except (ValueError, UnicodeDecodeError):
            payload = None
        params: JsonDict = (
            payload if isinstance(payload, dict) else {"_raw": request.body.decode(errors="replace")}
        )
        status, text = _use(workspace, entry, payload)
        log.record(
            "response_url",
            params,
            dict(request.headers),
            status,
            text,
            channel=entry.channel if entry else None,
            user=entry.user if entry else None,
        )
    return Answer(status, text.encode(), TEXT_TYPE)


def _use(workspace: Workspace, entry: ResponseUrl | None, payload: object) -> tuple[int, str]:
    if entry is None:
        return 404, "no_service"
    if (
        entry.uses >= workspace.response_url_max_uses
        or workspace.clock() - entry.issued_at > workspace.response_url_ttl
    ):
        return 404, "expired_url"
    if not isinstance(payload, dict):
        return 400, "invalid_payload"
    if not (content_of(payload) or payload.get("delete_original")):
        return 400, "no_text"
    entry.uses += 1
    original = workspace.find_message(entry.channel, entry.message_ts) if entry.message_ts else None
    if payload.get("delete_original") and original is not None:
        workspace.messages_by_channel[entry.channel].remove(original)
    elif payload.get("replace_original") and original is not None:
        original.update(content_of(payload))
    elif payload.get("response_type") == "in_channel":
        message = workspace.bot_message(payload)
        if payload.get("thread_ts"):
            message["thread_ts"] = str(payload["thread_ts"])
        workspace.messages_by_channel[entry.channel].append(message)
    else:
        workspace.ephemeral.append({"channel": entry.channel, "user": entry.user, **payload})
    return 200, "ok"
