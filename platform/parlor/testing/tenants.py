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
