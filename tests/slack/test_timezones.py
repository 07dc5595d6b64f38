"""Whose "today"? The rep's, from users.info, cached per user; the zone Slack last told, kept in the
database; the configured default zone otherwise (issue path 7). Dispatched to Bolt in this process: none
of it depends on HTTP."""

from __future__ import annotations

import datetime

import pytest

from bot.slack import ids
from bot.slack.app import build_app
from bot_testing.slack_driver import fill_view
from tests.helpers.dispatch import Dispatcher
from tests.helpers.slack_app import (
    SLACK_SIGNING_SECRET,
    far_zone,
    input_element,
    message_text,
    opened_view,
    today_in,
    wait_for_creates,
)
from tests.slack.conftest import BoltUnderTest

FAR_DEFAULT = far_zone()
"""A default zone whose date differs from UTC's and Berlin's, so a fallback to anything else shows."""


def due_dates(app: BoltUnderTest, count: int) -> list[str]:
    return [r.body["dueDate"] for r in wait_for_creates(app.saleshandy, count)]


def test_the_reps_zone_is_asked_once_for_two_commands_and_a_form(bolt: BoltUnderTest) -> None:
    slack, driver = bolt.slack, bolt.send
    zone = far_zone()
    slack.add_user("U700", name="kim", tz=zone)

    # One after the other, as a rep types them (two lookups racing for an empty cache may both ask).
    driver.slash_command("call 8PvBmrB7P7", user_id="U700")
    wait_for_creates(bolt.saleshandy, 1)
    driver.slash_command("demo tomorrow Pr9xQ2Lm", user_id="U700")
    wait_for_creates(bolt.saleshandy, 2)
    driver.slash_command("", user_id="U700")
    view = opened_view(slack)
    values = fill_view(view, {ids.TASK_TYPE_ACTION_ID: "2", ids.PROSPECTS_ACTION_ID: "Xy12ab34Q"})
    assert driver.view_submission(view, values, user_id="U700").body == ""

    today = today_in(zone)
    assert sorted(due_dates(bolt, 3)) == sorted(
        [today.isoformat(), (today + datetime.timedelta(days=1)).isoformat(), today.isoformat()]
    )
    assert [c.params["user"] for c in slack.calls("users.info")] == ["U700"]


def test_each_rep_gets_their_own_today(bolt: BoltUnderTest) -> None:
    slack, driver = bolt.slack, bolt.send
    slack.add_user("U701", name="east", tz="Pacific/Kiritimati")
    slack.add_user("U702", name="west", tz="Pacific/Pago_Pago")

    driver.slash_command("call 8PvBmrB7P7", user_id="U701")
    wait_for_creates(bolt.saleshandy, 1)
    driver.slash_command("call 8PvBmrB7P7", user_id="U702")

    assert due_dates(bolt, 2) == [
        today_in("Pacific/Kiritimati").isoformat(),
        today_in("Pacific/Pago_Pago").isoformat(),  # a day (or two) earlier: 25 hours apart
    ]
    assert sorted(c.params["user"] for c in slack.calls("users.info")) == ["U701", "U702"]


def parent_text(app: BoltUnderTest) -> str:
    return message_text(app.slack.wait_for("chat.postMessage", count=2)[0].params)


def test_the_settings_default_zone_is_europe_berlin_for_a_rep_without_a_zone_and_the_parent_says_so(
    bolt: BoltUnderTest,
) -> None:
    assert bolt.settings.default_timezone == "Europe/Berlin"
    bolt.slack.add_user("U703", name="nozone", tz=None)

    bolt.send.slash_command("call in 3 days 8PvBmrB7P7", user_id="U703")

    assert due_dates(bolt, 1) == [(today_in("Europe/Berlin") + datetime.timedelta(days=3)).isoformat()]
    assert "Dates were read in Europe/Berlin: Slack has not told me your time zone" in parent_text(
        bolt
    )


@pytest.mark.parametrize("bolt", [{"default_timezone": "Pacific/Pago_Pago"}], indirect=True)
def test_a_date_that_may_be_past_for_a_rep_whose_zone_is_unknown_is_shown_in_the_form_not_sent(
    bolt: BoltUnderTest,
) -> None:
    """UTC−11's today is always a day behind UTC+14's: for a rep whose zone nobody knows, "today" read in
    the default zone may be yesterday where the rep is. The form opens on that date and says why."""
    slack = bolt.slack
    slack.add_user("U705", name="nozone", tz=None)

    bolt.send.slash_command("call 8PvBmrB7P7", user_id="U705")

    view = opened_view(slack)
    bolt.drain()
    assert bolt.saleshandy.create_requests == []
    assert "Slack has not told me your time zone" in str(view["blocks"])
    assert (
        input_element(view, ids.DUE_DATE_BLOCK_ID)["initial_date"]
        == today_in("Pacific/Pago_Pago").isoformat()
    )
    values = fill_view(view, {})
    assert bolt.send.view_submission(view, values, user_id="U705").body == ""  # the date, chosen
    assert due_dates(bolt, 1) == [today_in("Pacific/Pago_Pago").isoformat()]


@pytest.mark.parametrize("bolt", [{"default_timezone": FAR_DEFAULT}], indirect=True)
@pytest.mark.parametrize("error", ["user_not_found", "internal_error"])
def test_when_users_info_fails_for_a_rep_never_seen_the_default_zone_is_used_and_said(
    bolt: BoltUnderTest, error: str
) -> None:
    slack = bolt.slack
    slack.fail_next("users.info", error)  # U123 lives in Los Angeles, but Slack will not say so

    bolt.send.slash_command("call in 2 days 8PvBmrB7P7")

    assert due_dates(bolt, 1) == [(today_in(FAR_DEFAULT) + datetime.timedelta(days=2)).isoformat()]
    (lookup,) = slack.calls("users.info")
    assert lookup.error == error
    assert f"Dates were read in {FAR_DEFAULT}" in parent_text(bolt)  # and the rep gets the results


def test_when_users_info_fails_the_zone_slack_last_told_is_used(bolt: BoltUnderTest) -> None:
    """A new process (its cache empty) on the same database, with Slack's users.info failing: the zone
    Slack told the first process is kept in the database, and the rep's today is still the rep's."""
    slack = bolt.slack
    zone = far_zone()
    slack.add_user("U706", name="kim", tz=zone)
    bolt.send.slash_command("call 8PvBmrB7P7", user_id="U706")
    wait_for_creates(bolt.saleshandy, 1)

    second = build_app(bolt.settings)
    try:
        slack.fail_next("users.info", "ratelimited", times=10)
        Dispatcher(second.bolt, SLACK_SIGNING_SECRET, slack).slash_command("demo Pr9xQ2Lm7k", user_id="U706")
        assert due_dates(bolt, 2)[1] == today_in(zone).isoformat()
        assert second.drain()
    finally:
        second.close()
    assert "Slack has not told me" not in str(slack.calls("chat.postMessage"))


def test_a_burst_of_commands_from_one_rep_asks_slack_for_the_zone_once(bolt: BoltUnderTest) -> None:
    from concurrent.futures import ThreadPoolExecutor

    bolt.slack.add_user("U701", name="lee", tz=far_zone())
    with ThreadPoolExecutor(5) as pool:
        answers = list(
            pool.map(
                lambda n: bolt.send.slash_command(f"call {n}Pv8BmrB7P7", user_id="U701"), range(5)
            )
        )
    assert [a.status for a in answers] == [200] * 5
    wait_for_creates(bolt.saleshandy, 5)
    assert [c.params["user"] for c in bolt.slack.calls("users.info")] == ["U701"]
