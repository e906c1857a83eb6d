"""Signing keys: generation, rotation, revocation and lookup, always by (tenant, kid)."""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from jwt import PyJWK
from jwt.exceptions import PyJWTError

from parlor.base.errors import Conflict, NotFound, ValidationFailed
from tenants.cache import TimedCache
from tenants.lifetimes import PLATFORM_MAX_TTL
from tenants.models import SigningKey, Tenant

Algorithm = SigningKey.Algorithm
HMAC_SECRET_MIN_BYTES = 32
MIN_RSA_BITS = 2048
# The default grace outlives the longest token, so rotation never cuts a live token short.
DEFAULT_GRACE_SECONDS = max(PLATFORM_MAX_TTL.values())
MAX_GRACE_SECONDS = 7 * 24 * 60 * 60
PRIVATE_JWK_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
PUBLIC_JWK_MEMBERS = {
    Algorithm.ES256: ("kty", "crv", "x", "y"),
    Algorithm.RS256: ("kty", "n", "e"),
    Algorithm.EDDSA: ("kty", "crv", "x"),
}
# Known keys only, by (tenant slug, kid): an unknown kid is asked of the database every time,
# so made-up kids cost a query each but never memory.
VERIFYING_KEYS = TimedCache(name="signing keys", max_entries=1024)


def kid_generate() -> str:
    """Return a new key id: 16 URL-safe characters, unguessable and free of path characters."""
    return secrets.token_urlsafe(12)


def hmac_secret_validate(secret: bytes) -> bytes:
    """Return `secret` if it is long enough to sign HS256 tokens, else raise ValidationFailed."""
    if not isinstance(secret, bytes) or len(secret) < HMAC_SECRET_MIN_BYTES:
        raise ValidationFailed(
            f"an HS256 secret must be at least {HMAC_SECRET_MIN_BYTES} random bytes.",
            code="secret_too_short",
        )
    return secret


def hmac_secret_decode(key: SigningKey) -> bytes:
    """Return the raw HS256 secret of `key`, refusing one below the minimum length."""
    padded = key.secret + "=" * (-len(key.secret) % 4)
    return hmac_secret_validate(base64.urlsafe_b64decode(padded))


def signing_key_create(*, tenant: Tenant, secret: bytes | None = None) -> SigningKey:
    """Create `tenant`'s first signing key (HS256, current); raise Conflict if it has one."""
    if SigningKey.objects.filter(tenant=tenant, is_current=True).exists():
        raise Conflict("this tenant already has a signing key; rotate it instead.")
    return _hmac_key_create(tenant=tenant, secret=secret)


@dataclass(frozen=True)
class KeyRotation:
    """The new current key, and the previous one with the moment it stops verifying."""

    current: SigningKey
    previous: SigningKey | None


def signing_key_rotate(
    *, tenant: Tenant, grace_seconds: int = DEFAULT_GRACE_SECONDS, secret: bytes | None = None
) -> KeyRotation:
    """Make a new HS256 key current; the previous one verifies for `grace_seconds` more."""
    if isinstance(grace_seconds, bool) or not isinstance(grace_seconds, int):
        raise ValidationFailed("grace_seconds must be an integer.")
    if not 0 <= grace_seconds <= MAX_GRACE_SECONDS:
        raise ValidationFailed(f"grace_seconds must be from 0 to {MAX_GRACE_SECONDS}.")
    if secret is not None:
        hmac_secret_validate(secret)
    with transaction.atomic():
        previous = _current_for_update(tenant)
        if previous is not None:
            _retire(previous, until=timezone.now() + timedelta(seconds=grace_seconds))
        current = _hmac_key_create(tenant=tenant, secret=secret)
    return KeyRotation(current=current, previous=previous)


def signing_key_register_public(*, tenant: Tenant, jwk: object) -> SigningKey:
    """Store a tenant-supplied public key (ES256, RS256 or EdDSA JWK) that verifies its tokens."""
    algorithm, public_jwk = public_jwk_validate(jwk)
    return SigningKey.objects.create(
        tenant=tenant, kid=kid_generate(), algorithm=algorithm, public_jwk=public_jwk
    )


def signing_key_revoke(*, tenant: Tenant, kid: str) -> SigningKey:
    """Stop `kid` of `tenant` verifying at once; a revoked current key is replaced."""
    with transaction.atomic():
        key = SigningKey.objects.select_for_update().filter(tenant=tenant, kid=kid).first()
        if key is None:
            raise NotFound("no signing key with that kid for this tenant.", code="key_not_found")
        if key.revoked_at is None:
            key.revoked_at = timezone.now()
        was_current = key.is_current
        key.is_current = False
        key.save(update_fields=["revoked_at", "is_current"])
        if was_current:
            _hmac_key_create(tenant=tenant, secret=None)
    return key


