"""Reads of a tenant's business hours (call inside the tenant's schema)."""

from __future__ import annotations

from parlor.hours.models import BusinessHours


def business_hours_get() -> BusinessHours:
    """Return the current schema's business hours (unsaved defaults if none were set)."""
    return BusinessHours.objects.filter(singleton=True).first() or BusinessHours()
