"""A prospect link's preview: valid Block Kit, only what was pasted, a button that carries the message's
prospects (within Slack's 2,000 characters) and reads back; the message's permalink; App Home's button."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.domain import ProspectRef
from bot.parsing.prospects import ProspectLinkPatterns
from bot.slack import ids
from bot.slack.blocks.home import HomeState, build_home_view
from bot.slack.blocks.unfurl import BUTTON_VALUE_MAX_CHARS, UnfurlButton, build_prospect_unfurls
from bot.slack.listeners.unfurls import prospect_links
from bot.slack.message_refs import message_permalink
from tests.helpers.block_kit import assert_valid_message

ANN = "https://my.saleshandy.com/prospects/aN7kQ2xLm4"
BOB = "https://app.saleshandy.com/prospects/bR5tY8wPz1?tab=activity"


def assert_valid_unfurls(unfurls: dict[str, dict[str, Any]]) -> None:
    """Each unfurl's blocks as Slack checks a message's (an unfurl is an attachment of blocks)."""
    for url, unfurl in unfurls.items():
        assert url.startswith("https://")
        assert_valid_message({"text": url, "blocks": unfurl["blocks"]})


def button_of(unfurl: dict[str, Any]) -> dict[str, Any]:
    (block,) = unfurl["blocks"]
    return dict(block["accessory"])


def test_each_prospect_link_gets_a_preview_with_its_id_and_the_button() -> None:
    links = [(ANN, ProspectRef(id="aN7kQ2xLm4")), (BOB, ProspectRef(id="bR5tY8wPz1"))]
    unfurls = build_prospect_unfurls(links, UnfurlButton(("aN7kQ2xLm4", "bR5tY8wPz1"), thread_ts="17.5"))

    assert list(unfurls) == [ANN, BOB]
    assert_valid_unfurls(unfurls)
    assert unfurls[ANN]["blocks"][0]["text"]["text"] == "*Saleshandy prospect* `aN7kQ2xLm4`"
    button = button_of(unfurls[BOB])
    assert button["action_id"] == ids.UNFURL_CREATE_TASK_ACTION_ID
    assert button["text"]["text"] == "Create task"
    assert UnfurlButton.from_value(button["value"]) == UnfurlButton(("aN7kQ2xLm4", "bR5tY8wPz1"), "17.5")


def test_a_label_is_shown_escaped_and_cut() -> None:
    prospect = ProspectRef(id="aN7kQ2xLm4", display_name="<!channel> & " + "x" * 200)
    unfurls = build_prospect_unfurls([(ANN, prospect)], UnfurlButton(("aN7kQ2xLm4",)))

    assert_valid_unfurls(unfurls)
    text = unfurls[ANN]["blocks"][0]["text"]["text"]
    assert "&lt;!channel&gt; &amp; " in text and "<!channel>" not in text
    assert text.endswith("…") and len(text) < 160


def test_a_button_value_too_long_for_slack_leaves_the_last_ids_out_and_counts_them() -> None:
    many = tuple(f"p{n:09d}X" for n in range(400))
    value = UnfurlButton(many, thread_ts="1764300000.000100").to_value()

    assert len(value) <= BUTTON_VALUE_MAX_CHARS
    read = UnfurlButton.from_value(value)
    assert read is not None and read.thread_ts == "1764300000.000100"
    assert read.prospect_ids == many[: len(read.prospect_ids)]
    assert len(read.prospect_ids) + read.left_out == 400 and read.left_out > 0
    unfurls = build_prospect_unfurls([(ANN, ProspectRef(id="aN7kQ2xLm4"))], UnfurlButton(many))
    assert_valid_unfurls(unfurls)


def test_the_same_prospect_twice_is_carried_once() -> None:
    value = UnfurlButton(("aN7kQ2xLm4", "bR5tY8wPz1", "aN7kQ2xLm4")).to_value()
    assert json.loads(value) == {"p": ["aN7kQ2xLm4", "bR5tY8wPz1"]}


@pytest.mark.parametrize(
    "value",
    ["", "retry-123", "[]", '{"p": []}', '{"p": "aN7kQ2xLm4"}', '{"p": ["not an id!"]}', '{"q": []}', None],
)
def test_a_value_that_is_not_ours_reads_as_none(value: object) -> None:
    assert UnfurlButton.from_value(value) is None


def test_only_prospect_links_of_a_link_shared_event_are_previewed() -> None:
    links = [
        {"domain": "saleshandy.com", "url": ANN},
        {"domain": "saleshandy.com", "url": "https://my.saleshandy.com/sequences/42/steps"},
        {"domain": "crm.example.com", "url": "https://crm.example.com/people/Zq9Lm2Xc7R"},
        {"domain": "saleshandy.com"},
    ]
    assert prospect_links(links, ProspectLinkPatterns()) == [(ANN, ProspectRef(id="aN7kQ2xLm4", link=ANN))]
    custom = ProspectLinkPatterns((r"crm\.example\.com/people/(?P<id>\w+)",))
    assert [p.id for _, p in prospect_links(links, custom)] == ["aN7kQ2xLm4", "Zq9Lm2Xc7R"]


def test_a_permalink_names_the_thread_of_a_reply_only() -> None:
    assert message_permalink("acme", "C1", "17.000100") == "https://acme.slack.com/archives/C1/p17000100"
    assert message_permalink(None, "C1", "17.000100", "17.000100").startswith("https://app.slack.com/")
    assert message_permalink("acme", "C1", "18.000200", "17.000100") == (
        "https://acme.slack.com/archives/C1/p18000200?thread_ts=17.000100&cid=C1"
    )


def test_app_home_offers_create_a_task() -> None:
    view = build_home_view(HomeState(connected=False, workspace_key=False, can_connect=True))
    (block,) = [b for b in view["blocks"] if b.get("block_id") == ids.HOME_CREATE_TASK_BLOCK_ID]
    assert [e["action_id"] for e in block["elements"]] == [ids.HOME_CREATE_TASK_ACTION_ID]
