"""Tests of token lifetimes: short defaults, tenant caps that lower but never raise the maxima."""

from __future__ import annotations

import time

import pytest

from parlor.base.errors import ValidationFailed
from parlor.base.identity import PrincipalKind
from tenants.lifetimes import PLATFORM_MAX_TTL
from tenants.services import tenant_token_lifetime_caps_set
from tenants.tests.forgery import claims, signed_by_tenant
from tenants.tokens import TokenError, token_issue, token_verify

pytestmark = pytest.mark.usefixtures("live_db")


@pytest.fixture
def capped(tenant_bravo):
    tenant = tenant_bravo.tenant
    tenant_token_lifetime_caps_set(tenant=tenant, caps={"user": 600, "visitor": 60})
    yield tenant
    tenant_token_lifetime_caps_set(tenant=tenant, caps={})


def test_cap_shortens_the_default_and_bounds_the_request(capped):
    user = token_issue(tenant=capped, kind=PrincipalKind.USER, subject="u", name="N")
    principal = token_verify(user.token).principal
    assert principal.expires_at - principal.issued_at == 600
    with pytest.raises(ValidationFailed, match="600"):
        token_issue(tenant=capped, kind=PrincipalKind.USER, subject="u", name="N", ttl=601)
    agent = token_verify(
        token_issue(tenant=capped, kind=PrincipalKind.AGENT, subject="a", name="N").token
    ).principal
    assert agent.expires_at - agent.issued_at == 900


def test_cap_binds_tokens_a_tenant_signs_itself(capped):
    now = int(time.time())
    token = signed_by_tenant(capped, claims(capped, iat=now, exp=now + 601))
    with pytest.raises(TokenError, match="lifetime"):
        token_verify(token)


@pytest.mark.parametrize(
    "caps",
    [
        {"user": PLATFORM_MAX_TTL[PrincipalKind.USER] + 1},
        {"user": 5},
        {"admin": 60},
        {"user": "600"},
        {"user": True},
        ["user"],
    ],
)
def test_caps_outside_the_platform_bounds_are_refused(tenant_bravo, caps):
    before = tenant_bravo.tenant.token_lifetime_caps
    with pytest.raises(ValidationFailed):
        tenant_token_lifetime_caps_set(tenant=tenant_bravo.tenant, caps=caps)
    tenant_bravo.tenant.refresh_from_db()
    assert tenant_bravo.tenant.token_lifetime_caps == before
