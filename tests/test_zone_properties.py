"""Whose today, as properties (hypothesis): a date the app sends for a rep whose zone nobody knows is
never in the past wherever that rep may be."""

from __future__ import annotations

import datetime
import zoneinfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.clock import today_in
from bot.slack.timezones import may_be_past_for_someone

ZONES = sorted(
    zone for zone in zoneinfo.available_timezones() if "/" in zone and not zone.startswith("SystemV")
)
moments = st.datetimes(
    # hypothesis takes naive bounds and makes each moment aware in the zone given.
    min_value=datetime.datetime(2020, 1, 1),  # noqa: DTZ001
    max_value=datetime.datetime(2035, 12, 31),  # noqa: DTZ001
    timezones=st.just(datetime.UTC),
)


@settings(max_examples=300, deadline=None)
@given(now=moments, days=st.integers(min_value=-3, max_value=3), rep_zone=st.sampled_from(ZONES))
def test_a_date_sent_without_knowing_the_reps_zone_is_not_past_in_any_zone(
    now: datetime.datetime, days: int, rep_zone: str
) -> None:
    due = today_in("UTC", now=now) + datetime.timedelta(days=days)
    if not may_be_past_for_someone(due, now=now):
        assert due >= today_in(rep_zone, now=now)


@settings(max_examples=300, deadline=None)
@given(now=moments, default_zone=st.sampled_from(ZONES))
def test_tomorrow_in_any_default_zone_is_never_held_back(now: datetime.datetime, default_zone: str) -> None:
    """The rule only holds back what may be past: "tomorrow" read in any zone is sent."""
    tomorrow = today_in(default_zone, now=now) + datetime.timedelta(days=1)
    behind_latest = today_in("Etc/GMT-14", now=now) - today_in(default_zone, now=now)
    assert may_be_past_for_someone(tomorrow, now=now) == (behind_latest.days >= 2)
