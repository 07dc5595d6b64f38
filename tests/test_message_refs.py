"""Prospects in messages of every shape reps run the shortcut on: people's, bots', integrations'."""

from typing import Any

import pytest

from bot.parsing.prospects import DEFAULT_LINK_PATTERNS
from bot.slack.message_refs import references_in_message

LINK = "https://my.saleshandy.com/prospects/"


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            {"text": f"call <{LINK}8PvBmrB7P7|Jane> and Pr9xQ2Lm"},
            [("8PvBmrB7P7", "Jane"), ("Pr9xQ2Lm", None)],
        ),
        (
            {
                "blocks": [
                    {"type": "section", "text": {"type": "mrkdwn", "text": f"Lead <{LINK}8PvBmrB7P7|Jane>"}}
                ]
            },
            [("8PvBmrB7P7", "Jane")],
        ),
        (
            {"blocks": [{"type": "section", "fields": [{"type": "mrkdwn", "text": "*ID* Pr9xQ2Lm"}]}]},
            [("Pr9xQ2Lm", None)],
        ),
        (
            {
                "blocks": [
                    {
                        "type": "actions",
                        "elements": [
                            {
                                "type": "button",
                                "text": {"type": "plain_text", "text": "Open"},
                                "url": f"{LINK}Mw5Mjoo1wb",
                            }
                        ],
                    }
                ]
            },
            [("Mw5Mjoo1wb", None)],
        ),
        (
            {
                "blocks": [
                    {
                        "type": "rich_text",
                        "elements": [
                            {
                                "type": "rich_text_section",
                                "elements": [
                                    {"type": "link", "url": f"{LINK}8PvBmrB7P7", "text": "Jane Doe"},
                                    {"type": "text", "text": " and Pr9xQ2Lm"},
                                ],
                            }
                        ],
                    }
                ]
            },
            [("8PvBmrB7P7", "Jane Doe"), ("Pr9xQ2Lm", None)],
        ),
        (
            {
                "attachments": [
                    {"from_url": f"{LINK}Zx81Kq2w", "title": "Priya Rao"},
                    {
                        "blocks": [{"type": "context", "elements": [{"type": "mrkdwn", "text": "Qm7Lp2Rt"}]}],
                        "fields": [{"title": "Prospect", "value": "Ab3dEf9Hq"}],
                    },
                ]
            },
            [("Zx81Kq2w", "Priya Rao"), ("Qm7Lp2Rt", None), ("Ab3dEf9Hq", None)],
        ),
        ({"text": "no prospects here, just LinkedIn and HubSpot"}, []),
    ],
)
def test_prospects_are_found_wherever_the_message_keeps_them(
    message: dict[str, Any], expected: list[tuple[str, str | None]]
) -> None:
    found, _ = references_in_message(message, DEFAULT_LINK_PATTERNS)
    assert [(p.id, p.display_name) for p in found] == expected


def test_the_same_prospect_in_text_blocks_and_unfurl_is_listed_once_with_its_name() -> None:
    message = {
        "text": f"<{LINK}8PvBmrB7P7|Jane>",
        "blocks": [{"type": "rich_text", "elements": [{"type": "link", "url": f"{LINK}8PvBmrB7P7"}]}],
        "attachments": [{"original_url": f"{LINK}8PvBmrB7P7", "title": "Jane Doe"}],
    }
    found, _ = references_in_message(message, DEFAULT_LINK_PATTERNS)
    assert [(p.id, p.display_name) for p in found] == [("8PvBmrB7P7", "Jane")]
