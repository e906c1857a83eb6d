"""Writes of follow-up data: contacts, settings, unsubscribing (inside the tenant's schema)."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from parlor.base.conversations import conversation_room_id
from parlor.base.errors import ValidationFailed
from parlor.base.identity import PrincipalKind
from parlor.followup.models import PRECHAT_FIELDS, AgentPreference, Contact, FollowupSettings
from tenants.models import Tenant
from tenants.validators import normalise_origin

NAME_MAX = 200


def contact_capture(
    *, tenant: Tenant, visitor_id: str, email: str, name: str = "", page_url: str = ""
) -> Contact:
    """Store (or update) the visitor's email address, name and the page they are on."""
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError as error:
        raise ValidationFailed("that is not an email address.", code="invalid_email") from error
    if len(name) > NAME_MAX:
        raise ValidationFailed(f"a name has at most {NAME_MAX} characters.", code="invalid_name")
    contact, _ = Contact.objects.update_or_create(
        visitor_id=visitor_id,
        defaults={
            "room_id": conversation_room_id(kind=PrincipalKind.VISITOR, subject=visitor_id),
            "email": email,
            "name": name.strip(),
            "page_url": page_url_check(tenant=tenant, page_url=page_url),
        },
    )
    return contact


def page_url_check(*, tenant: Tenant, page_url: str) -> str:
    """Return the page URL without its fragment if an allowed origin serves it, else ""."""
    # The reopen link in an email goes here: never to a site the tenant did not allow.
    parts = urlsplit(page_url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    origin = normalise_origin(f"{parts.scheme}://{parts.netloc}")
    if origin not in {normalise_origin(allowed) for allowed in tenant.allowed_origins}:
        return ""
    return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))[:2000]


def contact_unsubscribe(*, contact_id: int) -> Contact | None:
    """Mark the contact unsubscribed: it is never emailed again."""
    contact = Contact.objects.filter(id=contact_id).first()
    if contact is not None and contact.unsubscribed_at is None:
        contact.unsubscribed_at = timezone.now()
        contact.save(update_fields=["unsubscribed_at", "updated_at"])
    return contact


def contact_erase(*, visitor_id: str) -> int:
    """Delete the visitor's contact (personal-data erasure); return how many rows went."""
    return Contact.objects.filter(visitor_id=visitor_id).delete()[0]


def followup_settings_update(
    *, delay_minutes: int, ask_email: bool, prechat_enabled: bool, prechat_fields: list[str]
) -> FollowupSettings:
    """Store the tenant's follow-up settings."""
    if delay_minutes < 1:
        raise ValidationFailed("the delay is at least one minute.", code="invalid_delay")
    unknown = set(prechat_fields) - set(PRECHAT_FIELDS)
    if unknown:
        raise ValidationFailed(f"unknown pre-chat fields: {sorted(unknown)}.", code="invalid")
    ordered = [field for field in PRECHAT_FIELDS if field in prechat_fields]
    followup, _ = FollowupSettings.objects.update_or_create(
        singleton=True,
        defaults={
            "delay_minutes": delay_minutes,
            "ask_email": ask_email,
            "prechat_enabled": prechat_enabled,
            "prechat_fields": ordered,
        },
    )
    return followup


def agent_preference_update(*, user_id: int, new_conversation_email: bool) -> AgentPreference:
    """Store whether a staff member is emailed new conversations while agents are offline."""
    preference, _ = AgentPreference.objects.update_or_create(
        user_id=user_id, defaults={"new_conversation_email": new_conversation_email}
    )
    return preference
