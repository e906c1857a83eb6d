"""Actor tenant x resource tenant over every API endpoint: nothing ever crosses tenants."""

from __future__ import annotations

import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

from parlor.api.tests.helpers import assert_problem, post
from parlor.base.identity import PrincipalKind
from tenants.keys import signing_key_current, signing_key_register_public
from tenants.models import SigningKey
from tenants.tokens import TokenError, token_issue, token_verify

pytestmark = pytest.mark.usefixtures("live_db")
ORIGINS = {"alpha": "https://shop.alpha.example", "bravo": "https://shop.bravo.example"}
PAIRS = [("alpha", "alpha"), ("alpha", "bravo"), ("bravo", "alpha"), ("bravo", "bravo")]


@pytest.fixture
def tenants(tenant_alpha, tenant_bravo):
    return {"alpha": tenant_alpha, "bravo": tenant_bravo}


def issue(created, subject: str) -> str:
    return token_issue(
        tenant=created.tenant, kind=PrincipalKind.USER, subject=subject, name="N"
    ).token


def verifies(token: str) -> bool:
    try:
        token_verify(token)
    except TokenError:
        return False
    return True


@pytest.mark.parametrize(("actor", "resource"), PAIRS)
def test_tokens(client, tenants, actor, resource):
    response = post(
        client,
        "/api/v1/tokens",
        {"user_id": "u-matrix", "name": "N"},
        secret_key=tenants[actor].secret_key,
        HTTP_HOST=tenants[resource].domain,
    )
    if actor != resource:
        assert_problem(response, 403, "tenant_mismatch")
        return
    assert response.status_code == 201, response.content
    assert token_verify(response.json()["token"]).principal.tenant.slug == actor


@pytest.mark.parametrize(("actor", "resource"), PAIRS)
def test_widget_sessions_origin(client, tenants, actor, resource):
    body = {"key": tenants[actor].tenant.publishable_key}
    response = post(client, "/api/v1/widget/sessions", body, HTTP_ORIGIN=ORIGINS[resource])
    if actor != resource:
        assert_problem(response, 403, "origin_forbidden")
        assert "Access-Control-Allow-Origin" not in response
        return
    assert response.status_code == 201, response.content
    assert token_verify(response.json()["token"]).principal.tenant.slug == actor


@pytest.mark.parametrize(("actor", "resource"), PAIRS)
def test_widget_sessions_visitor(client, tenants, actor, resource):
    def start(slug: str, visitor=None) -> dict:
        body = {"key": tenants[slug].tenant.publishable_key}
        if visitor is not None:
            body["visitor"] = visitor
        response = post(client, "/api/v1/widget/sessions", body, HTTP_ORIGIN=ORIGINS[slug])
        assert response.status_code == 201, response.content
        return response.json()

    theirs = start(resource)
    mine = start(actor, visitor=theirs["visitor"])
    assert (mine["conversation"] == theirs["conversation"]) is (actor == resource)


@pytest.mark.parametrize(("actor", "resource"), PAIRS)
def test_revocations_of_a_jti(client, tenants, actor, resource):
    token = issue(tenants[resource], f"u-jti-{actor}-{resource}-{time.monotonic_ns()}")
    jti = token_verify(token).principal.token_id
    response = post(
        client, "/api/v1/revocations", {"jti": jti}, secret_key=tenants[actor].secret_key
    )
    assert response.status_code == 201
    assert verifies(token) is (actor != resource)


@pytest.mark.parametrize(("actor", "resource"), PAIRS)
def test_revocations_of_a_subject(client, tenants, actor, resource):
    subject = f"u-sub-{actor}-{resource}-{time.monotonic_ns()}"
    token = issue(tenants[resource], subject)
    body = {"subject": subject, "issued_before": int(time.time()) + 1}
    response = post(client, "/api/v1/revocations", body, secret_key=tenants[actor].secret_key)
    assert response.status_code == 201
    assert verifies(token) is (actor != resource)


@pytest.mark.parametrize(("actor", "resource"), PAIRS)
def test_revocations_of_a_kid(client, tenants, actor, resource):
    jwk = json.loads(ECAlgorithm.to_jwk(ec.generate_private_key(ec.SECP256R1()).public_key()))
    key = signing_key_register_public(tenant=tenants[resource].tenant, jwk=jwk)
    response = post(
        client, "/api/v1/revocations", {"kid": key.kid}, secret_key=tenants[actor].secret_key
    )
    key.refresh_from_db()
    if actor != resource:
        assert_problem(response, 404, "key_not_found")
        assert key.revoked_at is None
    else:
        assert response.status_code == 201
        assert key.revoked_at is not None


@pytest.mark.parametrize(("actor", "resource"), PAIRS)
def test_keys_rotate(client, tenants, actor, resource):
    before = {slug: signing_key_current(tenant_id=c.tenant.id).kid for slug, c in tenants.items()}
    response = post(
        client,
        "/api/v1/keys/rotate",
        {},
        secret_key=tenants[actor].secret_key,
        HTTP_HOST=tenants[resource].domain,
    )
    after = {slug: signing_key_current(tenant_id=c.tenant.id).kid for slug, c in tenants.items()}
    if actor != resource:
        assert_problem(response, 403, "tenant_mismatch")
        assert after == before
        return
    assert response.status_code == 201
    assert after[actor] == response.json()["kid"] != before[actor]
    other = next(slug for slug in tenants if slug != actor)
    assert after[other] == before[other]


@pytest.mark.parametrize(("actor", "resource"), PAIRS)
def test_keys_list(client, tenants, actor, resource):
    response = client.get(
        "/api/v1/keys",
        HTTP_AUTHORIZATION=f"Bearer {tenants[actor].secret_key}",
        HTTP_HOST=tenants[resource].domain,
    )
    if actor != resource:
        assert_problem(response, 403, "tenant_mismatch")
        return
    listed = {key["kid"] for key in response.json()["keys"]}
    assert listed == set(
        SigningKey.objects.filter(tenant=tenants[actor].tenant).values_list("kid", flat=True)
    )


@pytest.mark.parametrize(("actor", "resource"), PAIRS)
def test_keys_register(client, tenants, actor, resource):
    private_key = ec.generate_private_key(ec.SECP256R1())
    jwk = json.loads(ECAlgorithm.to_jwk(private_key.public_key()))
    response = post(client, "/api/v1/keys", {"jwk": jwk}, secret_key=tenants[actor].secret_key)
    assert response.status_code == 201
    kid = response.json()["kid"]
    now = int(time.time())
    claims = {
        "iss": f"parlor:tenant:{resource}",
        "sub": "u-self-signed",
        "aud": "parlor:user",
        "iat": now,
        "exp": now + 60,
        "jti": f"self-{now}",
        "name": "N",
    }
    token = jwt.encode(claims, private_key, algorithm="ES256", headers={"kid": kid})
    assert verifies(token) is (actor == resource)
