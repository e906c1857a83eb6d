"""Composes the WebSocket stack in one place: token and origin middleware, routing, consumer."""

from __future__ import annotations

from channels.routing import URLRouter

from parlor.chat.routing import websocket_urlpatterns
from parlor.realtime.middleware import TokenAuthMiddleware


def websocket_application():
    """Return the ASGI application that serves every WebSocket connection."""
    return TokenAuthMiddleware(URLRouter(websocket_urlpatterns))
