"""Writes of a tenant's business hours (call inside the tenant's schema)."""

from __future__ import annotations

from parlor.hours.models import BusinessHours
from parlor.hours.schedule import schedule_build


def business_hours_update(
    *,
    enabled: bool,
    timezone: str,
    weekly: list[list[list[str]]],
    holidays: list[str],
    reply_time: str = "",
    offline_form: bool = False,
) -> BusinessHours:
    """Check and store the schedule; raise ScheduleError for anything that cannot be used."""
    schedule_build(timezone=timezone, weekly=weekly, holidays=holidays)
    hours, _ = BusinessHours.objects.update_or_create(
        singleton=True,
        defaults={
            "enabled": enabled,
            "timezone": timezone,
            "weekly": weekly,
            "holidays": sorted(set(holidays)),
            "reply_time": reply_time.strip(),
            "offline_form": offline_form,
        },
    )
    return hours
