"""The smallest Block Kit pieces every view and message is made of."""

from typing import Any


def mrkdwn_section(mrkdwn: str) -> dict[str, Any]:
    """A section of mrkdwn (escape user text in it first: `text.escape_mrkdwn`)."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn}}


def plain_section(text: str) -> dict[str, Any]:
    """A section of plain text (Slack shows it as typed: nothing in it can ping or link)."""
    return {"type": "section", "text": {"type": "plain_text", "text": text}}


def plain_text(text: str) -> dict[str, Any]:
    """A plain-text object (a title, a label, a button's words)."""
    return {"type": "plain_text", "text": text, "emoji": True}
