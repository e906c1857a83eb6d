"""Writes of visitor profiles in the current tenant's schema, and the `visitor.identified` event."""

from __future__ import annotations

from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from parlor.base.conversations import conversation_room_id
from parlor.base.identity import Principal, PrincipalKind
from parlor.visitors.context import PageIdentity, VisitorContext
from parlor.visitors.models import VisitorProfile
from parlor.webhooks.enqueue import EventToSend, webhook_event_enqueue
from parlor.webhooks.events import VISITOR_IDENTIFIED

PROFILE_KINDS = (PrincipalKind.VISITOR, PrincipalKind.USER)


def visitor_profile_record(
    *,
    principal: Principal,
    context: VisitorContext,
    identity: PageIdentity | None = None,
    now: datetime | None = None,
) -> VisitorProfile:
    """Store what the principal's token and page say about it; enqueue `visitor.identified`.

    Signed claims (a user token's name, email and attributes) always win over the page's
    word; the page's name and email fill only what the token does not sign. The first time a
    name or email is stored, the event is enqueued in this same transaction.
    """
    if principal.kind not in PROFILE_KINDS:
        raise ValueError("only visitors and users have a visitor profile.")
    now = now or timezone.now()
    with transaction.atomic():
        profile = _profile_locked(principal, now)
        _claims_apply(profile, principal)
        if identity is not None:
            _identity_apply(profile, identity)
        _context_apply(profile, context)
        profile.last_seen = now
        newly_identified = profile.identified_at is None and bool(profile.name or profile.email)
        if newly_identified:
            profile.identified_at = now
        profile.save()
        if newly_identified:
            _identified_enqueue(profile, principal, now)
    return profile


def _profile_locked(principal: Principal, now: datetime) -> VisitorProfile:
    # Insert-or-nothing, then lock: two first requests at once never race to a duplicate.
    VisitorProfile.objects.bulk_create(
        [
            VisitorProfile(
                kind=principal.kind.value, subject=principal.subject, first_seen=now, last_seen=now
            )
        ],
        ignore_conflicts=True,
    )
    return VisitorProfile.objects.select_for_update().get(
        kind=principal.kind.value, subject=principal.subject
    )


def _claims_apply(profile: VisitorProfile, principal: Principal) -> None:
    # A visitor token's name is Parlor's placeholder, not the person's: only user tokens sign
    # a profile. Their attributes replace the stored ones wholesale, as the tenant signed them.
    if principal.kind is not PrincipalKind.USER:
        return
    profile.name, profile.name_verified = principal.name, True
    if principal.email:
        profile.email, profile.email_verified = principal.email, True
    profile.attributes = dict(principal.attributes)


def _identity_apply(profile: VisitorProfile, identity: PageIdentity) -> None:
    if identity.name and not profile.name_verified:
        profile.name = identity.name
    if identity.email and not profile.email_verified:
        profile.email = identity.email


def _context_apply(profile: VisitorProfile, context: VisitorContext) -> None:
    # Each visit reports where the visitor is now: a field the page left out keeps its value.
    for field in ("page_url", "page_title", "referrer", "browser", "os", "locale", "timezone"):
        value = getattr(context, field)
        if value:
            setattr(profile, field, value)


def _identified_enqueue(profile: VisitorProfile, principal: Principal, now: datetime) -> None:
    kind = PrincipalKind(profile.kind)
    event = EventToSend(
        type=VISITOR_IDENTIFIED,
        tenant=principal.tenant.slug,
        room=conversation_room_id(kind=kind, subject=profile.subject),
        seq=0,
        data={"visitor": visitor_identified_data(profile)},
        at=now,
    )
    webhook_event_enqueue(schema_name=connection.schema_name, event=event)


def visitor_identified_data(profile: VisitorProfile) -> dict:
    """Return the `visitor` object of a `visitor.identified` event (docs/webhooks.md)."""
    return {
        "kind": profile.kind,
        "id": profile.subject,
        "name": profile.name,
        "name_verified": profile.name_verified,
        "email": profile.email,
        "email_verified": profile.email_verified,
        "attributes": profile.attributes,
    }


def visitor_profile_erase(*, kind: str, subject: str) -> int:
    """Delete the subject's profile in the current schema; return the rows removed (0 or 1)."""
    return VisitorProfile.objects.filter(kind=kind, subject=subject).delete()[0]
