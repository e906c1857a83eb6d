"""The platform audit log: every operator action on a tenant, kept in the public schema."""

from __future__ import annotations

from typing import Any

from tenants.models import PlatformAuditEntry

# Actions, as stored; the console shows them as they are.
TENANT_CREATED = "tenant.created"
TENANT_SUSPENDED = "tenant.suspended"
TENANT_RESUMED = "tenant.resumed"
TENANT_DELETED = "tenant.deleted"
TENANT_PLAN_CHANGED = "tenant.plan_changed"
OPERATOR_CREATED = "operator.created"
PAGE_SIZE = 100


def platform_audit_record(
    *, actor: str, action: str, tenant_slug: str = "", detail: dict[str, Any] | None = None
) -> PlatformAuditEntry:
    """Store one operator action; `detail` holds small, non-secret facts."""
    return PlatformAuditEntry.objects.create(
        actor=actor[:150], action=action, tenant_slug=tenant_slug, detail=detail or {}
    )


def platform_audit_list(*, limit: int = PAGE_SIZE) -> list[PlatformAuditEntry]:
    """Return the latest operator actions, newest first."""
    return list(PlatformAuditEntry.objects.order_by("-id")[:limit])
