"""Links and the conversations they are posted in: which links Slack told the app of (`link_shared`), the
app's previews of them (`chat.unfurl`, answered in chat.py), a message's links, and the kinds of
conversation the bot may or may not post in (DMs and group DMs it is not in, Slack Connect channels)."""

from __future__ import annotations

import copy
import html
import re
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from bot_testing.slack.protocol import ApiError, JsonDict

_TEXT_LINK = re.compile(r"<(https?://[^|>\s]+)(?:\|[^>]*)?>")
"""A link in a message's text as Slack formats it: `<url>` or `<url|label>`."""
PRIVATE_KINDS = frozenset({"im", "mpim", "private"})
"""Conversations the bot cannot see unless it is in them: Slack answers `channel_not_found`."""


@dataclass(frozen=True)
class Conversation:
    """A conversation set up by a test: its kind, whether the bot is in it, whether it is shared with
    another organisation (Slack Connect)."""

    kind: str = "channel"
    """"channel" (public), "private", "im" (a DM), "mpim" (a group DM)."""
    bot_member: bool = True
    ext_shared: bool = False

    def refusal(self) -> str | None:
        """Slack's answer to the bot posting here, or None when it may: a public channel takes posts
        from outside (chat:write.public), except a Slack Connect one."""
        if self.bot_member:
            return None
        if self.kind in PRIVATE_KINDS:
            return "channel_not_found"
        return "not_in_channel" if self.ext_shared else None


@dataclass
class SharedLink:
    """Links one `link_shared` named: of a posted message, or (no channel) still in the message box."""

    urls: tuple[str, ...]
    channel: str | None = None
    ts: str | None = None
    previews: dict[str, JsonDict] = field(default_factory=dict)
    """The app's previews of links still in the message box (a posted message carries its own)."""


class SharedLinks:
    """Every `link_shared` sent, by its unfurl_id (called with the workspace's lock held)."""

    def __init__(self) -> None:
        self._by_id: dict[str, SharedLink] = {}

    def share(self, channel: str | None, ts: str | None, urls: Iterable[str]) -> str:
        where = f"{channel}.{ts}" if channel else "COMPOSER"
        unfurl_id = f"{where}.{secrets.token_hex(24)}"
        self._by_id[unfurl_id] = SharedLink(tuple(urls), channel, ts)
        return unfurl_id

    def get(self, unfurl_id: str) -> SharedLink | None:
        return self._by_id.get(unfurl_id)

    def urls_of(self, channel: str, ts: str) -> set[str]:
        """The links of the message `ts` Slack told the app of."""
        return {url for s in self._by_id.values() if (s.channel, s.ts) == (channel, ts) for url in s.urls}


def links_in(message: JsonDict) -> Iterator[str]:
    """The URLs a message links to, in order: in its text (`<url|label>`) and its rich-text links."""
    for found in _TEXT_LINK.finditer(str(message.get("text") or "")):
        yield html.unescape(found.group(1))
    yield from _rich_text_links(message.get("blocks") or [])


def _rich_text_links(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        if node.get("type") == "link" and isinstance(node.get("url"), str):
            yield node["url"]
        for value in node.values():
            yield from _rich_text_links(value)
    elif isinstance(node, list):
        for item in node:
            yield from _rich_text_links(item)


def attach_previews(message: JsonDict, previews: dict[str, JsonDict]) -> None:
    """Put the app's previews under `message`, replacing earlier previews of the same links (Slack
    modifies a message's app unfurls rather than adding more)."""
    kept = [a for a in message.get("attachments", []) if a.get("app_unfurl_url") not in previews]
    next_id = max((int(a.get("id", 0)) for a in kept), default=0) + 1
    for offset, (url, preview) in enumerate(previews.items()):
        kept.append(
            {
                **copy.deepcopy(preview),
                "id": next_id + offset,
                "is_app_unfurl": True,
                "app_unfurl_url": url,
                "from_url": url,
                "original_url": url,
                "fallback": preview.get("fallback") or url,
            }
        )
    message["attachments"] = kept


def previews_under(message: JsonDict) -> dict[str, JsonDict]:
    """The app's previews attached to `message`, by URL, as the app sent them."""
    return {
        str(a["app_unfurl_url"]): {k: v for k, v in a.items() if k not in _BOOKKEEPING}
        for a in message.get("attachments", [])
        if a.get("is_app_unfurl")
    }


_BOOKKEEPING = frozenset({"id", "is_app_unfurl", "app_unfurl_url", "from_url", "original_url"})
"""What Slack adds to an app's preview when it attaches it."""


def check_shared(shared: Iterable[str], previews: dict[str, JsonDict]) -> None:
    """Slack unfurls only the links it told the app of."""
    told = set(shared)
    if any(url not in told for url in previews):
        raise ApiError("cannot_unfurl_url")
