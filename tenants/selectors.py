"""Reads on tenants."""

from __future__ import annotations

from django.db.models import QuerySet

from parlor.base.errors import NotFound
from tenants.models import Tenant


def tenant_get(*, slug: str) -> Tenant:
    """Return the tenant `slug` or raise NotFound."""
    tenant = Tenant.objects.exclude(schema_name="public").filter(slug=slug).first()
    if tenant is None:
        raise NotFound(f"no tenant with slug '{slug}'.")
    return tenant


def tenant_list() -> QuerySet[Tenant]:
    """Return every customer tenant (not the public schema), oldest first."""
    return Tenant.objects.exclude(schema_name="public").order_by("created_at", "id")
