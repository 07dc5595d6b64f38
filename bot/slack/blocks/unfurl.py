"""A prospect link's preview (Slack's app unfurl): only what the poster pasted, and a *Create task* button.

The preview is seen by the whole channel, so it shows nothing fetched from Saleshandy: the prospect's ID
(and the link's label, when one is known). The button carries what the form needs to whoever presses it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.domain import ProspectRef
from bot.slack.blocks.text import escape_mrkdwn
from bot.slack.ids import UNFURL_BLOCK_ID, UNFURL_CREATE_TASK_ACTION_ID

BUTTON_VALUE_MAX_CHARS = 2000
"""Slack's limit for a button's value."""
LABEL_MAX_CHARS = 100
"""A pasted link's label, shown in the preview: longer ones are cut (the message itself shows it whole)."""
BUTTON_TEXT = "Create task"


@dataclass(frozen=True)
class UnfurlButton:
    """What *Create task* carries: the prospects every link of the message names (first link first),
    the thread the message is in, and how many prospects did not fit in the button's value."""

    prospect_ids: tuple[str, ...]
    thread_ts: str | None = None
    left_out: int = 0

    def to_value(self) -> str:
        """The button's value (≤ 2,000 characters): the last IDs are left out, and counted, when they
        would not fit."""
        ids = list(dict.fromkeys(self.prospect_ids))
        left_out = self.left_out
        while True:
            value = self._encode(ids, left_out)
            if len(value) <= BUTTON_VALUE_MAX_CHARS:
                return value
            ids.pop()
            left_out += 1

    def _encode(self, ids: list[str], left_out: int) -> str:
        data: dict[str, Any] = {"p": ids}
        if self.thread_ts:
            data["t"] = self.thread_ts
        if left_out:
            data["n"] = left_out
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_value(cls, value: object) -> UnfurlButton | None:
        """The button's value read back; None when it is not one of ours (or not well formed)."""
        try:
            data = json.loads(str(value))
            listed = data["p"]
            if not isinstance(listed, list) or not listed:
                return None
            ids = tuple(ProspectRef(id=str(i)).id for i in listed)
            thread = data.get("t")
            return cls(ids, str(thread) if thread else None, int(data.get("n", 0)))
        except (ValueError, TypeError, KeyError):
            return None


def build_prospect_unfurls(
    links: Sequence[tuple[str, ProspectRef]], button: UnfurlButton
) -> dict[str, dict[str, Any]]:
    """chat.unfurl's `unfurls`: for each prospect link (the URL as Slack sent it), a one-line preview
    with the prospect's ID (and label) and the *Create task* button."""
    value = button.to_value()
    return {url: {"blocks": [_preview_block(prospect, value)]} for url, prospect in links}


def _preview_block(prospect: ProspectRef, value: str) -> dict[str, Any]:
    text = f"*Saleshandy prospect* `{escape_mrkdwn(prospect.id)}`"
    if prospect.display_name:
        label = prospect.display_name
        shown = label if len(label) <= LABEL_MAX_CHARS else label[: LABEL_MAX_CHARS - 1] + "…"
        text += f" · {escape_mrkdwn(shown)}"
    return {
        "type": "section",
        "block_id": UNFURL_BLOCK_ID,
        "text": {"type": "mrkdwn", "text": text},
        "accessory": {
            "type": "button",
            "action_id": UNFURL_CREATE_TASK_ACTION_ID,
            "text": {"type": "plain_text", "text": BUTTON_TEXT},
            "value": value,
        },
    }
