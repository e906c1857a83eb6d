"""Reads of follow-up data (call inside the tenant's schema)."""

from __future__ import annotations

from parlor.followup.models import AgentPreference, Contact, FollowupSettings


def followup_settings_get() -> FollowupSettings:
    """Return the schema's follow-up settings (unsaved defaults if none were set)."""
    return FollowupSettings.objects.filter(singleton=True).first() or FollowupSettings()


def contact_get(*, visitor_id: str) -> Contact | None:
    """Return the contact of a visitor, if they left one."""
    return Contact.objects.filter(visitor_id=visitor_id).first()


def agent_preference_get(*, user_id: int) -> AgentPreference:
    """Return a staff member's preferences (unsaved defaults if none were set)."""
    return AgentPreference.objects.filter(user_id=user_id).first() or AgentPreference(
        user_id=user_id
    )
