"""Tenant API keys: generated, shown once, stored hashed, created and revoked per tenant."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.utils import timezone

from parlor.base.errors import NotFound
from tenants.models import ApiKey, Tenant

SECRET_KEY_PREFIX = "sk_"
PUBLISHABLE_KEY_PREFIX = "pk_"
# How much of a secret key is stored in the clear, so staff can tell their keys apart.
API_KEY_PREFIX_LENGTH = 8


@dataclass(frozen=True)
class ApiKeyCreated:
    """A new secret API key: `secret_key` is shown once and never stored."""

    api_key: ApiKey
    secret_key: str


def secret_key_generate() -> str:
    """Return a new secret API key (`sk_` + 43 URL-safe characters, 256 random bits)."""
    return SECRET_KEY_PREFIX + secrets.token_urlsafe(32)


def publishable_key_generate() -> str:
    """Return a new publishable widget key (`pk_` + 24 URL-safe characters)."""
    return PUBLISHABLE_KEY_PREFIX + secrets.token_urlsafe(18)


def secret_key_hash(secret_key: str) -> str:
    """Return the SHA-256 hex digest under which `secret_key` is stored."""
    # A fast hash is enough: the key carries 256 random bits, so it cannot be guessed offline.
    return hashlib.sha256(secret_key.encode()).hexdigest()


def api_key_create(*, tenant: Tenant) -> ApiKeyCreated:
    """Create a secret API key for the tenant; only its hash and prefix are stored."""
    secret_key = secret_key_generate()
    api_key = ApiKey.objects.create(
        tenant=tenant,
        prefix=secret_key[:API_KEY_PREFIX_LENGTH],
        key_hash=secret_key_hash(secret_key),
    )
    return ApiKeyCreated(api_key=api_key, secret_key=secret_key)


def api_key_revoke(*, tenant: Tenant, key_id: int) -> ApiKey:
    """Revoke the tenant's API key `key_id` at once; raise NotFound for another tenant's key."""
    api_key = ApiKey.objects.filter(tenant=tenant, id=key_id).first()
    if api_key is None:
        raise NotFound("no such API key.", code="key_not_found")
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
    return api_key
