"""Throwaway tenants for tests that rotate, revoke or count what no other test may see."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from tenants.services import TenantCreated, tenant_create, tenant_delete


@contextmanager
def scratch_tenant(slug: str, django_db_blocker) -> Iterator[TenantCreated]:
    """Create tenant `slug` (domain `<slug>.localhost`), yield it, then drop it and its schema."""
    with django_db_blocker.unblock():
        created = tenant_create(
            slug=slug, name=slug.title(), domain=f"{slug.replace('_', '-')}.localhost"
        )
        try:
            yield created
        finally:
            tenant_delete(slug=slug)


@contextmanager
def quotas_overridden(created: TenantCreated, **overrides: int) -> Iterator[None]:
    """Give the test tenant these quota overrides for the block, then its plan back as it was."""
    from django_tenants.utils import schema_context

    from tenants.models import Tenant
    from tenants.quotas import tenant_plan_set

    # Requests to a tenant's host leave the connection in its schema; the row is public's.
    with schema_context("public"):
        tenant = Tenant.objects.get(pk=created.tenant.pk)
        plan, kept = tenant.plan, dict(tenant.quota_overrides or {})
        tenant_plan_set(tenant=tenant, plan=plan, overrides={**kept, **overrides})
    try:
        yield
    finally:
        with schema_context("public"):
            tenant = Tenant.objects.get(pk=created.tenant.pk)
            tenant_plan_set(tenant=tenant, plan=plan, overrides=kept)
