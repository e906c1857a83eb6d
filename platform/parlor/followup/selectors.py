"""Reads of follow-up data (call inside the tenant's schema)."""

from __future__ import annotations

from parlor.followup.models import AgentPreference, Contact, FollowupSettings


def followup_settings_get() -> FollowupSettings:
    """Return the schema's follow-up settings (unsaved defaults if none were set)."""
    return FollowupSettings.objects.filter(singleton=True).first() or FollowupSettings()


def contact_get(*, visitor_id: str) -> Contact | None:
    """Return the contact of a visitor, if they left one."""
    return Contact.objects.filter(visitor_id=visitor_id).first()


def contact_export(*, visitor_id: str) -> dict | None:
    """Return what is stored about the visitor's contact (personal-data export), if any."""
    contact = contact_get(visitor_id=visitor_id)
    if contact is None:
        return None
    return {
        "email": contact.email,
        "name": contact.name,
        "page_url": contact.page_url,
        "unsubscribed": contact.unsubscribed_at is not None,
    }


def agent_preference_get(*, user_id: int) -> AgentPreference:
    """Return a staff member's preferences (unsaved defaults if none were set)."""
    return AgentPreference.objects.filter(user_id=user_id).first() or AgentPreference(
        user_id=user_id
    )
