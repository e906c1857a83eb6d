"""A socket's authentication over its lifetime: token refresh, expiry and revocation events."""

from __future__ import annotations

import time

from parlor.base.db import in_public_schema
from parlor.base.events import AuthRevoked
from parlor.base.identity import Principal
from tenants.tokens import TokenError, token_verify


class SocketAuth:
    """Holds the principal of one socket; refreshes it and recognises its revocation."""

    __slots__ = ("principal",)  # one per socket: no instance dict (issue 11, idle memory)

    def __init__(self, principal: Principal) -> None:
        self.principal = principal

    async def refresh(self, token: str) -> Principal:
        """Verify `token` for this socket (same tenant, kind and subject) and adopt it."""
        current = self.principal
        try:
            verified = await in_public_schema(token_verify, token, kinds=frozenset({current.kind}))
        except TokenError as error:
            raise TokenError(error.detail, code="token_invalid") from None
        principal = verified.principal
        if principal.tenant.id != current.tenant.id or principal.subject != current.subject:
            raise TokenError("the token is for another tenant or subject.", code="token_invalid")
        self.principal = principal
        return principal

    def seconds_until_expiry(self) -> float:
        """Return the seconds until the current token expires (0 once it has)."""
        return max(0.0, self.principal.expires_at - time.time())

    def revoked_by(self, event: AuthRevoked) -> bool:
        """Return whether the revocation `event` covers this socket's current token."""
        principal = self.principal
        if event.tenant_id != principal.tenant.id:
            return False
        if event.suspended:
            return True
        if event.jti and event.jti == principal.token_id:
            return True
        if event.kid and event.kid == principal.key_id:
            return True
        issued_before = event.issued_before
        return (
            bool(event.subject)
            and event.subject == principal.subject
            and isinstance(issued_before, int | float)
            and principal.issued_at < issued_before
        )
