"""Routes of the HTTP API, version 1 (mounted at /api/v1/)."""

from django.urls import path, re_path

from parlor.api.keys import keys, keys_rotate
from parlor.api.problems import not_found
from parlor.api.revocations import revocations_create
from parlor.api.tokens import tokens_create
from parlor.api.widget import widget_sessions

urlpatterns = [
    path("tokens", tokens_create, name="api-tokens"),
    path("widget/sessions", widget_sessions, name="api-widget-sessions"),
    path("revocations", revocations_create, name="api-revocations"),
    path("keys", keys, name="api-keys"),
    path("keys/rotate", keys_rotate, name="api-keys-rotate"),
    re_path(r"^.*$", not_found),
]
