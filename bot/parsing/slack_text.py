"""Slack's message markup to the readable plain text Saleshandy should store."""

from __future__ import annotations

import re
from collections.abc import Mapping

from bot.parsing.prospects import unescape_slack

_ANGLE_SPAN = re.compile(r"<([^<>|]+)(?:\|([^<>]*))?>")


def slack_to_plain_text(text: str, *, user_names: Mapping[str, str] | None = None) -> str:
    """`<url|label>` → `label (url)`, `<@U1|ann>` → `@ann`, `<!here>` → `@here`, `&amp;` → `&`.

    `user_names` maps user IDs to names for mentions Slack sent without a label.
    """
    names = user_names or {}

    def readable(span: re.Match[str]) -> str:
        target, label = span.group(1), span.group(2)
        return _readable_span(unescape_slack(target), unescape_slack(label) if label else None, names)

    return unescape_slack(_ANGLE_SPAN.sub(readable, text))


def _readable_span(target: str, label: str | None, names: Mapping[str, str]) -> str:
    if target.startswith("@"):
        user_id = target[1:]
        return "@" + (label or names.get(user_id) or user_id).lstrip("@")
    if target.startswith("#"):
        return "#" + (label or target[1:]).lstrip("#")
    if target.startswith("!"):
        special = target[1:].split("^", 1)[0]
        return label or f"@{special}"
    if target.lower().startswith("mailto:"):
        return label or target[len("mailto:") :]
    if label and label != target:
        return f"{label} ({target})"
    return target
