"""What a modal remembers between opening and submission (Slack's private_metadata)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from bot.slack.delivery import ReplyTo
from bot.slack.limits import PRIVATE_METADATA_MAX_CHARS


@dataclass(frozen=True)
class ModalMetadata:
    reply_to: ReplyTo
    announce: bool
    """Post a parent message in the channel first (a /task command) or reply in a thread (a shortcut)."""
    names: dict[str, str] = field(default_factory=dict)
    """Display names of prospects the form can only show as links or IDs (link labels)."""
    kept: str | None = None
    """The token of the prospects kept on our side because the form's field could not hold them."""

    def to_json(self) -> str:
        """The metadata as JSON, dropping names if they would not fit (they are only cosmetic)."""
        data: dict[str, Any] = {"reply_to": self.reply_to.to_dict(), "announce": self.announce}
        if self.kept:
            data["kept"] = self.kept
        with_names = json.dumps(data | {"names": self.names}, separators=(",", ":"))
        if len(with_names) <= PRIVATE_METADATA_MAX_CHARS:
            return with_names
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> ModalMetadata:
        data = json.loads(text)
        return cls(
            ReplyTo.from_dict(data["reply_to"]),
            bool(data["announce"]),
            data.get("names", {}),
            data.get("kept"),
        )
