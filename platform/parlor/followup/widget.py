"""What the widget needs to know about email capture and the pre-chat form."""

from __future__ import annotations

from django_tenants.utils import schema_context

from parlor.followup.selectors import followup_settings_get
from tenants.models import Tenant


def followup_widget_config(tenant: Tenant) -> dict:
    """Return the widget session's `followup` member: ask for an email, pre-chat fields."""
    with schema_context(tenant.schema_name):
        followup = followup_settings_get()
    fields = list(followup.prechat_fields) if followup.prechat_enabled else []
    return {"ask_email": followup.ask_email, "prechat_fields": fields}
