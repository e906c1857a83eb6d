"""Authenticates every WebSocket before the consumer sees it: token, tenant, Origin and Host."""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError

from parlor.base.addresses import scope_client_address
from parlor.base.errors import ApplicationError, PermissionDenied, TenantSuspended
from parlor.observability import metrics
from parlor.realtime.protocol import (
    CLOSE_FORBIDDEN,
    CLOSE_QUOTA_EXCEEDED,
    CLOSE_RATE_LIMITED,
    CLOSE_SERVER_ERROR,
    CLOSE_TENANT_SUSPENDED,
    CLOSE_TOKEN_INVALID,
    SUBPROTOCOL,
    TOKEN_SUBPROTOCOL_PREFIX,
)
from parlor.realtime.socket_caps import SOCKET_CAPS, Refusal, socket_slots
from parlor.realtime.socket_census import census_ensure
from tenants.authentication import socket_authenticate
from tenants.cache import cached_first
from tenants.quota_refusals import quota_refusal_note
from tenants.quotas import SOCKETS, tenant_quotas
from tenants.tokens import REFRESHABLE_CODES, TokenError

logger = logging.getLogger(__name__)
SUBPROTOCOL_HEADER = b"sec-websocket-protocol"
# parlor_handshakes_total's outcomes for refusals: the codes handshakes are refused with.
HANDSHAKE_REFUSALS = frozenset(
    {
        "token_invalid", "token_missing", "token_malformed", "token_expired",
        "token_not_yet_valid", "token_revoked", "origin_forbidden", "tenant_mismatch",
        "forbidden", "unauthenticated",
    }
)  # fmt: skip


class TokenAuthMiddleware:
    """Sets scope["tenant"] and scope["principal"] from the `parlor.token.<JWT>` subprotocol."""

    def __init__(self, inner) -> None:
        self.inner = inner

    async def __call__(self, scope, receive, send):
        if scope["type"] != "websocket":
            return await self.inner(scope, receive, send)
        try:
            verified = await authenticate_scope(scope)
        except ApplicationError as error:
            return await self.refuse(scope, error, receive, send)
        except DATABASE_DOWN as error:
            metrics.handshakes.labels("unavailable").inc()
            metrics.backend_errors.labels("database").inc()
            logger.warning("websocket refused: database unavailable (%s)", type(error).__name__)
            return await close_after_accept(receive, send, CLOSE_SERVER_ERROR, "unavailable")
        # The tenant row comes from the handshake's cache: its quotas cost no query.
        quotas = tenant_quotas(verified.tenant)
        slots = socket_slots(
            address=scope_client_address(scope),
            principal=verified.principal,
            tenant_cap=quotas.sockets,
        )
        refusal = SOCKET_CAPS.acquire(slots)
        if refusal is Refusal.TENANT_QUOTA:
            metrics.handshakes.labels("quota_exceeded").inc()
            logger.info("websocket refused: tenant %s over its socket quota", slots.tenant)
            quota_refusal_note(tenant_id=verified.tenant.id, quota=SOCKETS)
            return await close_after_accept(receive, send, CLOSE_QUOTA_EXCEEDED, refusal.value)
        if refusal is not None:
            metrics.handshakes.labels("too_many_sockets").inc()
            metrics.rate_limit_refusals.labels("sockets").inc()
            logger.info("websocket refused: too many sockets for %s", slots.address)
            return await close_after_accept(receive, send, CLOSE_RATE_LIMITED, refusal.value)
        census_ensure()
        metrics.handshakes.labels("accepted").inc()
        scope["tenant"] = verified.principal.tenant
        scope["principal"] = verified.principal
        scope["quotas"] = quotas
        try:
            return await self.inner(scope, receive, send)
        finally:
            SOCKET_CAPS.release(slots)

    async def refuse(self, scope, error: ApplicationError, receive, send) -> None:
        """Refuse at the handshake, or accept and close with 4401/4403 when the client must know."""
        logger.info("websocket refused on %s: %s (%s)", scope.get("path"), error.code, error.detail)
        metrics.handshakes.labels(metrics.bounded(error.code, HANDSHAKE_REFUSALS)).inc()
        message = await receive()
        if message["type"] != "websocket.connect":
            return
        close_code = close_code_for(error)
        if close_code is None:
            await send({"type": "websocket.close"})
            return
        await accept_and_close(send, close_code, error.code)


# A connection that died while the database was away fails its first query after the database
# is back; Django discards it after that failure, so one retry runs on a fresh connection.
DATABASE_DOWN = (OperationalError, InterfaceError)


async def authenticate_scope(scope: dict):
    """Take the token out of `scope` (in place) and authenticate the socket with it."""
    # A function of its own: the token and the offered list die with its frame, not with the
    # socket (the middleware's frame lives as long as the socket does; issue 11, idle memory).
    offered = list(scope.get("subprotocols") or [])
    # Nothing downstream (consumer, logs, error pages) may ever see the token.
    scope_without_token(scope)
    return await authenticate(scope, token_from_subprotocols(offered))


async def authenticate(scope: dict, token: str):
    """Verify the token, Origin and Host; retry once if the database connection was stale."""
    arguments = {
        "token": token,
        "origin": header_value(scope, b"origin"),
        "host": header_value(scope, b"host"),
    }
    try:
        return await cached_first(socket_authenticate, **arguments)
    except DATABASE_DOWN:
        return await cached_first(socket_authenticate, **arguments)


async def close_after_accept(receive, send, code: int, reason: str) -> None:
    """Wait for the client's connect, accept it and close with `code`: the browser sees it."""
    message = await receive()
    if message["type"] == "websocket.connect":
        await accept_and_close(send, code, reason)


async def accept_and_close(send, code: int, reason: str) -> None:
    """Accept with `parlor.v1` and close at once with `code` and `reason`."""
    await send({"type": "websocket.accept", "subprotocol": SUBPROTOCOL})
    await send({"type": "websocket.close", "code": code, "reason": reason})


def close_code_for(error: ApplicationError) -> int | None:
    """Return the close code to send after accepting, or None to refuse the handshake."""
    if isinstance(error, TenantSuspended):
        return CLOSE_TENANT_SUSPENDED
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
    """Make `scope`'s subprotocols and headers offer `parlor.v1` only, in place; return it."""
    # In place, not a copy: the server's scope is the one every later scope copies, and a
    # copy would stay for the socket's whole life (issue 11, idle memory). The server has
    # read the offer already; it answers with the subprotocol the application accepts.
    headers = [
        (name, value) for name, value in scope.get("headers", []) if name != SUBPROTOCOL_HEADER
    ]
    offered = SUBPROTOCOL in (scope.get("subprotocols") or [])
    if offered:
        headers.append((SUBPROTOCOL_HEADER, SUBPROTOCOL.encode()))
    scope["headers"] = headers
    scope["subprotocols"] = [SUBPROTOCOL] if offered else []
    return scope


def header_value(scope: dict, name: bytes) -> str | None:
    """Return the first header `name` of `scope` decoded as Latin-1, or None."""
    for header_name, value in scope.get("headers", []):
        if header_name == name:
            return value.decode("latin-1")
    return None
