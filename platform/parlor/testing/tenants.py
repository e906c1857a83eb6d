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


# A message whose body starts with this aborts its transaction at COMMIT (failpoint_tenant).
COMMIT_FAIL_MARK = "FAIL-COMMIT"


@contextmanager
def failpoint_tenant(slug: str, django_db_blocker) -> Iterator[TenantCreated]:
    """A scratch tenant whose COMMIT fails for any message whose body starts with
    COMMIT_FAIL_MARK: a deferred constraint trigger runs at COMMIT, so the commit itself aborts."""
    from django.db import connection

    with scratch_tenant(slug, django_db_blocker) as created:
        schema = created.tenant.schema_name
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(
                f"""
                CREATE FUNCTION "{schema}".fail_commit() RETURNS trigger
                LANGUAGE plpgsql AS $$
                BEGIN
                    IF NEW.body LIKE '{COMMIT_FAIL_MARK}%' THEN
                        RAISE EXCEPTION 'failpoint: the commit aborts';
                    END IF;
                    RETURN NULL;
                END $$;
                CREATE CONSTRAINT TRIGGER fail_commit AFTER INSERT ON "{schema}".chat_message
                DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
                EXECUTE FUNCTION "{schema}".fail_commit();
                """
            )
        yield created


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
