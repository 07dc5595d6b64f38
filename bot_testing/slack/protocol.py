"""How Slack's Web API reads requests and words errors: tokens, bodies, required fields, error bodies."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qsl

JsonDict = dict[str, Any]

_JSON_FIELDS = ("blocks", "attachments", "view", "metadata")
"""Fields Slack accepts as JSON text inside form bodies."""


class ApiError(Exception):
    """An answer of `{"ok": false, "error": error}` (with `response_metadata.messages`, if any)."""

    def __init__(self, error: str, *, messages: Sequence[str] = ()) -> None:
        super().__init__(error)
        self.error = error
        self.messages = list(messages)

    def body(self) -> JsonDict:
        body: JsonDict = {"ok": False, "error": self.error}
        if self.messages:
            body["response_metadata"] = {"messages": self.messages}
        return body


def bearer(headers: dict[str, str]) -> str | None:
    value = headers.get("authorization", "")
    return value[len("Bearer ") :].strip() if value.startswith("Bearer ") else None


def parse_body(body: bytes, content_type: str) -> tuple[JsonDict, bool]:
    """The body's fields, and whether it was JSON."""
    if not body:
        return {}, False
    kind = content_type.split(";")[0].strip().lower()
    if kind == "application/json":
        try:
            parsed = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise ApiError("invalid_json") from None
        if not isinstance(parsed, dict):
            raise ApiError("invalid_json")
        return parsed, True
    if kind in ("application/x-www-form-urlencoded", ""):
        try:
            return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True)), False
        except UnicodeDecodeError:
            raise ApiError("invalid_form_data") from None
    raise ApiError("invalid_form_data")


def decode_json_fields(params: JsonDict) -> None:
    """Form bodies carry `blocks`/`view`/... as JSON text; decode them where they parse."""
    for name in _JSON_FIELDS:
        value = params.get(name)
        if isinstance(value, str) and value.strip():
            # Left as text if it doesn't parse: the method answers with its own format error.
            with contextlib.suppress(ValueError):
                params[name] = json.loads(value)


def content_of(params: JsonDict) -> JsonDict:
    """A message's content: its text, blocks and attachments (those given)."""
    return {k: params[k] for k in ("text", "blocks", "attachments") if params.get(k)}


def required(params: JsonDict, name: str, error: str) -> str:
    value = params.get(name)
    if value is None or value == "":
        raise ApiError(error)
    return str(value)