def signing_key_current(*, tenant_id: int) -> SigningKey:
    """Return the key that signs the tenant's new tokens, or raise NotFound."""
    key = SigningKey.objects.filter(tenant_id=tenant_id, is_current=True).first()
    if key is None:
        raise NotFound("this tenant has no signing key.", code="key_not_found")
    return key


def signing_key_find(*, tenant_slug: str, kid: str) -> SigningKey | None:
    """Return the key `kid` of the tenant `tenant_slug` (with its tenant), or None."""
    return (
        SigningKey.objects.select_related("tenant")
        .filter(tenant__slug=tenant_slug, kid=kid)
        .exclude(tenant__schema_name="public")
        .first()
    )


def signing_key_lookup(*, tenant_slug: str, kid: str) -> SigningKey | None:
    """Return signing_key_find(...) from this process's cache; the key and tenant are read-only."""
    return VERIFYING_KEYS.get_or_load(
        (tenant_slug, kid),
        lambda: signing_key_find(tenant_slug=tenant_slug, kid=kid),
        keep_none=False,
    )


def signing_key_list(*, tenant: Tenant) -> list[SigningKey]:
    """Return every signing key of `tenant`, newest first."""
    return list(SigningKey.objects.filter(tenant=tenant).order_by("-created_at", "-id"))


def signing_key_usable_at(key: SigningKey, moment: datetime) -> bool:
    """Return whether `key` still verifies tokens at `moment` (not revoked, not past its grace)."""
    if key.revoked_at is not None:
        return False
    return key.verifies_until is None or moment < key.verifies_until


def public_jwk_validate(jwk: object) -> tuple[str, dict[str, str]]:
    """Return (algorithm, the JWK's public members) for a usable public key, else raise."""
    if not isinstance(jwk, dict):
        raise ValidationFailed("jwk must be a JSON object.", code="jwk_invalid")
    if PRIVATE_JWK_MEMBERS & jwk.keys():
        raise ValidationFailed(
            "jwk holds private key material; send only the public key.", code="jwk_private"
        )
    algorithm = _jwk_algorithm(jwk)
    if jwk.get("alg", algorithm) != algorithm or jwk.get("use", "sig") != "sig":
        raise ValidationFailed("jwk alg or use does not match its key type.", code="jwk_invalid")
    public = {name: jwk.get(name) for name in PUBLIC_JWK_MEMBERS[algorithm]}
    if not all(isinstance(value, str) and value for value in public.values()):
        raise ValidationFailed("jwk lacks a public member of its key type.", code="jwk_invalid")
    try:
        key = PyJWK(public, algorithm).key
    except (PyJWTError, ValueError, TypeError):
        raise ValidationFailed("jwk is not a valid public key.", code="jwk_invalid") from None
    if isinstance(key, RSAPublicKey) and key.key_size < MIN_RSA_BITS:
        raise ValidationFailed(f"RSA keys need at least {MIN_RSA_BITS} bits.", code="jwk_weak")
    return algorithm, public


def _jwk_algorithm(jwk: dict) -> str:
    kty, crv = jwk.get("kty"), jwk.get("crv")
    if kty == "EC" and crv == "P-256":
        return Algorithm.ES256
    if kty == "RSA":
        return Algorithm.RS256
    if kty == "OKP" and crv == "Ed25519":
        return Algorithm.EDDSA
    raise ValidationFailed(
        "jwk must be an EC P-256, RSA or OKP Ed25519 public key.", code="jwk_unsupported"
    )


def _hmac_key_create(*, tenant: Tenant, secret: bytes | None) -> SigningKey:
    raw = hmac_secret_validate(secret) if secret is not None else secrets.token_bytes(32)
    encoded = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    return SigningKey.objects.create(
        tenant=tenant,
        kid=kid_generate(),
        algorithm=Algorithm.HS256,
        secret=encoded,
        is_current=True,
    )


def _current_for_update(tenant: Tenant) -> SigningKey | None:
    return SigningKey.objects.select_for_update().filter(tenant=tenant, is_current=True).first()


def _retire(key: SigningKey, *, until: datetime) -> None:
    key.is_current = False
    if key.verifies_until is None or until < key.verifies_until:
        key.verifies_until = until
    key.save(update_fields=["is_current", "verifies_until"])


# Receivers, not calls in each service: every write in this process, whichever module makes
# it (dashboard settings, tenant services, admin), must reach the cache this module keeps.
@receiver([post_save, post_delete], sender=SigningKey)
def _signing_key_changed(sender, instance: SigningKey, **kwargs) -> None:
    _forget_tenant(instance.tenant_id)


@receiver([post_save, post_delete], sender=Tenant)
def _tenant_changed(sender, instance: Tenant, **kwargs) -> None:
    # Cached keys carry their tenant (slug, allowed origins, lifetime caps).
    _forget_tenant(instance.pk)


def _forget_tenant(tenant_id: int) -> None:
    VERIFYING_KEYS.discard_now_and_on_commit(lambda _, key: key.tenant_id == tenant_id)
