"""Reply tokens: short, lowercase, verified by HMAC with the tenant inside, and expiring."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from parlor.followup.tokens import (
    ReplyTokenError,
    reply_address,
    reply_token_issue,
    reply_token_verify,
    unsubscribe_token_issue,
    unsubscribe_token_verify,
)

NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)


def address(tenant_id: int = 7, contact_id: int = 42, days: int = 30) -> str:
    token = reply_token_issue(
        tenant_id=tenant_id, contact_id=contact_id, expires_at=NOW + timedelta(days=days)
    )
    return reply_address(token=token, domain="reply.example")


def test_a_token_round_trips_and_fits_a_local_part():
    sent_to = address()
    local = sent_to.partition("@")[0]
    assert len(local) <= 64 and local == local.lower()
    target = reply_token_verify(sent_to, now=NOW)
    assert (target.tenant_id, target.contact_id) == (7, 42)
    # Mail systems may upper-case or bracket the address.
    assert reply_token_verify(f"<{sent_to.upper()}>", now=NOW) == target


def test_an_expired_token_is_refused():
    with pytest.raises(ReplyTokenError, match="expired"):
        reply_token_verify(address(days=30), now=NOW + timedelta(days=31))


@pytest.mark.parametrize(
    "forge",
    [
        lambda a: a.replace("reply+7-", "reply+8-"),  # another tenant
        lambda a: a.replace("-42-", "-43-"),  # another contact
        lambda a: a[:-20] + ("a" if a[-21] != "a" else "b") + a[-19:],  # one MAC character
    ],
)
def test_a_forged_token_is_refused(forge):
    forged = forge(address())
    assert forged != address()
    with pytest.raises(ReplyTokenError):
        reply_token_verify(forged, now=NOW)


@pytest.mark.parametrize(
    "sent_to", ["support@reply.example", "reply+@reply.example", "reply+1-2-3@reply.example"]
)
def test_addresses_without_a_token_are_refused(sent_to):
    with pytest.raises(ReplyTokenError):
        reply_token_verify(sent_to, now=NOW)


def test_unsubscribe_tokens_verify_and_forgeries_fail():
    token = unsubscribe_token_issue(tenant_id=3, contact_id=9)
    target = unsubscribe_token_verify(token)
    assert (target.tenant_id, target.contact_id) == (3, 9)
    with pytest.raises(ReplyTokenError):
        unsubscribe_token_verify(token[:-2] + "xx")
