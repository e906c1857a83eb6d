"""The client's address, for REST and WebSockets alike: PARLOR_TRUSTED_PROXY_COUNT is the one rule.

The ASGI server never reads forwarded headers (parlor.serving.command passes
`--no-proxy-headers`): a server that trusts them lets a client pick its own address (issue 9,
item 7). Parlor reads `X-Forwarded-For` here, trusting only the hops its own proxies appended.
"""

from __future__ import annotations

import ipaddress

from parlor.base.conf import setting

UNKNOWN = "unknown"
FORWARDED = b"x-forwarded-for"


def client_address(*, peer: str | None, forwarded_for: str | None) -> str:
    """Return the caller's IP: the peer's, or the X-Forwarded-For hop a trusted proxy appended."""
    remote = peer or UNKNOWN
    proxies = int(setting("TRUSTED_PROXY_COUNT"))
    if proxies <= 0 or not forwarded_for:
        return remote
    # Each proxy appends the address it saw, so only the last `proxies` hops are trustworthy:
    # everything left of them is whatever the client sent (as in Django REST framework's
    # NUM_PROXIES). Counting from the right makes a forged first hop harmless.
    hops = [hop.strip() for hop in forwarded_for.split(",")]
    hop = hops[-min(proxies, len(hops))]
    try:
        return str(ipaddress.ip_address(hop))
    except ValueError:
        return remote


def scope_client_address(scope: dict) -> str:
    """Return the caller's IP for an ASGI connection `scope` (HTTP or WebSocket)."""
    client = scope.get("client")
    forwarded = [
        value.decode("latin-1") for name, value in scope.get("headers", ()) if name == FORWARDED
    ]
    return client_address(peer=client[0] if client else None, forwarded_for=", ".join(forwarded))
