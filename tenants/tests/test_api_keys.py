"""Tests of the API key services: shown once, stored hashed, revoked only by their own tenant."""

from __future__ import annotations

import pytest

from parlor.base.errors import NotFound
from tenants.api_keys import API_KEY_PREFIX_LENGTH, api_key_create, api_key_revoke, secret_key_hash
from tenants.models import ApiKey


@pytest.fixture(autouse=True)
def keys_removed_after(live_db):
    """Delete the API keys a test made: other suites expect each test tenant to have one."""
    before = set(ApiKey.objects.values_list("id", flat=True))
    yield
    ApiKey.objects.exclude(id__in=before).delete()


def test_created_key_is_stored_as_hash_and_prefix_only(tenant_alpha):
    created = api_key_create(tenant=tenant_alpha.tenant)
    stored = ApiKey.objects.filter(pk=created.api_key.pk).values().get()
    assert stored["key_hash"] == secret_key_hash(created.secret_key)
    assert stored["prefix"] == created.secret_key[:API_KEY_PREFIX_LENGTH]
    assert created.secret_key not in {str(value) for value in stored.values()}


def test_revoking_keeps_the_first_revocation_time(tenant_alpha):
    created = api_key_create(tenant=tenant_alpha.tenant)
    first = api_key_revoke(tenant=tenant_alpha.tenant, key_id=created.api_key.pk).revoked_at
    again = api_key_revoke(tenant=tenant_alpha.tenant, key_id=created.api_key.pk).revoked_at
    assert first is not None and again == first


def test_another_tenants_key_is_not_found_and_stays_valid(tenant_alpha, tenant_bravo):
    bravo_key = api_key_create(tenant=tenant_bravo.tenant)
    with pytest.raises(NotFound) as refused:
        api_key_revoke(tenant=tenant_alpha.tenant, key_id=bravo_key.api_key.pk)
    assert refused.value.code == "key_not_found"
    assert ApiKey.objects.get(pk=bravo_key.api_key.pk).revoked_at is None
