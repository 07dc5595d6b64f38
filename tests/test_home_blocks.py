"""The Home tab and the connect views: valid Block Kit in every state, within Slack's limits, no key."""

from __future__ import annotations

import pytest

from bot.domain import Priority, TaskType
from bot.slack import ids
from bot.slack.blocks.home import (
    HomeState,
    KeptDraftLine,
    RecentSubmission,
    build_connect_modal,
    build_connect_prompt,
    build_connect_prompt_view,
    build_defaults_modal,
    build_home_view,
    home_link,
)
from bot.store import RepDefaults
from tests.helpers.block_kit import assert_valid_message, assert_valid_view

RECENT = tuple(
    RecentSubmission(
        when=1_780_000_000 + n,
        what=f"Call · follow-up · due Mon 30 Nov 2026 · {n} prospects",
        created=n,
        failed=1,
        unknown=0,
        link=f"https://slack.com/archives/C123/p17800000{n:02d}000100" if n % 2 else None,
        finished=n != 3,
    )
    for n in range(12)
)


@pytest.mark.parametrize(
    "state",
    [
        HomeState(connected=False, workspace_key=True, can_connect=True),
        HomeState(connected=False, workspace_key=False, can_connect=False),
        HomeState(
            connected=True,
            workspace_key=True,
            can_connect=True,
            draft=KeptDraftLine("t0k3n", "Call · demo · due Tue 1 Dec 2026 · 300 prospects"),
            recent=RECENT,
            defaults=RepDefaults(TaskType.CALL_DEMO, Priority.URGENT, "in 2 business days"),
            admin=True,
            workspace_key_kept=True,
        ),
        HomeState(connected=False, workspace_key=False, can_connect=True, admin=True),
    ],
    ids=["not-connected", "no-encryption", "connected-admin-everything", "admin-no-key"],
)
def test_every_home_state_is_valid_block_kit(state: HomeState) -> None:
    view = build_home_view(state)
    assert view["type"] == "home"
    assert_valid_view(view)
    recent = [b for b in view["blocks"] if b["type"] == "context"]
    assert len(recent) == min(10, len(state.recent))  # the last 10, never more


def test_connect_views_and_prompt_are_valid_and_link_to_the_home_tab() -> None:
    assert_valid_view(build_connect_modal())
    workspace = build_connect_modal(for_workspace=True)
    assert_valid_view(workspace)
    assert workspace["private_metadata"] == ids.CONNECT_FOR_WORKSPACE
    assert_valid_view(build_defaults_modal(RepDefaults(TaskType.LINKEDIN_INMAIL, None, "tomorrow")))
    assert_valid_view(build_defaults_modal(RepDefaults()))
    for kept in (True, False):
        for can_connect in (True, False):
            prompt = build_connect_prompt("T9", "A9", kept=kept, can_connect=can_connect)
            assert_valid_message(prompt)
            assert_valid_view(build_connect_prompt_view("T9", "A9", kept=kept, can_connect=can_connect))
            assert (home_link("T9", "A9") in str(prompt)) is can_connect
    assert home_link("T9", "A9") == "slack://app?team=T9&id=A9&tab=home"
