"""Token claims: text that is not valid Unicode is never issued and never verifies."""

from __future__ import annotations

import time

import pytest

from parlor.base.db import in_public_schema
from parlor.base.errors import ValidationFailed
from parlor.base.identity import PrincipalKind
from tenants.claims import claims_validate
from tenants.keys import signing_key_current
from tenants.tokens import TokenError, token_issue, token_sign, token_verify

pytestmark = pytest.mark.usefixtures("live_db")


@pytest.mark.parametrize("field", ["subject", "name"])
def test_a_lone_surrogate_is_not_a_claim(field):
    values = {"subject": "u-1", "name": "Ada", field: "A\ud800"}
    with pytest.raises(ValidationFailed):
        claims_validate(**values)


async def test_token_issue_refuses_a_lone_surrogate_subject(tenant_alpha):
    with pytest.raises(ValidationFailed):
        await in_public_schema(
            token_issue,
            tenant=tenant_alpha.tenant,
            kind=PrincipalKind.VISITOR,
            subject="\ud800",
            name="Ada",
        )


@pytest.mark.parametrize("claim", ["sub", "name"])
async def test_a_signed_token_with_a_lone_surrogate_never_verifies(tenant_alpha, claim):
    tenant = tenant_alpha.tenant
    now = int(time.time())
    claims = {
        "iss": f"parlor:tenant:{tenant.slug}",
        "sub": "v-1",
        "aud": "parlor:visitor",
        "iat": now,
        "exp": now + 600,
        "jti": f"surrogate-{claim}-{now}",
        "name": "Ada",
    }
    claims[claim] = "x\ud800"
    key = await in_public_schema(signing_key_current, tenant_id=tenant.id)
    token = token_sign(key=key, claims=claims)
    with pytest.raises(TokenError):
        await in_public_schema(token_verify, token)
