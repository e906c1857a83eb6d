"""API keys (shown once, hashed, revocable, per tenant) and signing-key rotation."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from parlor.base.identity import PrincipalKind
from parlor.dashboard.tests.conftest import login
from tenants.api_keys import api_key_create, secret_key_hash
from tenants.models import ApiKey, SigningKey
from tenants.tokens import token_issue, token_verify

SECRET = re.compile(r"sk_[A-Za-z0-9_-]{43}")


@pytest.fixture(autouse=True)
def keys_removed_after(live_db):
    """Delete the API keys a test made: other suites expect each test tenant to have one."""
    before = set(ApiKey.objects.values_list("id", flat=True))
    yield
    ApiKey.objects.exclude(id__in=before).delete()


def _api_status(secret_key: str) -> int:
    return Client().get("/api/v1/rooms", HTTP_AUTHORIZATION=f"Bearer {secret_key}").status_code


def test_a_new_key_is_shown_once_stored_hashed_and_works(alpha_staff):
    client = login(alpha_staff)
    response = client.post("/dashboard/api-keys")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    secrets = SECRET.findall(response.content.decode())
    assert len(secrets) == 1
    secret = secrets[0]
    stored = ApiKey.objects.get(key_hash=secret_key_hash(secret))
    assert stored.tenant.slug == "alpha"
    assert secret not in str(ApiKey.objects.filter(pk=stored.pk).values().get())
    listing = client.get("/dashboard/api-keys").content.decode()
    assert secret not in listing
    assert SECRET.search(listing) is None
    assert stored.prefix in listing
    assert _api_status(secret) == 200


def test_revoking_a_key_stops_it_at_once(alpha_staff):
    created = api_key_create(tenant=alpha_staff.created.tenant)
    assert _api_status(created.secret_key) == 200
    client = login(alpha_staff)
    response = client.post(f"/dashboard/api-keys/{created.api_key.pk}/revoke")
    assert response.status_code == 302
    assert _api_status(created.secret_key) == 401
    assert "revoked" in client.get("/dashboard/api-keys").content.decode()


def test_another_tenants_key_cannot_be_revoked_or_seen(alpha_staff, tenant_bravo):
    bravo_key = api_key_create(tenant=tenant_bravo.tenant)
    client = login(alpha_staff)
    assert bravo_key.api_key.prefix not in client.get("/dashboard/api-keys").content.decode()
    response = client.post(f"/dashboard/api-keys/{bravo_key.api_key.pk}/revoke")
    assert response.status_code == 404
    assert ApiKey.objects.get(pk=bravo_key.api_key.pk).revoked_at is None
    assert _api_status(bravo_key.secret_key) == 200


def test_signing_keys_list_and_rotate_keeps_issued_tokens_valid(alpha_staff, tenant_bravo):
    tenant = alpha_staff.created.tenant
    before = token_issue(tenant=tenant, kind=PrincipalKind.USER, subject="u-rot", name="U")
    old = SigningKey.objects.get(tenant=tenant, is_current=True)
    bravo_current = SigningKey.objects.get(tenant=tenant_bravo.tenant, is_current=True)
    client = login(alpha_staff)
    page = client.get("/dashboard/signing-keys").content.decode()
    assert old.kid in page and "current" in page
    assert bravo_current.kid not in page
    assert old.secret not in page
    response = client.post("/dashboard/signing-keys/rotate")
    assert response.status_code == 302
    new = SigningKey.objects.get(tenant=tenant, is_current=True)
    assert new.kid != old.kid
    page = client.get("/dashboard/signing-keys").content.decode()
    assert f"Key {new.kid} now signs new tokens." in page
    assert "verifies until" in page
    assert token_verify(before.token).principal.subject == "u-rot"
    assert SigningKey.objects.get(tenant=tenant_bravo.tenant, is_current=True) == bravo_current
