"""A weekly schedule in a timezone, with holidays: open now, and when it next opens.

Pure functions over plain values, so every rule is tested with a frozen `now`. Local opening
times are turned into instants day by day through zoneinfo, so a DST change moves the opening
instant with the clock on the wall (09:00 stays 09:00 local on the Sunday the clocks change).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# How far ahead the next opening is looked for: a year of holidays is the longest closure.
LOOKAHEAD_DAYS = 400
TIME_PATTERN = re.compile(r"([01]\d|2[0-3]):([0-5]\d)|24:00")
UTC = ZoneInfo("UTC")


class ScheduleError(ValueError):
    """A schedule, range, date or timezone that cannot be used; the message says which."""


@dataclass(frozen=True)
class Schedule:
    """Opening ranges per weekday (Monday first, local minutes since midnight) and holidays."""

    zone: ZoneInfo
    weekly: tuple[tuple[tuple[int, int], ...], ...]
    holidays: frozenset[date]


def zone_parse(name: object) -> ZoneInfo:
    """Return the IANA timezone `name`, or raise ScheduleError."""
    if not isinstance(name, str) or name not in _zone_names():
        raise ScheduleError(f"{name!r} is not an IANA timezone (e.g. Europe/Berlin).")
    try:
        return ZoneInfo(name)
    except ZoneInfoNotFoundError as error:  # listed but not loadable: a broken tzdata
        raise ScheduleError(f"timezone {name!r} cannot be loaded.") from error


def ranges_parse(text: str) -> list[list[str]]:
    """Parse "09:00-12:00, 13:00-17:30" into [["09:00", "12:00"], ["13:00", "17:30"]]."""
    ranges = []
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        start, separator, end = (value.strip() for value in part.partition("-"))
        if not separator:
            raise ScheduleError(f"{part!r} is not a range like 09:00-17:00.")
        ranges.append([start, end])
    _minutes_of_ranges(ranges)
    return ranges


def schedule_build(*, timezone: str, weekly: object, holidays: object) -> Schedule:
    """Check stored values and return a Schedule; raise ScheduleError on anything unusable."""
    zone = zone_parse(timezone)
    days = weekly if isinstance(weekly, list) else []
    if len(days) not in (0, 7):
        raise ScheduleError("a weekly schedule has seven days, Monday first.")
    parsed = tuple(_minutes_of_ranges(day) for day in days) or ((),) * 7
    if not isinstance(holidays, list):
        raise ScheduleError("holidays must be a list of dates.")
    return Schedule(zone=zone, weekly=parsed, holidays=frozenset(map(date_parse, holidays)))


def date_parse(value: object) -> date:
    """Return the date in "YYYY-MM-DD", or raise ScheduleError."""
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError as error:
        raise ScheduleError(f"{value!r} is not a date like 2026-12-25.") from error


def is_open(schedule: Schedule, now: datetime) -> bool:
    """Return whether the schedule is open at the aware instant `now`."""
    local = now.astimezone(schedule.zone).date()
    # A range may reach midnight of the day before: look at yesterday's ranges too.
    for day in (local - timedelta(days=1), local):
        for start, end in _instants(schedule, day):
            if start <= now < end:
                return True
    return False


def next_opening(schedule: Schedule, now: datetime) -> datetime | None:
    """Return the first opening instant after `now` (UTC), or None if none within the lookahead."""
    local = now.astimezone(schedule.zone).date()
    for offset in range(LOOKAHEAD_DAYS):
        for start, _end in _instants(schedule, local + timedelta(days=offset)):
            if start > now:
                return start.astimezone(UTC)
    return None


def _instants(schedule: Schedule, day: date) -> list[tuple[datetime, datetime]]:
    if day in schedule.holidays:
        return []
    return [
        (_local_instant(schedule.zone, day, start), _local_instant(schedule.zone, day, end))
        for start, end in schedule.weekly[day.weekday()]
    ]


def _local_instant(zone: ZoneInfo, day: date, minutes: int) -> datetime:
    if minutes >= 24 * 60:
        return _local_instant(zone, day + timedelta(days=1), 0)
    wall = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=zone)
    # A wall time the clocks skip (02:30 on a spring-forward night) does not exist: the round
    # trip through UTC moves it to the first instant that does (03:30 local).
    return wall.astimezone(UTC).astimezone(zone)


def _minutes_of_ranges(ranges: object) -> tuple[tuple[int, int], ...]:
    if not isinstance(ranges, list):
        raise ScheduleError("each day is a list of [start, end] ranges.")
    parsed = []
    for item in ranges:
        if not (isinstance(item, list | tuple) and len(item) == 2):
            raise ScheduleError(f"{item!r} is not a [start, end] range.")
        start, end = (_minutes(value) for value in item)
        if start >= end:
            raise ScheduleError(f"{item[0]}-{item[1]} ends before it starts.")
        parsed.append((start, end))
    return tuple(sorted(parsed))


def _minutes(value: object) -> int:
    if not isinstance(value, str) or not TIME_PATTERN.fullmatch(value):
        raise ScheduleError(f"{value!r} is not a time like 09:00 (00:00 to 24:00).")
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


def _zone_names() -> set[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = available_timezones()
    return _ZONES


_ZONES: set[str] | None = None
