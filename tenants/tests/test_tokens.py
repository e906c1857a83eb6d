"""Tests of token issue and verification: every forgery and misuse fails closed."""

from __future__ import annotations

import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm

from parlor.base.errors import ValidationFailed
from parlor.base.identity import PrincipalKind
from tenants.keys import signing_key_current, signing_key_register_public
from tenants.models import SigningKey
from tenants.tests.forgery import b64, claims, hs256, segment, signed_by_tenant
from tenants.tokens import (
    LEEWAY_SECONDS,
    MAX_TOKEN_LENGTH,
    REQUIRED_CLAIMS,
    TokenError,
    token_issue,
    token_verify,
)

pytestmark = pytest.mark.usefixtures("live_db")


def refused(token, *, code: str = "token_invalid", **kwargs) -> TokenError:
    with pytest.raises(TokenError) as caught:
        token_verify(token, **kwargs)
    assert caught.value.code == code, caught.value.detail
    assert caught.value.status == 401
    if isinstance(token, str) and len(token) > 20:
        assert token not in caught.value.detail
    return caught.value


@pytest.fixture
def no_cryptography(monkeypatch):
    """Fail the test if anything reaches signature verification."""

    def forbidden(*args, **kwargs):
        raise AssertionError("jwt.decode was reached")

    monkeypatch.setattr("tenants.tokens.jwt.decode", forbidden)


# Issue and verify


def test_issued_token_verifies_to_its_principal(tenant_alpha):
    tenant = tenant_alpha.tenant
    issued = token_issue(
        tenant=tenant, kind=PrincipalKind.USER, subject="u-42", name="Ada", rooms=["support", "*"]
    )
    verified = token_verify(issued.token)
    principal = verified.principal
    assert verified.tenant.id == tenant.id
    assert principal.kind is PrincipalKind.USER
    assert (principal.subject, principal.name) == ("u-42", "Ada")
    assert principal.tenant.id == tenant.id and principal.tenant.schema_name == "alpha"
    assert principal.rooms == ("support", "*")
    assert principal.key_id == signing_key_current(tenant_id=tenant.id).kid
    assert principal.expires_at == int(issued.expires_at.timestamp())


@pytest.mark.parametrize(
    ("kind", "lifetime"),
    [(PrincipalKind.VISITOR, 900), (PrincipalKind.USER, 3600), (PrincipalKind.AGENT, 900)],
)
def test_default_lifetimes_are_short(tenant_alpha, kind, lifetime):
    issued = token_issue(tenant=tenant_alpha.tenant, kind=kind, subject="s", name="N")
    principal = token_verify(issued.token).principal
    assert principal.expires_at - principal.issued_at == lifetime


def test_each_kind_has_its_own_audience(tenant_alpha):
    for kind in PrincipalKind:
        token = token_issue(tenant=tenant_alpha.tenant, kind=kind, subject="s", name="N").token
        payload = json.loads(jwt.utils.base64url_decode(token.split(".")[1]))
        assert payload["aud"] == f"parlor:{kind.value}"
        assert payload["iss"] == "parlor:tenant:alpha"


@pytest.mark.parametrize("ttl", [0, 9, -1, 86401 * 2, "60", 1.5, True])
def test_ttl_out_of_range_is_refused(tenant_alpha, ttl):
    with pytest.raises(ValidationFailed) as caught:
        token_issue(
            tenant=tenant_alpha.tenant, kind=PrincipalKind.USER, subject="s", name="N", ttl=ttl
        )
    assert caught.value.code == "ttl_out_of_range"


@pytest.mark.parametrize(
    ("subject", "name", "rooms", "code"),
    [
        ("", "N", None, "invalid_subject"),
        ("x" * 129, "N", None, "invalid_subject"),
        ("a\nb", "N", None, "invalid_subject"),
        ("s", "", None, "invalid_name"),
        ("s", "   ", None, "invalid_name"),
        ("s", "N", ["bad room"], "invalid_rooms"),
        ("s", "N", ["a.b"], "invalid_rooms"),
        ("s", "N", "support", "invalid_rooms"),
        ("s", "N", ["r"] * 101, "invalid_rooms"),
    ],
)
def test_bad_claims_are_refused_at_issue(tenant_alpha, subject, name, rooms, code):
    with pytest.raises(ValidationFailed) as caught:
        token_issue(
            tenant=tenant_alpha.tenant,
            kind=PrincipalKind.USER,
            subject=subject,
            name=name,
            rooms=rooms,
        )
    assert caught.value.code == code


