"""Every action the audit log records: one name each, a label shown on the audit page."""

from __future__ import annotations

API_KEY_CREATED = "api_key.created"
API_KEY_REVOKED = "api_key.revoked"
SIGNING_KEY_ROTATED = "signing_key.rotated"
SIGNING_KEY_REGISTERED = "signing_key.registered"
WIDGET_SETTINGS_CHANGED = "widget_settings.changed"
ALLOWED_ORIGINS_CHANGED = "allowed_origins.changed"
WEBHOOK_ENDPOINT_ADDED = "webhook_endpoint.added"
WEBHOOK_ENDPOINT_REMOVED = "webhook_endpoint.removed"
WEBHOOK_ENDPOINT_SECRET_ROTATED = "webhook_endpoint.secret_rotated"
WEBHOOK_ENDPOINT_ENABLED = "webhook_endpoint.enabled"
WEBHOOK_DELIVERY_REDELIVERED = "webhook_delivery.redelivered"
STAFF_CREATED = "staff.created"
STAFF_INVITED = "staff.invited"
STAFF_ROLE_CHANGED = "staff.role_changed"
STAFF_DEACTIVATED = "staff.deactivated"
STAFF_REACTIVATED = "staff.reactivated"
STAFF_PASSWORD_CHANGED = "staff.password_changed"
PERSONAL_DATA_EXPORTED = "personal_data.exported"
PERSONAL_DATA_ERASED = "personal_data.erased"
RETENTION_CHANGED = "retention.changed"
CONVERSATION_EXPORTED = "conversation.exported"
BUSINESS_HOURS_CHANGED = "business_hours.changed"
FOLLOWUP_SETTINGS_CHANGED = "followup_settings.changed"
AUTO_ASSIGN_CHANGED = "auto_assign.changed"

LABELS = {
    BUSINESS_HOURS_CHANGED: "Business hours changed",
    FOLLOWUP_SETTINGS_CHANGED: "Follow-up settings changed",
    API_KEY_CREATED: "API key created",
    API_KEY_REVOKED: "API key revoked",
    SIGNING_KEY_ROTATED: "Signing key rotated",
    SIGNING_KEY_REGISTERED: "Public signing key registered",
    WIDGET_SETTINGS_CHANGED: "Widget settings changed",
    ALLOWED_ORIGINS_CHANGED: "Allowed origins changed",
    WEBHOOK_ENDPOINT_ADDED: "Webhook endpoint added",
    WEBHOOK_ENDPOINT_REMOVED: "Webhook endpoint removed",
    WEBHOOK_ENDPOINT_SECRET_ROTATED: "Webhook secret rotated",
    WEBHOOK_ENDPOINT_ENABLED: "Webhook endpoint enabled",
    WEBHOOK_DELIVERY_REDELIVERED: "Webhook delivery sent again",
    STAFF_CREATED: "Staff created",
    STAFF_INVITED: "Staff invited",
    STAFF_ROLE_CHANGED: "Staff role changed",
    STAFF_DEACTIVATED: "Staff deactivated",
    STAFF_REACTIVATED: "Staff reactivated",
    STAFF_PASSWORD_CHANGED: "Password changed",
    PERSONAL_DATA_EXPORTED: "Personal data exported",
    PERSONAL_DATA_ERASED: "Personal data erased",
    RETENTION_CHANGED: "Retention changed",
    CONVERSATION_EXPORTED: "Conversation exported",
    AUTO_ASSIGN_CHANGED: "Auto-assignment turned on or off",
}
