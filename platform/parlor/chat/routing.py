"""WebSocket routes of the chat app: one socket for every room, at /ws/v1/."""

from __future__ import annotations

from django.urls import path

from parlor.chat.consumer import ChatConsumer

websocket_urlpatterns = [
    path("ws/v1/", ChatConsumer.as_asgi()),
]
