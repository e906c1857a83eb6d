"""Tests of SocketAuth: refresh rules, expiry countdown and recognising revocation events."""

from __future__ import annotations

import dataclasses
import time

import pytest

from parlor.base.db import in_public_schema
from parlor.base.identity import PrincipalKind
from parlor.realtime.auth_session import SocketAuth
from tenants.revocation import revoked_event
from tenants.tokens import TokenError, token_issue, token_verify

pytestmark = pytest.mark.usefixtures("live_db")


async def principal_for(tenant, kind=PrincipalKind.USER, subject="u-session", **kwargs):
    issued = await in_public_schema(
        token_issue, tenant=tenant, kind=kind, subject=subject, name="Ada", **kwargs
    )
    return issued.token, (await in_public_schema(token_verify, issued.token)).principal


async def test_refresh_adopts_a_new_token_of_the_same_subject(tenant_alpha):
    _, principal = await principal_for(tenant_alpha.tenant)
    auth = SocketAuth(principal)
    token, _ = await principal_for(tenant_alpha.tenant, rooms=["new-room"])
    refreshed = await auth.refresh(token)
    assert auth.principal is refreshed
    assert refreshed.rooms == ("new-room",) and refreshed.token_id != principal.token_id


@pytest.mark.parametrize(
    "change",
    [
        {"subject": "someone-else"},
        {"kind": PrincipalKind.AGENT},
        {"kind": PrincipalKind.VISITOR},
        {"tenant": "bravo"},
    ],
)
async def test_refresh_refuses_another_subject_kind_or_tenant(tenant_alpha, tenant_bravo, change):
    _, principal = await principal_for(tenant_alpha.tenant)
    auth = SocketAuth(principal)
    tenant = tenant_bravo.tenant if change.get("tenant") else tenant_alpha.tenant
    token, _ = await principal_for(
        tenant,
        kind=change.get("kind", PrincipalKind.USER),
        subject=change.get("subject", "u-session"),
    )
    with pytest.raises(TokenError) as caught:
        await auth.refresh(token)
    assert caught.value.code == "token_invalid"
    assert auth.principal is principal


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c", None])
async def test_refresh_with_a_bad_token_is_token_invalid(tenant_alpha, token):
    _, principal = await principal_for(tenant_alpha.tenant)
    auth = SocketAuth(principal)
    with pytest.raises(TokenError) as caught:
        await auth.refresh(token)
    assert caught.value.code == "token_invalid"
    assert auth.principal is principal


def test_seconds_until_expiry_counts_down_to_zero(tenant_alpha):
    principal = _principal(tenant_alpha, expires_at=int(time.time()) + 100)
    assert 98 < SocketAuth(principal).seconds_until_expiry() <= 100
    expired = _principal(tenant_alpha, expires_at=int(time.time()) - 5)
    assert SocketAuth(expired).seconds_until_expiry() == 0.0


def test_revoked_by_matches_jti_kid_and_older_tokens_of_the_subject(tenant_alpha):
    principal = _principal(tenant_alpha, expires_at=int(time.time()) + 100)
    auth = SocketAuth(principal)
    tenant_id = principal.tenant.id
    assert auth.revoked_by(revoked_event(tenant_id, jti=principal.token_id))
    assert auth.revoked_by(revoked_event(tenant_id, kid=principal.key_id))
    assert auth.revoked_by(
        revoked_event(tenant_id, subject=principal.subject, issued_before=principal.issued_at + 1)
    )


def test_revoked_by_ignores_other_tokens_subjects_newer_tokens_and_tenants(tenant_alpha):
    principal = _principal(tenant_alpha, expires_at=int(time.time()) + 100)
    auth = SocketAuth(principal)
    tenant_id = principal.tenant.id
    assert not auth.revoked_by(revoked_event(tenant_id, jti="another-jti"))
    assert not auth.revoked_by(revoked_event(tenant_id, kid="another-kid"))
    assert not auth.revoked_by(revoked_event(tenant_id, subject="other", issued_before=2e9))
    assert not auth.revoked_by(
        revoked_event(tenant_id, subject=principal.subject, issued_before=principal.issued_at)
    )
    assert not auth.revoked_by(revoked_event(tenant_id + 1, jti=principal.token_id))
    assert not auth.revoked_by(revoked_event(tenant_id))


def _principal(created, *, expires_at: int):
    token = token_issue(
        tenant=created.tenant, kind=PrincipalKind.USER, subject="u-sync", name="Ada"
    ).token
    principal = token_verify(token).principal
    return dataclasses.replace(principal, expires_at=expires_at)
