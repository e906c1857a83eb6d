"""Tests of /api/v1/keys: listing, registering a public key, rotating with grace."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

from parlor.api.tests.helpers import assert_problem, post
from parlor.testing.tenants import scratch_tenant
from tenants.keys import signing_key_current
from tenants.models import SigningKey

pytestmark = pytest.mark.usefixtures("live_db")


@pytest.fixture(scope="module")
def rotating(django_db_setup, django_db_blocker):
    """A tenant whose keys this module may rotate."""
    with scratch_tenant("rotating", django_db_blocker) as created:
        yield created


def test_rotate_returns_the_new_kid_and_the_previous_keys_grace(client, rotating):
    previous = signing_key_current(tenant_id=rotating.tenant.id)
    response = post(
        client, "/api/v1/keys/rotate", {"grace_seconds": 120}, secret_key=rotating.secret_key
    )
    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["kid"] == signing_key_current(tenant_id=rotating.tenant.id).kid != previous.kid
    assert answer["algorithm"] == "HS256" and answer["current"] is True
    assert answer["previous"]["kid"] == previous.kid and answer["previous"]["verifies_until"]
    assert "secret" not in json.dumps(answer)


def test_rotate_with_an_empty_body_uses_the_default_grace(client, rotating):
    response = client.generic(
        "POST", "/api/v1/keys/rotate", b"", HTTP_AUTHORIZATION=f"Bearer {rotating.secret_key}"
    )
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("grace", [-1, 10**9, "soon"])
def test_rotate_with_a_bad_grace_changes_nothing(client, rotating, grace):
    current = signing_key_current(tenant_id=rotating.tenant.id)
    response = post(
        client, "/api/v1/keys/rotate", {"grace_seconds": grace}, secret_key=rotating.secret_key
    )
    assert response.status_code == 400
    assert signing_key_current(tenant_id=rotating.tenant.id) == current


def test_list_shows_kids_and_never_secrets(client, rotating):
    response = client.get("/api/v1/keys", HTTP_AUTHORIZATION=f"Bearer {rotating.secret_key}")
    assert response.status_code == 200
    keys = response.json()["keys"]
    stored = SigningKey.objects.filter(tenant=rotating.tenant)
    assert {key["kid"] for key in keys} == {key.kid for key in stored}
    assert sum(key["current"] for key in keys) == 1
    for key in stored:
        if key.secret:
            assert key.secret not in response.content.decode()


def test_register_a_public_key(client, rotating):
    jwk = json.loads(ECAlgorithm.to_jwk(ec.generate_private_key(ec.SECP256R1()).public_key()))
    response = post(client, "/api/v1/keys", {"jwk": jwk}, secret_key=rotating.secret_key)
    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["algorithm"] == "ES256" and answer["current"] is False
    assert (
        SigningKey.objects.get(tenant=rotating.tenant, kid=answer["kid"]).public_jwk["x"]
        == jwk["x"]
    )


def test_register_a_private_key_is_refused(client, rotating):
    private = ec.generate_private_key(ec.SECP256R1())
    jwk = json.loads(ECAlgorithm.to_jwk(private, as_dict=False))
    response = post(client, "/api/v1/keys", {"jwk": jwk}, secret_key=rotating.secret_key)
    problem = assert_problem(response, 400, "jwk_private")
    assert jwk["d"] not in problem["detail"]
