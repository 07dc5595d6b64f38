"""The prospects a Slack message names: in its text, its rich-text links and its link unfurls."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from bot.domain import ProspectRef
from bot.parsing.prospects import (
    ProspectLinkPatterns,
    dedupe_prospects,
    prospect_from_word,
    split_references,
)

_ATTACHMENT_URL_FIELDS = ("from_url", "original_url", "title_link", "app_unfurl_url")
_ATTACHMENT_TEXT_FIELDS = ("pretext", "title", "text", "fallback")


def prospects_in_message(
    message: dict[str, Any], links: ProspectLinkPatterns
) -> tuple[ProspectRef, ...]:
    """Every prospect the message names, first mention first, each once."""
    found: list[ProspectRef] = []
    for word, label in _candidates(message):
        prospect = prospect_from_word(word, links)
        if prospect is not None:
            if label and not prospect.display_name and label != prospect.link:
                prospect = prospect.model_copy(update={"display_name": label})
            found.append(prospect)
    return dedupe_prospects(found)


def _candidates(message: dict[str, Any]) -> Iterator[tuple[str, str | None]]:
    for word in split_references(str(message.get("text") or "")):
        yield word, None
    for element in _walk(message.get("blocks") or []):
        if element.get("type") == "link" and isinstance(element.get("url"), str):
            yield element["url"], element.get("text") or None
        elif element.get("type") == "text" and isinstance(element.get("text"), str):
            yield from ((word, None) for word in split_references(element["text"]))
    for attachment in message.get("attachments") or []:
        if not isinstance(attachment, dict):
            continue
        for key in _ATTACHMENT_URL_FIELDS:
            if isinstance(attachment.get(key), str):
                yield attachment[key], attachment.get("title") or None
        for key in _ATTACHMENT_TEXT_FIELDS:
            if isinstance(attachment.get(key), str):
                yield from ((word, None) for word in split_references(attachment[key]))


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)
