"""WebSocket authentication middleware (placeholder: refuses every connection until auth lands)."""

from __future__ import annotations


class TokenAuthMiddleware:
    """Authenticates each WebSocket scope from its token; this placeholder refuses all."""

    def __init__(self, inner) -> None:
        self.inner = inner

    async def __call__(self, scope, receive, send):
        message = await receive()
        if message["type"] == "websocket.connect":
            await send({"type": "websocket.close"})
