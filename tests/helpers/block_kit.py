"""Checks every message and view must pass: slack_sdk's Block Kit models and Slack's size limits."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

TEXT_MAX = 3000
BLOCKS_TEXT_MAX = 12_000


def text_objects(value: object) -> Iterator[dict[str, Any]]:
    """Every text object (plain_text or mrkdwn) anywhere in a payload."""
    if isinstance(value, dict):
        if value.get("type") in ("plain_text", "mrkdwn") and isinstance(value.get("text"), str):
            yield value
        for item in value.values():
            yield from text_objects(item)
    elif isinstance(value, list):
        for item in value:
            yield from text_objects(item)


def mrkdwn_texts(message_or_view: dict[str, Any]) -> list[str]:
    """Everything Slack reads as mrkdwn: mrkdwn text objects, and a message's fallback `text`."""
    blocks = message_or_view.get("blocks", [])
    texts = [t["text"] for t in text_objects(blocks) if t["type"] == "mrkdwn"]
    if isinstance(message_or_view.get("text"), str):
        texts.append(message_or_view["text"])
    return texts


def assert_texts_fit(payload: dict[str, Any]) -> None:
    for text in text_objects(payload.get("blocks", [])):
        assert 0 < len(text["text"]) <= TEXT_MAX


def assert_valid_view(view: dict[str, Any]) -> None:
    model = View(**view)
    model.validate_json()
    model.to_dict()  # validates every nested block and element, not just the view
    assert 0 < len(view["blocks"]) <= 100
    assert_texts_fit(view)
    for block in view["blocks"]:
        element = block.get("element", {})
        if "initial_option" in element:  # Slack rejects an initial option not among the options
            assert element["initial_option"] in all_options(element)
        if "initial_value" in element:
            assert len(element["initial_value"]) <= element.get("max_length", TEXT_MAX) <= TEXT_MAX


def assert_valid_message(message: dict[str, Any]) -> None:
    assert isinstance(message["text"], str) and message["text"]
    assert 0 < len(message["blocks"]) <= 50
    for block in message["blocks"]:
        model = Block.parse(block)
        assert model is not None
        model.validate_json()
        model.to_dict()
    assert_texts_fit(message)
    assert sum(len(t["text"]) for t in text_objects(message["blocks"])) < BLOCKS_TEXT_MAX


def all_options(select: dict[str, Any]) -> list[dict[str, Any]]:
    if "option_groups" in select:
        return [o for group in select["option_groups"] for o in group["options"]]
    return list(select["options"])
