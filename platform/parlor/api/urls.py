"""Routes of the HTTP API, version 1 (mounted at /api/v1/)."""

from django.urls import path, re_path

from parlor.api.keys import keys, keys_rotate
from parlor.api.lifetimes import token_lifetimes
from parlor.api.problems import not_found
from parlor.api.revocations import revocations_create
from parlor.api.rooms import room_messages, rooms_detail, rooms_list
from parlor.api.tokens import tokens_create
from parlor.api.widget import widget_sessions

urlpatterns = [
    path("tokens", tokens_create, name="api-tokens"),
    path("widget/sessions", widget_sessions, name="api-widget-sessions"),
    path("revocations", revocations_create, name="api-revocations"),
    path("keys", keys, name="api-keys"),
    path("keys/rotate", keys_rotate, name="api-keys-rotate"),
    path("token-lifetimes", token_lifetimes, name="api-token-lifetimes"),
    path("rooms", rooms_list, name="api-rooms"),
    path("rooms/<str:room_id>", rooms_detail, name="api-room"),
    path("rooms/<str:room_id>/messages", room_messages, name="api-room-messages"),
    re_path(r"^.*$", not_found),
]
