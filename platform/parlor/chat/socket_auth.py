"""The consumer's handle on its token: the auth layer's SocketAuth, or a stand-in until it lands."""

from __future__ import annotations

import time
from typing import Any

from parlor.errors import ApplicationError
from parlor.realtime.principal import Principal


def socket_auth_for(principal: Principal) -> Any:
    """Return the SocketAuth (docs: CONTEXT contract) that tracks this socket's token."""
    try:
        from parlor.realtime.auth_session import SocketAuth
    except ImportError:  # the auth branch is not merged yet
        return ScopeOnlyAuth(principal)
    return SocketAuth(principal)


class ScopeOnlyAuth:
    """Stand-in for SocketAuth: expiry from the principal; refresh and revocation unsupported."""

    def __init__(self, principal: Principal) -> None:
        self.principal = principal

    async def refresh(self, token: str) -> Principal:
        """Refuse: without the auth layer no new token can be verified."""
        raise ApplicationError("token refresh is not available.", code="token_invalid")

    def seconds_until_expiry(self) -> float:
        """Return the seconds until the token's `exp`."""
        return self.principal.expires_at - time.time()

    def revoked_by(self, event: dict) -> bool:
        """Return False: revocation events need the auth layer to be read."""
        return False