# Algorithms and signatures


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE", "HS512", "HS384", "PS256", ""])
def test_algorithms_outside_the_allow_list_are_refused(tenant_alpha, alg, no_cryptography):
    kid = signing_key_current(tenant_id=tenant_alpha.tenant.id).kid
    body = f"{segment({'alg': alg, 'kid': kid})}.{segment(claims(tenant_alpha.tenant))}"
    refused(f"{body}.c2ln")
    refused(f"{body}.", code="token_malformed")


def test_unsigned_token_is_refused(tenant_alpha, no_cryptography):
    token = signed_by_tenant(tenant_alpha.tenant, claims(tenant_alpha.tenant))
    refused(token.rsplit(".", 1)[0] + ".", code="token_malformed")
    refused(token.rsplit(".", 1)[0], code="token_malformed")


def test_wrong_signature_is_refused(tenant_alpha):
    kid = signing_key_current(tenant_id=tenant_alpha.tenant.id).kid
    token = hs256({"alg": "HS256", "kid": kid}, claims(tenant_alpha.tenant), b"k" * 32)
    refused(token)


def test_header_alg_differing_from_the_keys_alg_is_refused(tenant_alpha, no_cryptography):
    tenant = tenant_alpha.tenant
    kid = signing_key_current(tenant_id=tenant.id).kid
    token = f"{segment({'alg': 'ES256', 'kid': kid})}.{segment(claims(tenant))}.c2ln"
    assert "does not match" in refused(token).detail


def test_hs256_signed_with_the_public_key_as_secret_is_refused(tenant_alpha, no_cryptography):
    tenant = tenant_alpha.tenant
    private_key = ec.generate_private_key(ec.SECP256R1())
    jwk = json.loads(ECAlgorithm.to_jwk(private_key.public_key()))
    key = signing_key_register_public(tenant=tenant, jwk=jwk)
    public_pem = private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    for secret in (public_pem, json.dumps(jwk).encode()):
        token = hs256({"alg": "HS256", "kid": key.kid}, claims(tenant), secret)
        assert "does not match" in refused(token).detail


# Key ids and tenants


def test_unknown_kid_is_refused(tenant_alpha):
    token = signed_by_tenant(tenant_alpha.tenant, claims(tenant_alpha.tenant), kid="no-such-kid")
    assert "unknown" in refused(token).detail


@pytest.mark.parametrize("kid", ["../../etc/passwd", "a/b", "kid\x00", "k" * 65, "", 7, None])
def test_hostile_kid_is_refused_before_lookup(
    tenant_alpha, kid, no_cryptography, django_assert_num_queries
):
    header = {"alg": "HS256", "kid": kid}
    token = f"{segment(header)}.{segment(claims(tenant_alpha.tenant))}.c2ln"
    with django_assert_num_queries(0):
        refused(token)


def test_ten_kilobyte_kid_is_refused_before_lookup(
    tenant_alpha, no_cryptography, django_assert_num_queries
):
    header = segment({"alg": "HS256", "kid": "k" * 10240})
    token = f"{header}.{segment(claims(tenant_alpha.tenant))}.c2ln"
    with django_assert_num_queries(0):
        refused(token, code="token_malformed")


def test_keys_are_looked_up_by_tenant_and_kid_never_kid_alone(tenant_alpha, tenant_bravo):
    alpha_key = signing_key_current(tenant_id=tenant_alpha.tenant.id)
    # Bravo gets a key with alpha's kid but its own secret: alpha's signature must not pass as it.
    twin = SigningKey.objects.create(
        tenant=tenant_bravo.tenant, kid=alpha_key.kid, algorithm="HS256", secret=b64(b"t" * 32)
    )
    try:
        token = signed_by_tenant(tenant_alpha.tenant, claims(tenant_bravo.tenant))
        refused(token)
    finally:
        twin.delete()
    refused(signed_by_tenant(tenant_alpha.tenant, claims(tenant_bravo.tenant)))


