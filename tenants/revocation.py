"""Revocation of a token id, a signing key, or a subject's older tokens; announced to sockets."""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from channels.layers import get_channel_layer
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from parlor.base.errors import ValidationFailed
from parlor.base.events import AUTH_REVOKED, AuthRevoked, event_message
from parlor.base.groups import tenant_group_name
from parlor.base.server_loop import coroutine_hand_off
from tenants.cache import TimedCache, database_needed
from tenants.claims import claims_validate, jti_validate
from tenants.keys import signing_key_revoke
from tenants.lifetimes import PLATFORM_MAX_TTL
from tenants.models import Revocation, SigningKey, Tenant

logger = logging.getLogger(__name__)

REVOKED_EVENT = AUTH_REVOKED
FUTURE_LEEWAY = timedelta(seconds=5)
# A revocation names tokens alive when it is made (or, for a subject, issued before a moment);
# every such token has expired this long after, the longest lifetime plus clock leeway, so
# older revocations are neither cached nor consulted.
REVOCATION_HORIZON = timedelta(seconds=max(PLATFORM_MAX_TTL.values()) + 60)
# A tenant with more revocations in force than this is checked in the database per token;
# with at most 256 tenants cached, a process holds at most ~256k revoked ids (~25 MB).
MAX_CACHED_REVOCATIONS = 1000
TENANT_REVOCATIONS = TimedCache(name="revocations", max_entries=256)


@dataclass(frozen=True)
class TenantRevocations:
    """A tenant's revocations in force: revoked jtis and, per subject, the latest cut-off."""

    jtis: frozenset[str]
    subjects_before: dict[str, float]
    complete: bool


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
    revocations = TENANT_REVOCATIONS.get_or_load(
        tenant_id, lambda: tenant_revocations_load(tenant_id=tenant_id)
    )
    if not revocations.complete:
        database_needed("revocations over the cache limit")
        return _token_is_revoked_query(tenant_id, jti, subject, issued_at)
    cut_off = revocations.subjects_before.get(subject)
    return jti in revocations.jtis or (cut_off is not None and issued_at < cut_off)


def tenant_revocations_load(*, tenant_id: int) -> TenantRevocations:
    """Read the tenant's revocations in force (at most MAX_CACHED_REVOCATIONS of them)."""
    rows = list(
        _in_force(tenant_id).values_list("jti", "subject", "issued_before")[
            : MAX_CACHED_REVOCATIONS + 1
        ]
    )
    subjects_before: dict[str, float] = {}
    for _, subject, issued_before in rows:
        if subject:
            moment = issued_before.timestamp()
            subjects_before[subject] = max(moment, subjects_before.get(subject, moment))
    return TenantRevocations(
        jtis=frozenset(jti for jti, _, _ in rows if jti),
        subjects_before=subjects_before,
        complete=len(rows) <= MAX_CACHED_REVOCATIONS,
    )


def _in_force(tenant_id: int):
    since = timezone.now() - REVOCATION_HORIZON
    return Revocation.objects.filter(tenant_id=tenant_id).filter(
        Q(jti__gt="", created_at__gte=since) | Q(subject__gt="", issued_before__gte=since)
    )


def _token_is_revoked_query(tenant_id: int, jti: str, subject: str, issued_at: int) -> bool:
    issued = datetime.fromtimestamp(issued_at, tz=UTC)
    return (
        _in_force(tenant_id)
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
    suspended: bool = False,
) -> AuthRevoked:
    """Return the channel-layer event that tells a tenant's sockets about a revocation."""
    return AuthRevoked(
        group=tenant_group_name(tenant_id),
        tenant_id=tenant_id,
        jti=jti,
        kid=kid,
        subject=subject,
        issued_before=issued_before,
        suspended=suspended,
    )


def revocations_recent(*, tenant_ids: Collection[int], seconds: float) -> list[AuthRevoked]:
    """Return the revocations of `tenant_ids` made in the last `seconds`, as their events."""
    # Polled by every process with open sockets (parlor.realtime.revocation_watch): an
    # announcement reaches only the sockets open when it is sent, this reaches the others.
    since = timezone.now() - timedelta(seconds=seconds)
    tenant_ids = list(tenant_ids)
    rows = Revocation.objects.filter(tenant_id__in=tenant_ids, created_at__gte=since)
    events = [
        revoked_event(
            row.tenant_id,
            jti=row.jti or None,
            subject=row.subject or None,
            issued_before=row.issued_before.timestamp() if row.issued_before else None,
        )
        for row in rows.only("tenant_id", "jti", "subject", "issued_before")
    ]
    keys = SigningKey.objects.filter(tenant_id__in=tenant_ids, revoked_at__gte=since)
    events.extend(
        revoked_event(tenant_id, kid=kid) for tenant_id, kid in keys.values_list("tenant_id", "kid")
    )
    # A suspended tenant's sockets close whenever they were opened (tenants.suspension).
    suspended = Tenant.objects.filter(id__in=tenant_ids, suspended_at__isnull=False)
    events.extend(
        revoked_event(tenant_id, suspended=True)
        for tenant_id in suspended.values_list("id", flat=True)
    )
    return events


def _announce(tenant_id: int, **fields) -> None:
    event = revoked_event(tenant_id, **fields)
    transaction.on_commit(lambda: _group_send(event))


def _group_send(event: AuthRevoked) -> None:
    # The revocation is stored already, so handshakes and refreshes refuse the token even if
    # this announcement is lost, and every process's watcher closes the sockets within ~1 s.
    coroutine_hand_off(
        get_channel_layer().group_send(event.group, event_message(event)),
        what=f"revocation announcement for tenant {event.tenant_id}",
    )


# A receiver, not a call in each service: revocations written anywhere in this process
# (the API, the dashboard's logout) must reach the cache this module keeps at once.
@receiver([post_save, post_delete], sender=Revocation)
def _revocation_changed(sender, instance: Revocation, **kwargs) -> None:
    _forget_tenant(instance.tenant_id)


@receiver(post_delete, sender=Tenant)
def _tenant_deleted(sender, instance: Tenant, **kwargs) -> None:
    _forget_tenant(instance.pk)


def _forget_tenant(tenant_id: int) -> None:
    TENANT_REVOCATIONS.discard_now_and_on_commit(lambda key, _: key == tenant_id)
