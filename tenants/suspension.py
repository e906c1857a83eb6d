"""Suspending a tenant: its sockets close, its API, widget and dashboard refuse, until resumed.

A suspension is a column on the Tenant row (`suspended_at`), which every path already reads:
the socket handshake and the API from their per-process caches (dropped at once in the
process that writes, within AUTH_CACHE_SECONDS elsewhere), the dashboard per request. Open
sockets are closed by an announcement on the tenant's group, as a revocation is; a process
that missed it closes them at its next revocation poll (parlor.realtime.revocation_watch).
"""

from __future__ import annotations

from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from parlor.base.errors import TenantSuspended, ValidationFailed
from parlor.base.events import event_message
from parlor.base.server_loop import coroutine_hand_off
from tenants.models import Tenant
from tenants.platform_audit import TENANT_RESUMED, TENANT_SUSPENDED, platform_audit_record
from tenants.revocation import revoked_event

SUSPENDED_DETAIL = "this chat is unavailable."


def tenant_suspend(*, tenant: Tenant, actor: str, reason: str = "") -> Tenant:
    """Suspend `tenant` now and close its open sockets; refuse the public schema."""
    _refuse_public(tenant)
    if tenant.suspended_at is not None:
        raise ValidationFailed(f"tenant '{tenant.slug}' is suspended already.", code="suspended")
    with transaction.atomic():
        tenant.suspended_at = timezone.now()
        tenant.save(update_fields=["suspended_at"])
        platform_audit_record(
            actor=actor,
            action=TENANT_SUSPENDED,
            tenant_slug=tenant.slug,
            detail={"reason": reason[:200]},
        )
        event = revoked_event(tenant.id, suspended=True)
        transaction.on_commit(
            lambda: coroutine_hand_off(
                get_channel_layer().group_send(event.group, event_message(event)),
                what=f"suspension of tenant {tenant.id}",
            )
        )
    return tenant


def tenant_resume(*, tenant: Tenant, actor: str) -> Tenant:
    """Lift `tenant`'s suspension: new sockets, API calls and logins are served again."""
    _refuse_public(tenant)
    if tenant.suspended_at is None:
        raise ValidationFailed(f"tenant '{tenant.slug}' is not suspended.", code="not_suspended")
    with transaction.atomic():
        tenant.suspended_at = None
        tenant.save(update_fields=["suspended_at"])
        platform_audit_record(actor=actor, action=TENANT_RESUMED, tenant_slug=tenant.slug)
    return tenant


def tenant_active_check(tenant: Tenant) -> None:
    """Raise TenantSuspended if `tenant` is suspended (the row, cached or not: no query)."""
    if tenant.suspended_at is not None:
        raise TenantSuspended(SUSPENDED_DETAIL)


def _refuse_public(tenant: Tenant) -> None:
    if tenant.schema_name == settings.PUBLIC_SCHEMA_NAME:
        raise ValidationFailed(
            "the public schema is the platform itself and cannot be suspended.",
            code="public_schema",
        )
