"""Revocation of a token id, a signing key, or a subject's older tokens; announced to sockets."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from parlor.errors import ValidationFailed
from parlor.realtime.groups import tenant_group_name
from tenants.claims import claims_validate, jti_validate
from tenants.keys import signing_key_revoke
from tenants.models import Revocation, Tenant

logger = logging.getLogger(__name__)

REVOKED_EVENT = "auth.revoked"
FUTURE_LEEWAY = timedelta(seconds=5)


def jti_revoke(*, tenant: Tenant, jti: str) -> None:
    """Revoke the one token `jti` of `tenant` at once, on every socket and at every check."""
    jti_validate(jti)
    Revocation.objects.create(tenant=tenant, jti=jti)
    _announce(tenant.id, jti=jti)


def subject_revoke(
    *, tenant: Tenant, subject: str, issued_before: datetime | None = None
) -> datetime:
    """Revoke every token of `subject` issued before `issued_before` (default now); return it."""
    claims_validate(subject=subject, name="-")
    moment = issued_before or timezone.now()
    if moment > timezone.now() + FUTURE_LEEWAY:
        raise ValidationFailed("issued_before must not be in the future.", code="invalid_time")
    Revocation.objects.create(tenant=tenant, subject=subject, issued_before=moment)
    _announce(tenant.id, subject=subject, issued_before=moment.timestamp())
    return moment


def key_revoke(*, tenant: Tenant, kid: str) -> None:
    """Stop the signing key `kid` of `tenant` verifying at once (replaced if it was current)."""
    if not isinstance(kid, str) or not kid:
        raise ValidationFailed("kid must be a non-empty string.", code="invalid_kid")
    signing_key_revoke(tenant=tenant, kid=kid)
    _announce(tenant.id, kid=kid)


def token_is_revoked(*, tenant_id: int, jti: str, subject: str, issued_at: int) -> bool:
    """Return whether a token (jti, subject, iat) of the tenant has been revoked."""
    issued = datetime.fromtimestamp(issued_at, tz=UTC)
    return (
        Revocation.objects.filter(tenant_id=tenant_id)
        .filter(Q(jti=jti) | Q(subject=subject, issued_before__gt=issued))
        .exists()
    )


def revoked_event(
    tenant_id: int,
    *,
    jti: str | None = None,
    kid: str | None = None,
    subject: str | None = None,
    issued_before: float | None = None,
) -> dict:
    """Return the channel-layer event that tells a tenant's sockets about a revocation."""
    return {
        "type": REVOKED_EVENT,
        "tenant_id": tenant_id,
        "jti": jti,
        "kid": kid,
        "subject": subject,
        "issued_before": issued_before,
    }


def _announce(tenant_id: int, **fields) -> None:
    event = revoked_event(tenant_id, **fields)
    transaction.on_commit(lambda: _group_send(tenant_id, event))


def _group_send(tenant_id: int, event: dict) -> None:
    # The revocation is stored already, so handshakes and refreshes refuse the token even if
    # this announcement is lost; live sockets then close at their token's expiry at the latest.
    try:
        async_to_sync(get_channel_layer().group_send)(tenant_group_name(tenant_id), event)
    except Exception:
        logger.warning("revocation announcement failed for tenant %s", tenant_id, exc_info=True)
