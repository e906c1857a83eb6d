"""Routes of the tenant admin dashboard (mounted at /dashboard/ on each tenant's domain)."""

from django.urls import path

from parlor.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.conversations, name="conversations"),
    path("login", views.DashboardLoginView.as_view(), name="login"),
    path("logout", views.DashboardLogoutView.as_view(), name="logout"),
    path("conversations/<str:room_id>", views.transcript, name="transcript"),
    path("conversations/<str:room_id>/reply", views.reply, name="reply"),
    path("agent-token", views.agent_token, name="agent-token"),
    path("settings", views.widget_settings, name="settings"),
    path("api-keys", views.api_keys, name="api-keys"),
    path("api-keys/<int:key_id>/revoke", views.api_key_revoke, name="api-key-revoke"),
    path("signing-keys", views.signing_keys, name="signing-keys"),
    path("signing-keys/rotate", views.signing_key_rotate, name="signing-key-rotate"),
]
