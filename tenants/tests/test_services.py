"""Tests of tenant creation and deletion: all or nothing, clear refusals."""

from __future__ import annotations

import pytest
from django.db import connection
from django_tenants.utils import schema_exists

from parlor.base.errors import Conflict, ValidationFailed
from tenants.api_keys import secret_key_hash
from tenants.models import ApiKey, Domain, Tenant
from tenants.services import (
    tenant_allowed_origins_update,
    tenant_create,
    tenant_delete,
    tenant_widget_settings_update,
)

pytestmark = pytest.mark.usefixtures("live_db")


def test_created_tenant_has_schema_domain_and_hashed_secret_key(tenant_alpha):
    tenant = tenant_alpha.tenant
    assert schema_exists(tenant.schema_name)
    assert Domain.objects.get(tenant=tenant).domain == "alpha.localhost"
    assert tenant_alpha.secret_key.startswith("sk_")
    assert tenant.publishable_key.startswith("pk_")
    # Other tests may add keys to this session-wide tenant: find the one created with it.
    stored = ApiKey.objects.get(tenant=tenant, key_hash=secret_key_hash(tenant_alpha.secret_key))
    assert stored.key_hash == secret_key_hash(tenant_alpha.secret_key)
    assert tenant_alpha.secret_key not in {stored.key_hash, stored.prefix}


def test_origins_are_normalised_and_deduplicated():
    created = tenant_create(
        slug="origins_case",
        name="Origins",
        domain="origins-case.localhost",
        allowed_origins=["HTTPS://Shop.Example:443/", "https://shop.example", "http://x.test:8080"],
    )
    try:
        assert created.tenant.allowed_origins == ["http://x.test:8080", "https://shop.example"]
    finally:
        tenant_delete(slug="origins_case")


def test_delete_drops_the_schema():
    tenant_create(slug="doomed", name="Doomed", domain="doomed.localhost")
    assert schema_exists("doomed")
    tenant_delete(slug="doomed")
    assert not schema_exists("doomed")
    assert not Tenant.objects.filter(slug="doomed").exists()


@pytest.mark.parametrize(
    "slug",
    ["Acme", "public", "pg_catalog", "a'b", "a;drop", "a-b", "1abc", "", "a" * 64, "acme\u00e9"],
)
def test_invalid_slugs_create_nothing(slug):
    before = _schema_names()
    with pytest.raises(ValidationFailed):
        tenant_create(slug=slug, name="X", domain="invalid-slug.localhost")
    assert _schema_names() == before
    assert not Domain.objects.filter(domain="invalid-slug.localhost").exists()


def test_duplicate_slug_is_a_conflict(tenant_alpha):
    with pytest.raises(Conflict, match="already exists"):
        tenant_create(slug="alpha", name="Again", domain="other.localhost")


def test_duplicate_domain_is_a_conflict_and_creates_no_schema(tenant_alpha):
    with pytest.raises(Conflict, match="domain"):
        tenant_create(slug="thief", name="Thief", domain="alpha.localhost")
    assert not schema_exists("thief")


@pytest.mark.parametrize(
    "origin",
    ["ftp://shop.example", "shop.example", "https://shop.example/path", "https://", "null"],
)
def test_malformed_origins_create_nothing(origin):
    with pytest.raises(ValidationFailed, match="origin"):
        tenant_create(
            slug="badorigin", name="B", domain="badorigin.localhost", allowed_origins=[origin]
        )
    assert not schema_exists("badorigin")


def _schema_names() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT schema_name FROM information_schema.schemata")
        return {row[0] for row in cursor.fetchall()}


def test_allowed_origins_update_normalises_and_deduplicates(tenant_bravo):
    tenant = tenant_bravo.tenant
    original = list(tenant.allowed_origins)
    try:
        updated = tenant_allowed_origins_update(
            tenant=tenant, origins=["HTTPS://Shop.Bravo.Example:443/", "https://shop.bravo.example"]
        )
        assert Tenant.objects.get(pk=tenant.pk).allowed_origins == ["https://shop.bravo.example"]
        assert updated.allowed_origins == ["https://shop.bravo.example"]
        with pytest.raises(ValidationFailed):
            tenant_allowed_origins_update(tenant=tenant, origins=["javascript:alert(1)"])
        assert Tenant.objects.get(pk=tenant.pk).allowed_origins == ["https://shop.bravo.example"]
    finally:
        tenant_allowed_origins_update(tenant=tenant, origins=original)


def test_widget_settings_update_keeps_the_settings_not_given(tenant_bravo):
    tenant = tenant_bravo.tenant
    original = dict(tenant.widget_settings or {})
    try:
        tenant_widget_settings_update(tenant=tenant, settings={"color": "#112233"})
        tenant_widget_settings_update(tenant=tenant, settings={"greeting": "Hej"})
        stored = Tenant.objects.get(pk=tenant.pk).widget_settings
        assert stored["color"] == "#112233" and stored["greeting"] == "Hej"
    finally:
        tenant.widget_settings = original
        tenant.save(update_fields=["widget_settings"])
