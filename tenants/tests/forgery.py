"""Test support: build tokens by hand, the way an attacker would, with any header and claims."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

from tenants.keys import hmac_secret_decode, signing_key_current
from tenants.models import Tenant


def b64(data: bytes) -> str:
    """Return `data` as unpadded base64url."""
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def segment(value: object) -> str:
    """Return `value` as a JSON base64url token segment."""
    return b64(json.dumps(value).encode())


def hs256(header: dict, claims: dict, secret: bytes) -> str:
    """Return a token with exactly `header` and `claims`, HMAC-SHA256-signed with `secret`."""
    signing_input = f"{segment(header)}.{segment(claims)}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def claims(tenant: Tenant, *, kind: str = "user", **overrides) -> dict:
    """Return valid claims for `tenant`, with `overrides` applied (None removes a claim)."""
    now = int(time.time())
    values = {
        "iss": f"parlor:tenant:{tenant.slug}",
        "sub": "u-forged",
        "aud": f"parlor:{kind}",
        "iat": now,
        "exp": now + 300,
        "jti": f"jti-{time.monotonic_ns()}",
        "name": "Mallory",
    }
    values.update(overrides)
    return {name: value for name, value in values.items() if value is not None}


def signed_by_tenant(tenant: Tenant, claims_: dict, **header) -> str:
    """Return `claims_` signed with the tenant's real current key (header overridable)."""
    key = signing_key_current(tenant_id=tenant.id)
    return hs256(
        {"alg": "HS256", "kid": key.kid, "typ": "JWT", **header}, claims_, hmac_secret_decode(key)
    )
