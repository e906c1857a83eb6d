"""Dashboard login attempts, throttled per account and per client address (issue 9, item 6).

Parlor's own token buckets (parlor.throttle), not django-axes: they already live in Redis, shared
by every process, with settings and a 429 answer of their own; axes would add tables to every
tenant schema and a lockout state to clear by hand. Every attempt counts, before any password
is checked, and the account key is the submitted username whether or not it exists: the answer
is the same for an account that exists and one that does not.
"""

from __future__ import annotations

import hashlib

from django.http import HttpRequest

from parlor.base.addresses import client_address
from parlor.throttle import rule_from_settings, throttle

DETAIL = "too many login attempts"
RESET_DETAIL = "too many password reset requests"


def login_attempt_throttle(*, request: HttpRequest, username: str) -> None:
    """Spend one attempt of this account and of this address, or raise RateLimited."""
    throttle(
        rule=rule_from_settings("login_address"),
        key=client_address(
            peer=request.META.get("REMOTE_ADDR"),
            forwarded_for=request.META.get("HTTP_X_FORWARDED_FOR"),
        ),
        detail=DETAIL,
    )
    throttle(
        rule=rule_from_settings("login_account"),
        key=f"{request.tenant.id}:{_account_key(username)}",
        detail=DETAIL,
    )


def password_reset_throttle(*, request: HttpRequest, email: str) -> None:
    """Spend one attempt of this address and of the submitted email, or raise RateLimited.

    The same buckets' rules as logins, with the email's own key: counted before any lookup,
    so a known address and an unknown one are throttled alike.
    """
    throttle(
        rule=rule_from_settings("login_address"),
        key=client_address(
            peer=request.META.get("REMOTE_ADDR"),
            forwarded_for=request.META.get("HTTP_X_FORWARDED_FOR"),
        ),
        detail=RESET_DETAIL,
    )
    throttle(
        rule=rule_from_settings("login_account"),
        key=f"{request.tenant.id}:reset:{_account_key(email)}",
        detail=RESET_DETAIL,
    )


def _account_key(username: str) -> str:
    # Hashed: any text a client types becomes a short, fixed-alphabet key.
    normalised = username.strip().casefold()[:200]
    return hashlib.sha256(normalised.encode("utf-8", "replace")).hexdigest()[:32]
