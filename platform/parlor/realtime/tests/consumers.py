"""A small consumer for auth tests: echoes the principal, honours expiry, refresh and revocation."""

from __future__ import annotations

import asyncio
import contextlib

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.routing import URLRouter
from django.urls import path

from parlor.base.events import AuthRevoked
from parlor.base.groups import tenant_group_name
from parlor.realtime.auth_session import SocketAuth
from parlor.realtime.middleware import TokenAuthMiddleware
from parlor.realtime.protocol import CLOSE_TOKEN_INVALID, SUBPROTOCOL
from tenants.tokens import TokenError


class PrincipalEchoConsumer(AsyncJsonWebsocketConsumer):
    """Sends back who the middleware says is connected; closes 4401 on expiry or revocation."""

    async def connect(self):
        self.auth = SocketAuth(self.scope["principal"])
        self.group = tenant_group_name(self.scope["tenant"].id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept(subprotocol=SUBPROTOCOL)
        await self.send_json(self.hello())
        self.expiry = asyncio.create_task(self.close_at_expiry())

    def hello(self) -> dict:
        principal = self.auth.principal
        return {
            "type": "hello",
            "kind": principal.kind.value,
            "subject": principal.subject,
            "name": principal.name,
            "tenant": self.scope["tenant"].slug,
            "tenant_id": principal.tenant.id,
            "rooms": list(principal.rooms),
            "subprotocols": self.scope["subprotocols"],
            "headers": [[name.decode(), value.decode()] for name, value in self.scope["headers"]],
        }

    async def close_at_expiry(self):
        while (remaining := self.auth.seconds_until_expiry()) > 0:
            await asyncio.sleep(remaining)
        await self.close(code=CLOSE_TOKEN_INVALID)

    async def receive_json(self, content, **kwargs):
        if content.get("type") == "auth.refresh":
            try:
                principal = await self.auth.refresh(content.get("token"))
            except TokenError as error:
                await self.send_json({"type": "error", "code": error.code})
                return
            await self.send_json({"type": "auth.ok", "expires_at": principal.expires_at})

    async def auth_revoked(self, event):
        revoked = AuthRevoked(**{name: value for name, value in event.items() if name != "type"})
        if self.auth.revoked_by(revoked):
            await self.close(code=CLOSE_TOKEN_INVALID)

    async def disconnect(self, code):
        expiry = getattr(self, "expiry", None)
        if expiry is not None:
            expiry.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await expiry
        await self.channel_layer.group_discard(self.group, self.channel_name)


def application():
    """Return the auth middleware in front of the echo consumer at /ws/v1/."""
    return TokenAuthMiddleware(URLRouter([path("ws/v1/", PrincipalEchoConsumer.as_asgi())]))
