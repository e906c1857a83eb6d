"""Rate limits of the public HTTP endpoints, and the client address they are keyed by."""

from __future__ import annotations

from django.http import HttpRequest

from parlor.base.addresses import client_address
from parlor.throttle import rule_from_settings, throttle
from tenants.models import Tenant


def client_ip(request: HttpRequest) -> str:
    """Return the caller's IP under the one rule of parlor.base.addresses."""
    return client_address(
        peer=request.META.get("REMOTE_ADDR"), forwarded_for=request.META.get("HTTP_X_FORWARDED_FOR")
    )


def widget_sessions_throttle(*, request: HttpRequest, tenant: Tenant) -> None:
    """Refuse a widget session over the limit for this tenant and client IP."""
    throttle(
        rule=rule_from_settings("widget_sessions"),
        key=f"{tenant.id}:{client_ip(request)}",
        detail="too many widget sessions from this address",
    )


def visitor_context_throttle(*, tenant_id: int, subject: str) -> None:
    """Refuse a visitor context report over the limit for this visitor or user."""
    throttle(
        rule=rule_from_settings("visitor_context"),
        key=f"{tenant_id}:{subject}",
        detail="too many visitor context reports",
    )


def tokens_throttle(*, tenant: Tenant) -> None:
    """Refuse a token request over the tenant's limit."""
    throttle(
        rule=rule_from_settings("tokens"),
        key=str(tenant.id),
        detail="too many token requests for this tenant",
    )
