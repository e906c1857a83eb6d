"""Tests of the verified-token cache: a repeat skips the cryptography, never the revocation."""

from __future__ import annotations

import time
import uuid

import pytest

from parlor.base.identity import PrincipalKind
from tenants.revocation import jti_revoke, subject_revoke
from tenants.tokens import (
    LEEWAY_SECONDS,
    VERIFIED_CLAIMS,
    TokenError,
    VerifiedClaims,
    token_header_parse,
    token_issue,
    token_verify,
)

pytestmark = pytest.mark.usefixtures("live_db")


def _issue(tenant_alpha, subject: str | None = None) -> str:
    subject = subject or f"v-{uuid.uuid4().hex[:12]}"
    issued = token_issue(
        tenant=tenant_alpha.tenant, kind=PrincipalKind.VISITOR, subject=subject, name="Ada"
    )
    return issued.token


def _no_cryptography(monkeypatch) -> None:
    def forbidden(*args, **kwargs):
        raise AssertionError("jwt.decode was reached")

    monkeypatch.setattr("tenants.tokens.jwt.decode", forbidden)


def test_a_token_seen_before_verifies_without_its_signature_checked_again(
    tenant_alpha, monkeypatch
):
    token = _issue(tenant_alpha)
    first = token_verify(token)
    _no_cryptography(monkeypatch)
    again = token_verify(token)
    assert again.principal == first.principal and again.tenant.id == tenant_alpha.tenant.id


def test_a_cached_token_is_refused_once_its_jti_is_revoked(tenant_alpha, monkeypatch):
    token = _issue(tenant_alpha)
    principal = token_verify(token).principal
    _no_cryptography(monkeypatch)
    jti_revoke(tenant=tenant_alpha.tenant, jti=principal.token_id)
    with pytest.raises(TokenError) as caught:
        token_verify(token)
    assert caught.value.code == "token_revoked"


def test_a_cached_token_is_refused_once_its_subject_is_revoked(tenant_alpha, monkeypatch):
    token = _issue(tenant_alpha)
    principal = token_verify(token).principal
    _no_cryptography(monkeypatch)
    subject_revoke(tenant=tenant_alpha.tenant, subject=principal.subject)
    with pytest.raises(TokenError) as caught:
        token_verify(token)
    assert caught.value.code == "token_revoked"


def test_a_cached_token_is_still_checked_for_its_kind(tenant_alpha):
    token = _issue(tenant_alpha)
    token_verify(token)
    with pytest.raises(TokenError):
        token_verify(token, kinds=frozenset({PrincipalKind.AGENT}))


def test_a_token_differing_by_one_character_is_verified_in_full(tenant_alpha):
    token = _issue(tenant_alpha)
    token_verify(token)
    last = token[-1]
    forged = token[:-1] + ("A" if last != "A" else "B")
    with pytest.raises(TokenError):
        token_verify(forged)


def test_an_entry_is_dropped_after_its_token_expires_and_the_oldest_goes_when_full(
    tenant_alpha,
):
    header = token_header_parse(_issue(tenant_alpha))
    cache = VerifiedClaims(max_entries=2)
    now = time.time()
    cache.put(b"a", header, 1, {"exp": now + 60})
    assert cache.get(b"a", now=now) is not None
    assert cache.get(b"a", now=now + 61 + LEEWAY_SECONDS) is None
    assert b"a" not in cache.entries
    for digest in (b"x", b"y", b"z"):
        cache.put(digest, header, 1, {"exp": now + 60})
    assert list(cache.entries) == [b"y", b"z"]


def test_the_process_cache_is_bounded():
    assert 0 < VERIFIED_CLAIMS.max_entries <= 100_000
