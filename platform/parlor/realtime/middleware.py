"""Authenticates every WebSocket before the consumer sees it: token, tenant, Origin and Host."""

from __future__ import annotations

import logging

from parlor.base.errors import ApplicationError, PermissionDenied
from parlor.realtime.protocol import (
    CLOSE_FORBIDDEN,
    CLOSE_TOKEN_INVALID,
    SUBPROTOCOL,
    TOKEN_SUBPROTOCOL_PREFIX,
)
from tenants.authentication import socket_authenticate
from tenants.cache import cached_first
from tenants.tokens import REFRESHABLE_CODES, TokenError

logger = logging.getLogger(__name__)
SUBPROTOCOL_HEADER = b"sec-websocket-protocol"


class TokenAuthMiddleware:
    """Sets scope["tenant"] and scope["principal"] from the `parlor.token.<JWT>` subprotocol."""

    def __init__(self, inner) -> None:
        self.inner = inner

    async def __call__(self, scope, receive, send):
        if scope["type"] != "websocket":
            return await self.inner(scope, receive, send)
        offered = list(scope.get("subprotocols") or [])
        # Nothing downstream (consumer, logs, error pages) may ever see the token.
        scope = scope_without_token(scope)
        try:
            token = token_from_subprotocols(offered)
            verified = await cached_first(
                socket_authenticate,
                token=token,
                origin=header_value(scope, b"origin"),
                host=header_value(scope, b"host"),
            )
        except ApplicationError as error:
            return await self.refuse(scope, error, receive, send)
        scope["tenant"] = verified.principal.tenant
        scope["principal"] = verified.principal
        return await self.inner(scope, receive, send)

    async def refuse(self, scope, error: ApplicationError, receive, send) -> None:
        """Refuse at the handshake, or accept and close with 4401/4403 when the client must know."""
        logger.info("websocket refused on %s: %s (%s)", scope.get("path"), error.code, error.detail)
        message = await receive()
        if message["type"] != "websocket.connect":
            return
        close_code = close_code_for(error)
        if close_code is None:
            await send({"type": "websocket.close"})
            return
        await send({"type": "websocket.accept", "subprotocol": SUBPROTOCOL})
        await send({"type": "websocket.close", "code": close_code, "reason": error.code})


def close_code_for(error: ApplicationError) -> int | None:
    """Return the close code to send after accepting, or None to refuse the handshake."""
    if isinstance(error, TokenError) and error.code in REFRESHABLE_CODES:
        return CLOSE_TOKEN_INVALID
    if isinstance(error, PermissionDenied) and error.code == "tenant_mismatch":
        return CLOSE_FORBIDDEN
    return None


def token_from_subprotocols(offered: list[str]) -> str:
    """Return the JWT of the one `parlor.token.<JWT>` subprotocol offered with `parlor.v1`."""
    if SUBPROTOCOL not in offered:
        raise TokenError(f"offer the subprotocol {SUBPROTOCOL}.", code="token_malformed")
    tokens = [item for item in offered if item.startswith(TOKEN_SUBPROTOCOL_PREFIX)]
    if not tokens:
        raise TokenError("no token was given.", code="token_missing")
    if len(tokens) > 1:
        raise TokenError("offer exactly one token subprotocol.", code="token_malformed")
    return tokens[0][len(TOKEN_SUBPROTOCOL_PREFIX) :]


def scope_without_token(scope: dict) -> dict:
    """Return a copy of `scope` whose subprotocols and headers offer `parlor.v1` only."""
    headers = [
        (name, value) for name, value in scope.get("headers", []) if name != SUBPROTOCOL_HEADER
    ]
    offered = SUBPROTOCOL in (scope.get("subprotocols") or [])
    if offered:
        headers.append((SUBPROTOCOL_HEADER, SUBPROTOCOL.encode()))
    return {**scope, "headers": headers, "subprotocols": [SUBPROTOCOL] if offered else []}


def header_value(scope: dict, name: bytes) -> str | None:
    """Return the first header `name` of `scope` decoded as Latin-1, or None."""
    for header_name, value in scope.get("headers", []):
        if header_name == name:
            return value.decode("latin-1")
    return None
