"""Small ephemeral and DM messages: a line of news for the rep, never anyone else's business."""

from __future__ import annotations

import re
from typing import Any

from bot.parsing.clean_text import shorten
from bot.slack.blocks.elements import mrkdwn_section
from bot.slack.blocks.text import escape_mrkdwn
from bot.slack.limits import TEXT_MAX_CHARS

REASON_MAX_CHARS = 100
DEFAULT_APP_NAME = "Saleshandy Tasks"

_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{2,}$")
_TEAM_ID = re.compile(r"^[TE][A-Z0-9]{2,}$")
APP_REDIRECT_URL = "https://slack.com/app_redirect"
"""Opens a conversation by its ID (in the app or the browser): the link to the rep's DM with the app."""
_NOT_A_MEMBER = frozenset({"not_in_channel", "channel_not_found"})
"""Reasons an invitation cures (Slack says `channel_not_found` for a private channel the app is not in)."""


def build_notice(text: str) -> dict[str, Any]:
    """One line of news, shown exactly as written: no mentions, links or formatting from `text`."""
    shown = shorten(text, TEXT_MAX_CHARS)
    return {
        "text": escape_mrkdwn(shown),
        "blocks": [{"type": "section", "text": {"type": "plain_text", "text": shown}}],
    }


def build_redirected_results_intro(
    channel_id: str, reason: str, *, app_name: str = DEFAULT_APP_NAME
) -> dict[str, Any]:
    """The DM that explains why results came here and not to the channel the rep asked in."""
    code = escape_mrkdwn(shorten(reason, REASON_MAX_CHARS).replace("`", "'"))
    app = escape_mrkdwn(shorten(app_name, REASON_MAX_CHARS).replace("`", "'"))
    if channel_id.startswith("D") and reason in _NOT_A_MEMBER:
        # A direct message between people: no bot can be invited there, so no advice to try.
        text = "I can't post in a direct message between people — here are your results."
        return {"text": text, "blocks": [mrkdwn_section(text)]}
    channel = f"<#{channel_id}>" if _CHANNEL_ID.fullmatch(channel_id) else "that channel"
    text = f"I couldn't post in {channel} (`{code}`) — here are your results."
    if reason in _NOT_A_MEMBER:
        text += f" Invite me with `/invite @{app}` to get them in the channel."
    return {"text": text, "blocks": [mrkdwn_section(text)]}


def build_results_moved_pointer(
    dm_channel_id: str, *, team_id: str | None = None, app_name: str = DEFAULT_APP_NAME
) -> dict[str, Any]:
    """The one line, where the rep acted, that says their results are in their DM with the app (and
    links to it when its ID is one)."""
    app = escape_mrkdwn(shorten(app_name, REASON_MAX_CHARS))
    where = f"your DM with {app}"
    if _CHANNEL_ID.fullmatch(dm_channel_id):
        team = f"&team={team_id}" if team_id and _TEAM_ID.fullmatch(team_id) else ""
        where = f"<{APP_REDIRECT_URL}?channel={dm_channel_id}{team}|{where}>"
    text = f"Results are in {where}."
    return {"text": text, "blocks": [mrkdwn_section(text)]}
