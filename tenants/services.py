"""Writes on tenants: create and delete (each all-or-nothing), and their settings."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction

from parlor.base.errors import Conflict
from tenants.api_keys import api_key_create, publishable_key_generate
from tenants.keys import signing_key_create
from tenants.lifetimes import token_lifetime_caps_validate
from tenants.models import Domain, Tenant
from tenants.quotas import DEFAULT_PLAN, plan_validate
from tenants.schema_template import schema_clone, template_ensure
from tenants.validators import normalise_origin, validate_domain, validate_name, validate_slug


@dataclass(frozen=True)
class TenantCreated:
    """A new tenant with its one-time secret API key."""

    tenant: Tenant
    domain: str
    secret_key: str


def tenant_create(
    *,
    slug: str,
    name: str,
    domain: str,
    allowed_origins: list[str] | None = None,
    plan: str = DEFAULT_PLAN,
) -> TenantCreated:
    """Create a tenant with schema (a clone of the template), domain and keys; all or nothing."""
    plan = plan_validate(plan)
    slug = validate_slug(slug)
    name = validate_name(name)
    domain = validate_domain(domain)
    origins = sorted({normalise_origin(origin) for origin in allowed_origins or []})
    _refuse_duplicates(slug, domain)
    template_ensure()  # outside the transaction: a rebuild migrates and commits on its own
    tenant = Tenant(
        schema_name=slug,
        slug=slug,
        name=name.strip(),
        publishable_key=publishable_key_generate(),
        allowed_origins=origins,
        plan=plan,
    )
    # The schema is cloned inside the same transaction as every row: PostgreSQL's DDL is
    # transactional, so a failure anywhere leaves neither a schema nor a row behind.
    tenant.auto_create_schema = False
    with transaction.atomic():
        tenant.save()
        schema_clone(schema_name=slug)
        # bulk_create skips DomainMixin.save(), which only demotes the tenant's other primary
        # domains (a new tenant has none) at the cost of a savepoint and an UPDATE.
        Domain.objects.bulk_create([Domain(domain=domain, tenant=tenant, is_primary=True)])
        secret_key = api_key_create(tenant=tenant).secret_key
        signing_key_create(tenant=tenant)
    del tenant.auto_create_schema  # back to the class's: a later save re-creates a lost schema
    return TenantCreated(tenant=tenant, domain=domain, secret_key=secret_key)


def _refuse_duplicates(slug: str, domain: str) -> None:
    # One query for the three checks; schemas compare ignoring case, as django-tenants does.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT EXISTS (SELECT 1 FROM {Tenant._meta.db_table} WHERE slug = %s),"  # noqa: S608
            " EXISTS (SELECT 1 FROM pg_namespace WHERE lower(nspname) = lower(%s)),"
            f" EXISTS (SELECT 1 FROM {Domain._meta.db_table} WHERE domain = %s)",
            [slug, slug, domain],
        )
        slug_taken, schema_taken, domain_taken = cursor.fetchone()
    if slug_taken or schema_taken:
        raise Conflict(f"a tenant with slug '{slug}' already exists.")
    if domain_taken:
        raise Conflict(f"domain '{domain}' already belongs to another tenant.")


def tenant_delete(*, slug: str) -> None:
    """Delete the tenant `slug`, dropping its schema with every room and message in it."""
    from tenants.selectors import tenant_get

    tenant_get(slug=slug).delete(force_drop=True)


def tenant_token_lifetime_caps_set(*, tenant: Tenant, caps: dict) -> Tenant:
    """Set the tenant's per-kind token lifetime caps in seconds (within the platform's maxima)."""
    tenant.token_lifetime_caps = token_lifetime_caps_validate(caps)
    tenant.save(update_fields=["token_lifetime_caps"])
    return tenant


def tenant_widget_settings_update(*, tenant: Tenant, settings: dict[str, str]) -> Tenant:
    """Replace the tenant's widget look (title, color, position, greeting, avatar_url, locale)."""
    tenant.widget_settings = {**(tenant.widget_settings or {}), **settings}
    tenant.save(update_fields=["widget_settings"])
    return tenant


def tenant_allowed_origins_update(*, tenant: Tenant, origins: list[str]) -> Tenant:
    """Replace the sites allowed to embed the tenant's widget (each normalised, no repeats)."""
    tenant.allowed_origins = sorted({normalise_origin(origin) for origin in origins})
    tenant.save(update_fields=["allowed_origins"])
    return tenant


def public_tenant_ensure() -> Tenant:
    """Return the public-schema tenant row that django-tenants needs, creating it if missing."""
    tenant = Tenant.objects.filter(schema_name="public").first()
    if tenant is None:
        tenant = Tenant(
            schema_name="public",
            slug="public",
            name="Parlor platform",
            publishable_key=publishable_key_generate(),
        )
        tenant.auto_create_schema = False
        tenant.save()
    return tenant
