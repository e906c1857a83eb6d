"""Tests of /api/v1/token-lifetimes: a tenant reads and lowers its token lifetime caps."""

from __future__ import annotations

import json

import pytest

from parlor.api.tests.helpers import assert_problem
from parlor.base.identity import PrincipalKind
from parlor.testing.tenants import scratch_tenant
from tenants.models import Tenant
from tenants.tokens import token_issue, token_verify

pytestmark = pytest.mark.usefixtures("live_db")
PATH = "/api/v1/token-lifetimes"


@pytest.fixture(scope="module")
def capping(django_db_setup, django_db_blocker):
    """A tenant whose caps this module may change."""
    with scratch_tenant("capping", django_db_blocker) as created:
        yield created


def put(client, body, secret_key):
    data = body if isinstance(body, str) else json.dumps(body)
    return client.put(
        PATH, data, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret_key}"
    )


def test_get_shows_the_platform_maxima_when_no_cap_is_set(client, capping):
    response = client.get(PATH, HTTP_AUTHORIZATION=f"Bearer {capping.secret_key}")
    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["caps"] == {}
    assert answer["effective"] == answer["platform_max"]
    assert set(answer["effective"]) == {"visitor", "user", "agent"}


def test_put_lowers_the_cap_and_new_tokens_follow_it(client, capping):
    response = put(client, {"caps": {"user": 300}}, capping.secret_key)
    assert response.status_code == 200, response.content
    assert response.json()["caps"] == {"user": 300}
    assert response.json()["effective"]["user"] == 300
    tenant = Tenant.objects.get(pk=capping.tenant.pk)
    issued = token_issue(tenant=tenant, kind=PrincipalKind.USER, subject="u-1", name="N")
    principal = token_verify(issued.token).principal
    assert principal.expires_at - principal.issued_at == 300
    assert put(client, {"caps": {}}, capping.secret_key).json()["caps"] == {}


@pytest.mark.parametrize(
    "caps",
    [{"user": 10**9}, {"user": 1}, {"owner": 60}, {"user": "600"}, {"user": True}, ["user"]],
)
def test_a_cap_out_of_bounds_is_refused_and_changes_nothing(client, capping, caps):
    put(client, {"caps": {"visitor": 120}}, capping.secret_key)
    assert_problem(put(client, {"caps": caps}, capping.secret_key), 400, "invalid")
    assert Tenant.objects.get(pk=capping.tenant.pk).token_lifetime_caps == {"visitor": 120}


def test_another_tenants_key_cannot_read_or_set_them(client, capping, tenant_bravo):
    response = client.put(
        PATH,
        json.dumps({"caps": {"user": 60}}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {tenant_bravo.secret_key}",
        HTTP_HOST=capping.domain,
    )
    assert_problem(response, 403, "tenant_mismatch")
    assert "user" not in Tenant.objects.get(pk=capping.tenant.pk).token_lifetime_caps


def test_without_a_secret_key_nothing_is_shown(client):
    assert_problem(client.get(PATH), 401, "unauthenticated")
