"""Tests of POST /api/v1/tokens: the tenant's server gets user and agent tokens."""

from __future__ import annotations

from datetime import datetime

import pytest

from parlor.api.tests.helpers import assert_problem, post
from parlor.base.identity import PrincipalKind
from tenants.models import ApiKey
from tenants.tokens import token_verify

pytestmark = pytest.mark.usefixtures("live_db")
PATH = "/api/v1/tokens"


def test_user_token_is_issued_for_the_keys_tenant(client, tenant_alpha):
    body = {"user_id": "u-42", "name": "Ada", "rooms": ["support"], "ttl": 600}
    response = post(client, PATH, body, secret_key=tenant_alpha.secret_key)
    assert response.status_code == 201, response.content
    answer = response.json()
    assert set(answer) == {"token", "expires_at"}
    principal = token_verify(answer["token"]).principal
    assert principal.kind is PrincipalKind.USER and principal.tenant.slug == "alpha"
    assert (principal.subject, principal.name, principal.rooms) == ("u-42", "Ada", ("support",))
    assert principal.expires_at - principal.issued_at == 600
    expires_at = datetime.fromisoformat(answer["expires_at"].replace("Z", "+00:00"))
    assert int(expires_at.timestamp()) == principal.expires_at


def test_agent_token_on_request(client, tenant_alpha):
    body = {"user_id": "staff-1", "name": "Grace", "kind": "agent"}
    response = post(client, PATH, body, secret_key=tenant_alpha.secret_key)
    assert response.status_code == 201, response.content
    principal = token_verify(response.json()["token"]).principal
    assert principal.kind is PrincipalKind.AGENT
    assert principal.expires_at - principal.issued_at == 900


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"name": "n"}, "invalid_subject"),
        ({"user_id": "u"}, "invalid_name"),
        ({"user_id": 42, "name": "n"}, "invalid_subject"),
        ({"user_id": "u", "name": "n", "kind": "visitor"}, "invalid_kind"),
        ({"user_id": "u", "name": "n", "kind": "admin"}, "invalid_kind"),
        ({"user_id": "u", "name": "n", "ttl": 999999}, "ttl_out_of_range"),
        ({"user_id": "u", "name": "n", "ttl": "60"}, "invalid_field"),
        ({"user_id": "u", "name": "n", "rooms": ["a b"]}, "invalid_rooms"),
        ({"user_id": "u", "name": "n", "tenant": "bravo"}, "unknown_field"),
    ],
)
def test_bad_bodies_are_refused_with_a_code(client, tenant_alpha, body, code):
    assert_problem(post(client, PATH, body, secret_key=tenant_alpha.secret_key), 400, code)


@pytest.mark.parametrize(
    "authorization",
    [
        "",
        "Bearer",
        "Bearer sk_wrong",
        "Basic c2s6",
        "Bearer pk_publishable",
        "Bearer sk_" + "x" * 500,
    ],
)
def test_bad_secret_keys_are_refused(client, authorization, tenant_alpha):
    response = client.post(
        PATH,
        {"user_id": "u", "name": "n"},
        content_type="application/json",
        HTTP_AUTHORIZATION=authorization,
    )
    problem = assert_problem(response, 401, "unauthenticated")
    assert "sk_wrong" not in problem["detail"]


def test_publishable_key_cannot_issue_tokens(client, tenant_alpha):
    response = post(
        client, PATH, {"user_id": "u", "name": "n"}, secret_key=tenant_alpha.tenant.publishable_key
    )
    assert_problem(response, 401, "unauthenticated")


def test_revoked_api_key_is_refused(client, tenant_alpha):
    from django.utils import timezone

    from tenants.api_keys import secret_key_generate, secret_key_hash

    secret = secret_key_generate()
    ApiKey.objects.create(
        tenant=tenant_alpha.tenant,
        prefix=secret[:8],
        key_hash=secret_key_hash(secret),
        revoked_at=timezone.now(),
    )
    assert_problem(
        post(client, PATH, {"user_id": "u", "name": "n"}, secret_key=secret), 401, "unauthenticated"
    )
