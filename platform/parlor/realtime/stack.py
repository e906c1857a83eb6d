"""Composes the WebSocket stack in one place: token and origin middleware, routing, consumer."""

from __future__ import annotations

from channels.routing import URLRouter


def websocket_application():
    """Return the ASGI application that serves every WebSocket connection."""
    # Placeholder until the auth and chat issues land: no routes, so every socket is refused.
    return URLRouter([])
