"""Tests of signing keys: creation with the tenant, rotation with grace, revocation, public JWKs."""

from __future__ import annotations

import json
import secrets
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_exists
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from parlor.base.errors import Conflict, NotFound, ValidationFailed
from parlor.base.identity import PrincipalKind
from parlor.testing.tenants import scratch_tenant
from tenants import services
from tenants.keys import (
    HMAC_SECRET_MIN_BYTES,
    VERIFYING_KEYS,
    hmac_secret_decode,
    signing_key_create,
    signing_key_current,
    signing_key_list,
    signing_key_register_public,
    signing_key_revoke,
    signing_key_rotate,
)
from tenants.models import SigningKey, Tenant
from tenants.services import tenant_create
from tenants.tests.forgery import claims, signed_by_tenant
from tenants.tokens import TokenError, token_issue, token_verify

pytestmark = pytest.mark.usefixtures("live_db")


@pytest.fixture(scope="module")
def keyring(django_db_setup, django_db_blocker):
    """A tenant of its own, so rotating and revoking keys disturbs no other test."""
    with scratch_tenant("keyring", django_db_blocker) as created:
        yield created.tenant


def issue(tenant) -> str:
    return token_issue(tenant=tenant, kind=PrincipalKind.USER, subject="u", name="U").token


def test_every_tenant_starts_with_one_current_hs256_key(tenant_alpha, tenant_bravo):
    for created in (tenant_alpha, tenant_bravo):
        key = signing_key_current(tenant_id=created.tenant.id)
        assert key.algorithm == "HS256" and key.is_current
        assert len(hmac_secret_decode(key)) >= HMAC_SECRET_MIN_BYTES
    alpha = signing_key_current(tenant_id=tenant_alpha.tenant.id)
    bravo = signing_key_current(tenant_id=tenant_bravo.tenant.id)
    assert alpha.kid != bravo.kid and alpha.secret != bravo.secret


def test_a_second_first_key_is_a_conflict(keyring):
    with pytest.raises(Conflict):
        signing_key_create(tenant=keyring)


@pytest.mark.parametrize("secret", [b"", b"s" * (HMAC_SECRET_MIN_BYTES - 1), "s" * 64])
def test_short_secret_is_refused_at_configuration_time(keyring, secret):
    before = signing_key_list(tenant=keyring)
    with pytest.raises(ValidationFailed) as caught:
        signing_key_rotate(tenant=keyring, secret=secret)
    assert caught.value.code == "secret_too_short"
    assert signing_key_list(tenant=keyring) == before


def test_a_stored_short_secret_never_verifies(keyring):
    token = issue(keyring)
    key = signing_key_current(tenant_id=keyring.id)
    original = key.secret
    SigningKey.objects.filter(pk=key.pk).update(secret="c2hvcnQ")
    try:
        with pytest.raises(TokenError, match="unusable"):
            token_verify(token)
    finally:
        SigningKey.objects.filter(pk=key.pk).update(secret=original)


def test_rotation_signs_with_the_new_key_and_verifies_the_old_during_grace(keyring):
    old_token = issue(keyring)
    rotation = signing_key_rotate(tenant=keyring, grace_seconds=600)
    assert rotation.previous is not None and not rotation.previous.is_current
    assert rotation.previous.verifies_until > timezone.now() + timedelta(seconds=590)
    new_token = issue(keyring)
    assert token_verify(new_token).principal.key_id == rotation.current.kid
    assert token_verify(old_token).principal.key_id == rotation.previous.kid


def test_after_the_grace_the_old_key_stops_verifying(keyring):
    old_token = issue(keyring)
    signing_key_rotate(tenant=keyring, grace_seconds=0)
    with pytest.raises(TokenError) as caught:
        token_verify(old_token)
    assert caught.value.code == "token_revoked"
    token_verify(issue(keyring))


@pytest.mark.parametrize("grace", [-1, 7 * 24 * 3600 + 1, "60", True])
def test_grace_out_of_range_is_refused_and_nothing_changes(keyring, grace):
    current = signing_key_current(tenant_id=keyring.id)
    with pytest.raises(ValidationFailed):
        signing_key_rotate(tenant=keyring, grace_seconds=grace)
    assert signing_key_current(tenant_id=keyring.id) == current


def test_revoked_key_stops_verifying_at_once_and_is_replaced(keyring):
    token = issue(keyring)
    revoked = signing_key_current(tenant_id=keyring.id)
    signing_key_revoke(tenant=keyring, kid=revoked.kid)
    with pytest.raises(TokenError) as caught:
        token_verify(token)
    assert caught.value.code == "token_revoked"
    replacement = signing_key_current(tenant_id=keyring.id)
    assert replacement.kid != revoked.kid
    token_verify(issue(keyring))


def test_revoking_a_key_of_another_tenant_is_not_found(keyring, tenant_alpha):
    alpha_kid = signing_key_current(tenant_id=tenant_alpha.tenant.id).kid
    with pytest.raises(NotFound):
        signing_key_revoke(tenant=keyring, kid=alpha_kid)
    assert signing_key_current(tenant_id=tenant_alpha.tenant.id).revoked_at is None


def _ec_jwk() -> dict:
    return json.loads(ECAlgorithm.to_jwk(ec.generate_private_key(ec.SECP256R1()).public_key()))