@pytest.mark.parametrize(
    "issuer",
    [
        "parlor:tenant:alph",
        "parlor:tenant:",
        "parlor:tenant",
        "parlor",
        "parlor:tenant:alpha ",
        "parlor:tenant:alpha/x",
        "parlor:tenant:ALPHA",
        "https://parlor/tenant/alpha",
        "parlor:tenant:public",
        None,
        ["parlor:tenant:alpha"],
    ],
)
def test_issuer_must_name_the_tenant_exactly(tenant_alpha, issuer):
    refused(signed_by_tenant(tenant_alpha.tenant, claims(tenant_alpha.tenant, iss=issuer)))


def test_another_tenants_token_cannot_be_relabelled(tenant_alpha, tenant_bravo):
    token = token_issue(
        tenant=tenant_bravo.tenant, kind=PrincipalKind.USER, subject="s", name="N"
    ).token
    head, payload, signature = token.split(".")
    claims_ = json.loads(jwt.utils.base64url_decode(payload))
    claims_["iss"] = "parlor:tenant:alpha"
    refused(f"{head}.{segment(claims_)}.{signature}")


# Time


def test_expired_token_is_refused_as_expired(tenant_alpha):
    now = int(time.time())
    token = signed_by_tenant(
        tenant_alpha.tenant,
        claims(tenant_alpha.tenant, iat=now - 600, exp=now - LEEWAY_SECONDS - 1),
    )
    refused(token, code="token_expired")


def test_small_leeway_admits_a_just_expired_token(tenant_alpha):
    now = int(time.time())
    token = signed_by_tenant(
        tenant_alpha.tenant, claims(tenant_alpha.tenant, iat=now - 60, exp=now - 1)
    )
    assert token_verify(token).principal.subject == "u-forged"


def test_not_yet_valid_token_is_refused(tenant_alpha):
    now = int(time.time())
    token = signed_by_tenant(tenant_alpha.tenant, claims(tenant_alpha.tenant, nbf=now + 60))
    refused(token, code="token_not_yet_valid")


def test_iat_in_the_future_is_refused(tenant_alpha):
    now = int(time.time())
    token = signed_by_tenant(
        tenant_alpha.tenant, claims(tenant_alpha.tenant, iat=now + 60, exp=now + 120)
    )
    refused(token, code="token_not_yet_valid")


@pytest.mark.parametrize("field", ["iat", "exp"])
def test_times_must_be_integers(tenant_alpha, field):
    now = int(time.time())
    value = {"iat": str(now), "exp": str(now + 60)}[field]
    refused(signed_by_tenant(tenant_alpha.tenant, claims(tenant_alpha.tenant, **{field: value})))


def test_lifetime_longer_than_the_cap_is_refused(tenant_alpha):
    now = int(time.time())
    token = signed_by_tenant(
        tenant_alpha.tenant,
        claims(tenant_alpha.tenant, kind="visitor", iat=now, exp=now + 2 * 3600),
    )
    assert "lifetime" in refused(token).detail


# Claims and audiences


@pytest.mark.parametrize("missing", REQUIRED_CLAIMS)
def test_every_required_claim_is_required(tenant_alpha, missing):
    refused(signed_by_tenant(tenant_alpha.tenant, claims(tenant_alpha.tenant, **{missing: None})))


@pytest.mark.parametrize(
    "audience",
    ["parlor:admin", "user", "parlor:users", ["parlor:user"], ["parlor:user", "parlor:agent"], 1],
)
def test_wrong_audience_is_refused(tenant_alpha, audience):
    refused(signed_by_tenant(tenant_alpha.tenant, claims(tenant_alpha.tenant, aud=audience)))


