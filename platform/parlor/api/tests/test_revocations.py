"""Tests of POST /api/v1/revocations: revoke a jti, a key or a subject's older tokens."""

from __future__ import annotations

import time

import pytest

from parlor.api.tests.helpers import assert_problem, post
from parlor.base.identity import PrincipalKind
from tenants.keys import signing_key_current
from tenants.models import Revocation
from tenants.services import tenant_create, tenant_delete
from tenants.tokens import TokenError, token_issue, token_verify

pytestmark = pytest.mark.usefixtures("live_db")
PATH = "/api/v1/revocations"


def issue(tenant, subject="u-rev") -> str:
    return token_issue(tenant=tenant, kind=PrincipalKind.USER, subject=subject, name="N").token


def assert_revoked(token: str) -> None:
    with pytest.raises(TokenError) as caught:
        token_verify(token)
    assert caught.value.code == "token_revoked"


def test_revoking_a_jti(client, tenant_alpha):
    token = issue(tenant_alpha.tenant)
    jti = token_verify(token).principal.token_id
    response = post(client, PATH, {"jti": jti}, secret_key=tenant_alpha.secret_key)
    assert response.status_code == 201 and response.json() == {"revoked": "jti", "jti": jti}
    assert_revoked(token)
    token_verify(issue(tenant_alpha.tenant))


def test_revoking_a_subjects_tokens_issued_before(client, tenant_alpha):
    old = issue(tenant_alpha.tenant, subject="u-before")
    other = issue(tenant_alpha.tenant, subject="u-unrelated")
    before = int(time.time()) + 1
    body = {"subject": "u-before", "issued_before": before}
    response = post(client, PATH, body, secret_key=tenant_alpha.secret_key)
    assert response.status_code == 201, response.content
    assert response.json()["revoked"] == "subject"
    assert_revoked(old)
    token_verify(other)


def test_revoking_a_key(client, django_db_blocker):
    created = tenant_create(slug="revokes_key", name="R", domain="revokes-key.localhost")
    try:
        token = issue(created.tenant)
        kid = signing_key_current(tenant_id=created.tenant.id).kid
        response = post(client, PATH, {"kid": kid}, secret_key=created.secret_key)
        assert response.status_code == 201, response.content
        assert_revoked(token)
        token_verify(issue(created.tenant))
    finally:
        tenant_delete(slug="revokes_key")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({}, 400, "invalid_form"),
        ({"jti": "a", "kid": "b"}, 400, "invalid_form"),
        ({"issued_before": 1}, 400, "invalid_form"),
        ({"jti": "a/b"}, 400, "invalid_jti"),
        ({"jti": 5}, 400, "invalid_jti"),
        ({"kid": "no-such-kid"}, 404, "key_not_found"),
        ({"kid": ""}, 400, "invalid_kid"),
        ({"subject": ""}, 400, "invalid_subject"),
        ({"subject": "u", "issued_before": 2**62}, 400, "invalid_time"),
        ({"subject": "u", "issued_before": int(time.time()) + 3600}, 400, "invalid_time"),
        ({"subject": "u", "issued_before": "yesterday"}, 400, "invalid_field"),
    ],
)
def test_bad_revocations_are_refused_and_store_nothing(client, tenant_alpha, body, status, code):
    before = Revocation.objects.count()
    response = post(client, PATH, body, secret_key=tenant_alpha.secret_key)
    assert_problem(response, status, code)
    assert Revocation.objects.count() == before
