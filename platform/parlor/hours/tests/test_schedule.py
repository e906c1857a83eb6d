"""Weekly schedules with a frozen `now`: open, closed, next opening, holidays, DST, bad input."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from parlor.hours.schedule import (
    ScheduleError,
    is_open,
    next_opening,
    ranges_parse,
    schedule_build,
)

WEEKDAYS_9_TO_17 = [[["09:00", "17:00"]]] * 5 + [[], []]


def berlin(**overrides):
    values = {"timezone": "Europe/Berlin", "weekly": WEEKDAYS_9_TO_17, "holidays": []}
    return schedule_build(**{**values, **overrides})


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def test_open_inside_the_range_in_the_tenants_timezone():
    schedule = berlin()
    # Monday 2026-12-07, 09:30 in Berlin is 08:30 UTC.
    assert is_open(schedule, at("2026-12-07T08:30:00+00:00"))
    assert not is_open(schedule, at("2026-12-07T07:59:59+00:00"))
    assert not is_open(schedule, at("2026-12-07T16:00:00+00:00"))  # 17:00 local: closed


def test_friday_evening_opens_next_monday_morning():
    friday_evening = at("2026-12-11T18:00:00+01:00")
    assert next_opening(berlin(), friday_evening) == at("2026-12-14T09:00:00+01:00")


def test_a_holiday_is_skipped():
    schedule = berlin(holidays=["2026-12-14"])
    assert not is_open(schedule, at("2026-12-14T10:00:00+01:00"))
    assert next_opening(schedule, at("2026-12-11T18:00:00+01:00")) == at(
        "2026-12-15T09:00:00+01:00"
    )


def test_spring_forward_keeps_the_wall_clock_opening():
    # Europe/Berlin moves from +01:00 to +02:00 at 02:00 on Sunday 2026-03-29.
    schedule = berlin(weekly=[[]] * 6 + [[["09:00", "12:00"]]])
    saturday_night = at("2026-03-28T23:00:00+01:00")
    opening = next_opening(schedule, saturday_night)
    assert opening == at("2026-03-29T07:00:00+00:00")  # 09:00 CEST, not 08:00 UTC
    assert opening.astimezone(schedule.zone).strftime("%H:%M") == "09:00"


def test_a_skipped_wall_time_opens_at_the_first_instant_that_exists():
    schedule = berlin(weekly=[[]] * 6 + [[["02:30", "04:00"]]])
    opening = next_opening(schedule, at("2026-03-28T12:00:00+01:00"))
    assert opening == at("2026-03-29T01:30:00+00:00")  # 03:30 CEST
    assert is_open(schedule, at("2026-03-29T01:45:00+00:00"))


def test_fall_back_night_counts_the_repeated_hour_once():
    # 2026-10-25: 03:00 CEST becomes 02:00 CET. Open 00:00-04:00 local lasts five hours.
    schedule = berlin(weekly=[[]] * 6 + [[["00:00", "04:00"]]])
    assert is_open(schedule, at("2026-10-24T22:30:00+00:00"))  # 00:30 CEST
    assert is_open(schedule, at("2026-10-25T02:30:00+00:00"))  # 03:30 CET
    assert not is_open(schedule, at("2026-10-25T03:00:00+00:00"))  # 04:00 CET


def test_a_range_to_midnight_and_the_day_after():
    schedule = berlin(weekly=[[["20:00", "24:00"]]] + [[]] * 6)
    assert is_open(schedule, at("2026-12-07T23:59:00+01:00"))
    assert not is_open(schedule, at("2026-12-08T00:00:00+01:00"))


def test_no_opening_at_all_answers_none():
    schedule = berlin(weekly=[[]] * 7)
    assert next_opening(schedule, at("2026-12-07T12:00:00+00:00")) is None


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"timezone": "Mars/Olympus"}, "IANA timezone"),
        ({"weekly": [[]] * 6}, "seven days"),
        ({"weekly": [[["17:00", "09:00"]]] * 7}, "ends before"),
        ({"weekly": [[["9:00", "17:00"]]] * 7}, "time like 09:00"),
        ({"weekly": [[["09:00", "25:00"]]] * 7}, "time like 09:00"),
        ({"holidays": ["next tuesday"]}, "date like"),
    ],
)
def test_unusable_schedules_are_refused_clearly(overrides, message):
    with pytest.raises(ScheduleError, match=message):
        berlin(**overrides)


def test_ranges_parse_reads_the_dashboards_text():
    assert ranges_parse("09:00-12:00, 13:00 - 17:30") == [["09:00", "12:00"], ["13:00", "17:30"]]
    assert ranges_parse("") == []
    with pytest.raises(ScheduleError, match="range like"):
        ranges_parse("09:00")
