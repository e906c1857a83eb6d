"""Routes of the tenant admin dashboard (mounted at /dashboard/ on each tenant's domain)."""

from django.urls import path

from parlor.dashboard import inbox, insights, integrations, offline, passwords, staff, usage, views

app_name = "dashboard"

urlpatterns = [
    path("", views.conversations, name="conversations"),
    path("login", views.DashboardLoginView.as_view(), name="login"),
    path("logout", views.DashboardLogoutView.as_view(), name="logout"),
    path("conversations/<str:room_id>", views.transcript, name="transcript"),
    path("conversations/<str:room_id>/reply", views.reply, name="reply"),
    # Search, exports and analytics (issue 12, items 6 and 8).
    path("search", insights.search, name="search"),
    path("insights", insights.insights, name="insights"),
    path(
        "conversations/<str:room_id>/export", insights.transcript_export, name="transcript-export"
    ),
    path("exports/conversations", insights.range_export_download, name="export-range"),
    # The inbox and the conversation workflow (issue 12, items 2 and 3).
    path("inbox.json", inbox.inbox_json, name="inbox-json"),
    path(
        "conversations/<str:room_id>/workflow",
        inbox.conversation_workflow,
        name="conversation-workflow",
    ),
    path("conversations/<str:room_id>/note", inbox.conversation_note, name="conversation-note"),
    path("canned", inbox.canned_responses, name="canned"),
    path("auto-assign", inbox.auto_assign_switch, name="auto-assign"),
    path("agent-token", views.agent_token, name="agent-token"),
    path("settings", views.widget_settings, name="settings"),
    path("offline", offline.offline_settings, name="offline"),
    path("api-keys", views.api_keys, name="api-keys"),
    path("api-keys/<int:key_id>/revoke", views.api_key_revoke, name="api-key-revoke"),
    path("signing-keys", views.signing_keys, name="signing-keys"),
    path("signing-keys/rotate", views.signing_key_rotate, name="signing-key-rotate"),
    path("webhooks", integrations.webhooks, name="webhooks"),
    path(
        "webhooks/<str:endpoint_id>/deliveries/<int:delivery_id>/redeliver",
        integrations.webhook_redeliver,
        name="webhook-redeliver",
    ),
    path("webhooks/<str:endpoint_id>/enable", integrations.webhook_enable, name="webhook-enable"),
    path("data", integrations.personal_data, name="data"),
    # Team and roles, the audit log, passwords (issue 12, item 7).
    path("staff", staff.staff, name="staff"),
    path("staff/<int:user_id>/role", staff.staff_role, name="staff-role"),
    path("staff/<int:user_id>/deactivate", staff.staff_deactivate, name="staff-deactivate"),
    path("staff/<int:user_id>/reactivate", staff.staff_reactivate, name="staff-reactivate"),
    path("audit", staff.audit, name="audit"),
    # Quotas and what was refused over them (issue 16, item 3).
    path("usage", usage.usage, name="usage"),
    path("password", passwords.PasswordChangeView.as_view(), name="password"),
    path("password-reset", passwords.PasswordResetView.as_view(), name="password-reset"),
    path(
        "password-reset/sent", passwords.PasswordResetSentView.as_view(), name="password-reset-sent"
    ),
    path(
        "password-reset/<uidb64>/<token>",
        passwords.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "password-reset/done",
        passwords.PasswordResetCompleteView.as_view(),
        name="password-reset-complete",
    ),
]
