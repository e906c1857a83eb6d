"""WebSocket routes of the chat app."""

from __future__ import annotations

websocket_urlpatterns: list = []
