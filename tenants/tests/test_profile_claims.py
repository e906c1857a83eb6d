"""A user token's profile claims: `email` and `attributes`, strict when issued, safe when read."""

from __future__ import annotations

import math
import time

import pytest

from parlor.base.errors import ValidationFailed
from parlor.base.identity import PrincipalKind
from tenants.claims import attributes_claim_validate, attributes_read, email_is_valid
from tenants.keys import signing_key_current
from tenants.tokens import token_issue, token_sign, token_verify


@pytest.mark.parametrize(
    "email, valid",
    [
        ("ana@example.com", True),
        ("not an address", False),
        ("a@b@c", False),
        ("", False),
        ("x" * 250 + "@e.co", False),
        ("ana@example.com\n", False),
        (5, False),
    ],
)
def test_email(email, valid):
    assert email_is_valid(email) is valid


def test_attributes_are_sorted_pairs_of_plain_values():
    assert attributes_claim_validate({"seats": 3, "plan": "pro", "vip": True}) == (
        ("plan", "pro"),
        ("seats", 3),
        ("vip", True),
    )


@pytest.mark.parametrize(
    "attributes",
    [
        {"nested": {"a": 1}},
        {"list": [1]},
        {"1starts-with-digit": 1},
        {"has space": 1},
        {"x" * 41: 1},
        {"text": "y" * 257},
        {"nan": math.nan},
        {f"k{n}": n for n in range(26)},
        ["not", "an", "object"],
    ],
)
def test_bad_attributes_are_refused_when_issued(attributes):
    with pytest.raises(ValidationFailed):
        attributes_claim_validate(attributes)


def test_reading_drops_bad_entries_and_keeps_good_ones():
    assert attributes_read({"ok": 1, "bad name": 2, "deep": {"x": 1}}) == (("ok", 1),)
    assert attributes_read("not a dict") == ()


@pytest.mark.usefixtures("live_db")
def test_a_self_signed_token_with_malformed_profile_claims_still_verifies_without_them(
    tenant_alpha,
):
    tenant = tenant_alpha.tenant
    now = int(time.time())
    claims = {
        "iss": f"parlor:tenant:{tenant.slug}",
        "sub": "u-claims",
        "aud": "parlor:user",
        "iat": now,
        "exp": now + 600,
        "jti": f"profile-claims-{now}",
        "name": "Ada",
        "email": "not an address",
        "attributes": {"plan": "pro", "bad key": 1},
    }
    token = token_sign(key=signing_key_current(tenant_id=tenant.id), claims=claims)
    principal = token_verify(token).principal
    assert principal.email == "" and principal.attributes == (("plan", "pro"),)


@pytest.mark.usefixtures("live_db")
def test_issued_profile_claims_round_trip(tenant_alpha):
    issued = token_issue(
        tenant=tenant_alpha.tenant,
        kind=PrincipalKind.USER,
        subject="u-round",
        name="Ada",
        email="ada@example.com",
        attributes={"plan": "pro"},
    )
    principal = token_verify(issued.token).principal
    assert principal.email == "ada@example.com" and principal.attributes == (("plan", "pro"),)
