"""The prospects a Slack message names: in its text, its rich-text links and its link unfurls."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from bot.domain import ProspectRef
from bot.parsing.prospects import (
    ProspectLinkPatterns,
    dedupe_emails,
    dedupe_prospects,
    email_from_word,
    prospect_from_word,
    split_references,
)

_URL_KEYS = frozenset({"url", "from_url", "original_url", "title_link", "app_unfurl_url", "image_url"})
"""Where a message's parts keep links: rich-text links, buttons, unfurls (attachments)."""
_TEXT_KEYS = frozenset({"text", "pretext", "title", "fallback", "value", "footer"})
"""Where they keep words: text objects (mrkdwn, plain_text), rich-text runs, attachment fields."""


def references_in_message(
    message: dict[str, Any], links: ProspectLinkPatterns
) -> tuple[tuple[ProspectRef, ...], tuple[str, ...]]:
    """The prospects the message names by ID or link, and the emails it holds (to look up)."""
    found: list[ProspectRef] = []
    emails: list[str] = []
    for word, label in _candidates(message):
        prospect = prospect_from_word(word, links)
        if prospect is not None:
            if label and not prospect.display_name and label != prospect.link:
                prospect = prospect.model_copy(update={"display_name": label})
            found.append(prospect)
        elif (email := email_from_word(word)) is not None:
            emails.append(email)
    return dedupe_prospects(found), dedupe_emails(emails)


def _candidates(message: dict[str, Any]) -> Iterator[tuple[str, str | None]]:
    """Every word and link of the message: its text, its blocks (rich text, sections, fields, buttons,
    context) and its attachments (link unfurls, integrations' cards with their own blocks)."""
    for word in split_references(str(message.get("text") or "")):
        yield word, None
    for part in _walk([message.get("blocks") or [], message.get("attachments") or []]):
        label = part.get("text") if part.get("type") == "link" else part.get("title")
        for key, value in part.items():
            if key in _URL_KEYS and isinstance(value, str):
                yield value, label if isinstance(label, str) and label else None
            elif key in _TEXT_KEYS and isinstance(value, str) and part.get("type") != "link":
                yield from ((word, None) for word in split_references(value))


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def message_permalink(domain: str | None, channel: str, ts: str, thread_ts: str | None = None) -> str:
    """A message's permalink in Slack's documented form, built from what a payload says (sparing an API
    call before the trigger_id is spent); a reply's names its thread."""
    link = f"https://{domain or 'app'}.slack.com/archives/{channel}/p{ts.replace('.', '')}"
    if thread_ts and thread_ts != ts:
        link += f"?thread_ts={thread_ts}&cid={channel}"
    return link
