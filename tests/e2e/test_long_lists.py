"""A long paste never loses a prospect: what the form's 3,000-character field cannot hold is kept on our
side and created on submit; the notices say so, each problem once with a count."""

from __future__ import annotations

import datetime
import random
import string

import pytest

from bot.parsing import parse_command
from bot.slack import ids
from bot.slack.blocks.modal import PROSPECTS_MAX_CHARS
from bot_testing.slack_driver import fill_view
from tests.e2e.conftest import RunningApp, input_element, message_text, opened_view, wait_until

pytestmark = pytest.mark.both_databases

FIRST = ("Jane", "John", "Priya", "Carlos", "Mei", "Olu", "Sara", "Tom", "Ana", "Raj")
LAST = ("Doe", "Smith", "Rao", "Garcia", "Chen", "Okafor", "Berg", "Lee", "Silva", "Patel")


def saleshandy_ids(count: int, seed: int = 300) -> list[str]:
    """`count` random base62 IDs of 10 characters that `/task` reads as IDs (the rule reads 99.65% of
    them; the odd one it does not would be listed back to the rep as a word it did not understand)."""
    rng = random.Random(seed)
    found: list[str] = []
    while len(found) < count:
        candidate = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(10))
        draft = parse_command(f"call {candidate}", today=datetime.date(2026, 11, 29), day_first=False)
        if [p.id for p in draft.prospects] == [candidate]:
            found.append(candidate)
    return found


def test_a_300_row_paste_submitted_unchanged_creates_300_tasks(running_app: RunningApp) -> None:
    slack, saleshandy, driver = running_app.slack, running_app.saleshandy, running_app.driver
    prospect_ids = saleshandy_ids(300)
    rng = random.Random(7)
    rows = [f"{rng.choice(FIRST)} {rng.choice(LAST)} {pid}" for pid in prospect_ids]
    driver.slash_command("call tomorrow\n" + "\n".join(rows))

    view = opened_view(slack)
    field = input_element(view, ids.PROSPECTS_BLOCK_ID)["initial_value"]
    shown = field.splitlines()
    assert len(field) <= PROSPECTS_MAX_CHARS and shown == prospect_ids[: len(shown)]
    notices = str(view["blocks"][0]["text"]["text"])
    kept = 300 - len(shown)
    assert notices.startswith(f"• …and {kept} more prospects, kept")
    assert notices.count("Didn't understand “Raj”") == 1 and "(× " in notices  # each word once, counted

    assert driver.view_submission(view, fill_view(view, {})).text == ""  # submitted as is
    wait_until(lambda: len(slack.calls("chat.postMessage")) >= 2, what="the results")
    running_app.drain()
    created = [pid for request in saleshandy.create_requests for pid in request.body["prospectIds"]]
    assert created == prospect_ids  # all 300, each once, in the order pasted
    results = " ".join(message_text(c.params) for c in slack.calls("chat.postMessage")[1:])
    assert "300 created" in results


def test_a_long_shortcut_message_keeps_what_the_form_cannot_hold(running_app: RunningApp) -> None:
    slack, saleshandy, driver = running_app.slack, running_app.saleshandy, running_app.driver
    prospect_ids = saleshandy_ids(320, seed=11)
    message = slack.add_message("C123", "leads: " + " ".join(prospect_ids))
    driver.message_shortcut(message, callback_id=ids.MESSAGE_SHORTCUT_CALLBACK_ID)

    view = opened_view(slack)
    shown = input_element(view, ids.PROSPECTS_BLOCK_ID)["initial_value"].splitlines()
    assert len(shown) < 320 and f"…and {320 - len(shown)} more prospects, kept" in str(view["blocks"])
    values = fill_view(view, {ids.TASK_TYPE_ACTION_ID: "13"})
    assert driver.view_submission(view, values).text == ""
    wait_until(lambda: sum(len(r.body["prospectIds"]) for r in saleshandy.create_requests) >= 320)
    running_app.drain()
    assert [pid for r in saleshandy.create_requests for pid in r.body["prospectIds"]] == prospect_ids