def test_a_visitor_token_where_an_agent_token_is_needed_is_refused(tenant_alpha):
    token = token_issue(
        tenant=tenant_alpha.tenant, kind=PrincipalKind.VISITOR, subject="v", name="V"
    ).token
    refused(token, kinds=frozenset({PrincipalKind.AGENT}))


@pytest.mark.parametrize(
    "overrides",
    [
        {"sub": ""},
        {"sub": 42},
        {"name": ""},
        {"name": "x" * 101},
        {"jti": "a/b"},
        {"rooms": "support"},
        {"rooms": ["a b"]},
    ],
)
def test_malformed_claims_are_refused(tenant_alpha, overrides):
    refused(signed_by_tenant(tenant_alpha.tenant, claims(tenant_alpha.tenant, **overrides)))


# Shape, before any cryptography


def test_hundred_kilobyte_token_is_refused_before_cryptography(
    no_cryptography, django_assert_num_queries
):
    token = "a" * 50_000 + "." + "b" * 50_000 + ".c"
    with django_assert_num_queries(0):
        error = refused(token, code="token_malformed")
    assert str(MAX_TOKEN_LENGTH) in error.detail


@pytest.mark.parametrize(
    "token",
    [
        "abc",
        "a.b",
        "a.b.c.d",
        "a$b.c.d",
        "eyJ!.eyJ.sig",
        "e.e.e",
        f"{b64(b'not json')}.{b64(b'{}')}.c2ln",
        f"{segment([1, 2])}.{segment({})}.c2ln",
        f"{b64(b'[' * 3000)}.{segment({})}.c2ln",
        f"{segment({'alg': 'HS256', 'kid': 'k'})}.{b64(b'no')}.c2ln",
        " " + "a.b.c",
    ],
)
def test_malformed_tokens_are_refused_before_cryptography(
    token, no_cryptography, django_assert_num_queries
):
    with django_assert_num_queries(0):
        refused(token, code="token_malformed")


@pytest.mark.parametrize("token", [None, "", 42, b"a.b.c"])
def test_missing_token_is_refused(token, no_cryptography):
    refused(token, code="token_missing")


# Tenant-supplied public keys


def _asymmetric_cases():
    ec_key = ec.generate_private_key(ec.SECP256R1())
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ed_key = ed25519.Ed25519PrivateKey.generate()
    return [
        ("ES256", ec_key, ECAlgorithm.to_jwk(ec_key.public_key())),
        ("RS256", rsa_key, RSAAlgorithm.to_jwk(rsa_key.public_key())),
        ("EdDSA", ed_key, OKPAlgorithm.to_jwk(ed_key.public_key())),
    ]


@pytest.mark.parametrize(("algorithm", "private_key", "jwk"), _asymmetric_cases())
def test_tokens_signed_with_a_registered_public_key_verify(
    tenant_alpha, algorithm, private_key, jwk
):
    key = signing_key_register_public(tenant=tenant_alpha.tenant, jwk=json.loads(jwk))
    assert key.algorithm == algorithm and not key.is_current
    token = jwt.encode(
        claims(tenant_alpha.tenant), private_key, algorithm=algorithm, headers={"kid": key.kid}
    )
    assert token_verify(token).principal.key_id == key.kid
    forged = jwt.encode(
        claims(tenant_alpha.tenant),
        _fresh_like(private_key),
        algorithm=algorithm,
        headers={"kid": key.kid},
    )
    refused(forged)


def _fresh_like(private_key):
    if isinstance(private_key, ec.EllipticCurvePrivateKey):
        return ec.generate_private_key(ec.SECP256R1())
    if isinstance(private_key, rsa.RSAPrivateKey):
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ed25519.Ed25519PrivateKey.generate()


def test_public_key_of_one_tenant_does_not_verify_for_another(tenant_alpha, tenant_bravo):
    private_key = ec.generate_private_key(ec.SECP256R1())
    key = signing_key_register_public(
        tenant=tenant_alpha.tenant, jwk=json.loads(ECAlgorithm.to_jwk(private_key.public_key()))
    )
    token = jwt.encode(
        claims(tenant_bravo.tenant), private_key, algorithm="ES256", headers={"kid": key.kid}
    )
    refused(token)