@pytest.mark.parametrize(
    ("jwk", "code"),
    [
        ("not a dict", "jwk_invalid"),
        ({"kty": "oct", "k": "c2VjcmV0"}, "jwk_private"),
        ({"kty": "oct"}, "jwk_unsupported"),
        ({**_ec_jwk(), "d": "cHJpdmF0ZQ"}, "jwk_private"),
        ({**_ec_jwk(), "crv": "P-384"}, "jwk_unsupported"),
        ({**_ec_jwk(), "alg": "HS256"}, "jwk_invalid"),
        ({**_ec_jwk(), "use": "enc"}, "jwk_invalid"),
        ({**_ec_jwk(), "x": "AAAA"}, "jwk_invalid"),
        ({"kty": "EC", "crv": "P-256"}, "jwk_invalid"),
        (
            json.loads(RSAAlgorithm.to_jwk(rsa.generate_private_key(65537, 1024).public_key())),
            "jwk_weak",
        ),
    ],
)
def test_unusable_public_keys_are_refused_and_nothing_is_stored(keyring, jwk, code):
    before = SigningKey.objects.filter(tenant=keyring).count()
    with pytest.raises(ValidationFailed) as caught:
        signing_key_register_public(tenant=keyring, jwk=jwk)
    assert caught.value.code == code
    assert SigningKey.objects.filter(tenant=keyring).count() == before


def test_registered_public_key_keeps_only_public_members(keyring):
    jwk = {**_ec_jwk(), "kid": "mine", "alg": "ES256", "use": "sig"}
    key = signing_key_register_public(tenant=keyring, jwk=jwk)
    assert set(key.public_jwk) == {"kty", "crv", "x", "y"}
    assert key.kid != "mine" and not key.secret


def test_tenant_create_is_all_or_nothing_when_the_key_fails(monkeypatch):
    def fail(**kwargs):
        raise ValidationFailed("boom")

    monkeypatch.setattr(services, "signing_key_create", fail)
    with pytest.raises(ValidationFailed):
        tenant_create(slug="halfway", name="Halfway", domain="halfway.localhost")
    assert not schema_exists("halfway")
    assert not Tenant.objects.filter(slug="halfway").exists()


# The per-process key cache (tenants.cache): exact in this process, bounded in others


def assert_revoked(token: str) -> None:
    with pytest.raises(TokenError) as caught:
        token_verify(token)
    assert caught.value.code == "token_revoked"


def test_a_cached_key_revoked_in_this_process_is_refused_by_the_next_verify(auth_clock, keyring):
    token = issue(keyring)
    token_verify(token)  # the key is cached now, and the clock does not move
    signing_key_revoke(tenant=keyring, kid=signing_key_current(tenant_id=keyring.id).kid)
    assert_revoked(token)


def test_a_cached_key_rotated_out_in_this_process_is_refused_by_the_next_verify(
    auth_clock, keyring
):
    token = issue(keyring)
    token_verify(token)
    signing_key_rotate(tenant=keyring, grace_seconds=0)
    assert_revoked(token)
    token_verify(issue(keyring))


def test_a_key_revoked_by_another_process_is_refused_after_the_bound(auth_clock, keyring):
    token = issue(keyring)
    kid = token_verify(token).principal.key_id
    with connection.cursor() as cursor:  # as another server process would: no signal here
        cursor.execute(
            "UPDATE public.tenants_signingkey SET revoked_at = now() WHERE tenant_id = %s"
            " AND kid = %s",
            [keyring.id, kid],
        )
    try:
        token_verify(token)  # not heard of yet, and still within the bound
        auth_clock.past_the_bound()
        assert_revoked(token)
    finally:
        signing_key_rotate(tenant=keyring, grace_seconds=0)


def test_made_up_kids_never_grow_the_key_cache(auth_clock, keyring):
    token_verify(issue(keyring))
    cached = len(VERIFYING_KEYS)
    for _ in range(200):
        forged = signed_by_tenant(keyring, claims(keyring), kid=secrets.token_urlsafe(12))
        with pytest.raises(TokenError):
            token_verify(forged)
    assert len(VERIFYING_KEYS) == cached == 1


def test_a_cached_key_of_one_tenant_never_verifies_a_token_claiming_another(
    auth_clock, tenant_alpha, tenant_bravo
):
    alpha_key = signing_key_current(tenant_id=tenant_alpha.tenant.id)
    token_verify(issue(tenant_alpha.tenant))  # alpha's key is cached under ("alpha", kid)
    relabelled = signed_by_tenant(tenant_alpha.tenant, claims(tenant_bravo.tenant))
    with pytest.raises(TokenError):
        token_verify(relabelled)
    # Even a cache entry filed under the wrong tenant (a bug elsewhere) verifies nothing.
    VERIFYING_KEYS.put(("bravo", alpha_key.kid), _key_with_tenant(tenant_alpha, alpha_key.kid))
    with pytest.raises(TokenError) as caught:
        token_verify(relabelled)
    assert caught.value.code == "token_invalid"


def _key_with_tenant(created, kid: str) -> SigningKey:
    return SigningKey.objects.select_related("tenant").get(tenant=created.tenant, kid=kid)


def test_tenant_changes_in_this_process_reach_cached_keys(auth_clock, keyring):
    issued = token_issue(tenant=keyring, kind=PrincipalKind.USER, subject="u", name="U", ttl=600)
    token = issued.token
    token_verify(token)
    keyring.token_lifetime_caps = {"user": 300}
    keyring.save(update_fields=["token_lifetime_caps"])
    try:
        with pytest.raises(TokenError) as caught:
            token_verify(token)
        assert "lifetime" in caught.value.detail
    finally:
        keyring.token_lifetime_caps = {}
        keyring.save(update_fields=["token_lifetime_caps"])
