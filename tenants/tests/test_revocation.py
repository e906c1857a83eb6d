"""Tests of revocation checks through the per-process cache: exact here, bounded elsewhere."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from parlor.base.identity import PrincipalKind
from parlor.testing.tenants import scratch_tenant
from tenants import revocation
from tenants.cache import CacheMiss, cache_only
from tenants.revocation import (
    REVOCATION_HORIZON,
    TENANT_REVOCATIONS,
    jti_revoke,
    subject_revoke,
    tenant_revocations_load,
)
from tenants.tests.forgery import claims, signed_by_tenant
from tenants.tokens import TokenError, token_issue, token_verify

pytestmark = pytest.mark.usefixtures("live_db")


@pytest.fixture(scope="module")
def revoker(django_db_setup, django_db_blocker):
    """A tenant of its own, so counting its revocations sees no other test's."""
    with scratch_tenant("revoker", django_db_blocker) as created:
        yield created.tenant


def issue(tenant, subject: str) -> str:
    return token_issue(tenant=tenant, kind=PrincipalKind.USER, subject=subject, name="N").token


def unique(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(6)}"


def assert_revoked(token: str) -> None:
    with pytest.raises(TokenError) as caught:
        token_verify(token)
    assert caught.value.code == "token_revoked"


def insert_elsewhere(tenant_id: int, *, jti="", subject="", issued_before=None, age=None) -> None:
    """Write a revocation as another server process would: no signal reaches this process."""
    created_at = timezone.now() - (age or timedelta(0))
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO public.tenants_revocation (tenant_id, jti, subject, issued_before,"
            " created_at) VALUES (%s, %s, %s, %s, %s)",
            [tenant_id, jti, subject, issued_before, created_at],
        )


def test_a_jti_revoked_in_this_process_is_refused_by_the_very_next_check(auth_clock, tenant_alpha):
    token = issue(tenant_alpha.tenant, unique("u"))
    principal = token_verify(token).principal  # now cached
    jti_revoke(tenant=tenant_alpha.tenant, jti=principal.token_id)
    assert_revoked(token)


def test_a_subject_revoked_in_this_process_is_refused_by_the_very_next_check(
    auth_clock, tenant_alpha
):
    subject = unique("u")
    token = issue(tenant_alpha.tenant, subject)
    token_verify(token)
    subject_revoke(tenant=tenant_alpha.tenant, subject=subject, issued_before=timezone.now())
    assert_revoked(token)


def test_a_jti_revoked_by_another_process_is_refused_after_the_bound(auth_clock, tenant_alpha):
    token = issue(tenant_alpha.tenant, unique("u"))
    jti = token_verify(token).principal.token_id
    insert_elsewhere(tenant_alpha.tenant.id, jti=jti)
    token_verify(token)  # this process has not heard yet: the cached answer is fresh enough
    auth_clock.past_the_bound()
    assert_revoked(token)


def test_a_subject_revoked_by_another_process_is_refused_after_the_bound(auth_clock, tenant_alpha):
    subject = unique("u")
    token = issue(tenant_alpha.tenant, subject)
    token_verify(token)
    insert_elsewhere(
        tenant_alpha.tenant.id, subject=subject, issued_before=timezone.now() + timedelta(seconds=1)
    )
    auth_clock.past_the_bound()
    assert_revoked(token)


def test_one_tenants_revocation_never_refuses_another_tenants_token(
    auth_clock, tenant_alpha, tenant_bravo
):
    jti, subject = unique("jti"), unique("u")
    alpha_token = signed_by_tenant(tenant_alpha.tenant, claims(tenant_alpha.tenant, jti=jti))
    token_verify(alpha_token)
    jti_revoke(tenant=tenant_bravo.tenant, jti=jti)
    subject_revoke(tenant=tenant_bravo.tenant, subject="u-forged")
    assert token_verify(alpha_token).principal.token_id == jti
    bravo_token = issue(tenant_bravo.tenant, subject)
    subject_revoke(tenant=tenant_alpha.tenant, subject=subject)
    token_verify(bravo_token)


def test_a_tenant_over_the_cache_limit_is_checked_in_the_database(auth_clock, revoker, monkeypatch):
    monkeypatch.setattr(revocation, "MAX_CACHED_REVOCATIONS", 2)
    revoked = [issue(revoker, unique("u")) for _ in range(3)]
    for token in revoked:
        jti_revoke(tenant=revoker, jti=token_verify(token).principal.token_id)
    snapshot = tenant_revocations_load(tenant_id=revoker.id)
    assert not snapshot.complete and len(snapshot.jtis) <= 3
    for token in revoked:
        assert_revoked(token)
    fine = issue(revoker, unique("u"))
    token_verify(fine)
    with cache_only(), pytest.raises(CacheMiss):
        token_verify(fine)


def test_revocations_past_the_horizon_are_not_loaded(auth_clock, revoker):
    old_jti, new_jti, old_subject = unique("old"), unique("new"), unique("u")
    past = REVOCATION_HORIZON + timedelta(minutes=1)
    insert_elsewhere(revoker.id, jti=old_jti, age=past)
    insert_elsewhere(revoker.id, subject=old_subject, issued_before=timezone.now() - past)
    insert_elsewhere(revoker.id, jti=new_jti)
    snapshot = tenant_revocations_load(tenant_id=revoker.id)
    assert new_jti in snapshot.jtis and old_jti not in snapshot.jtis
    assert old_subject not in snapshot.subjects_before


def test_the_revocation_cache_holds_one_entry_per_tenant(auth_clock, tenant_alpha, tenant_bravo):
    for _ in range(20):
        token_verify(issue(tenant_alpha.tenant, unique("u")))
        token_verify(issue(tenant_bravo.tenant, unique("u")))
    assert len(TENANT_REVOCATIONS) == 2
