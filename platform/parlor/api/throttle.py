"""Rate limits of the public HTTP endpoints, and the client address they are keyed by."""

from __future__ import annotations

import ipaddress

from django.http import HttpRequest

from parlor.base.conf import setting
from parlor.throttle import rule_from_settings, throttle
from tenants.models import Tenant


def client_ip(request: HttpRequest) -> str:
    """Return the caller's IP: REMOTE_ADDR, or the X-Forwarded-For hop added by a trusted proxy."""
    remote = request.META.get("REMOTE_ADDR") or "unknown"
    proxies = int(setting("TRUSTED_PROXY_COUNT"))
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded:
        return remote
    # Each proxy appends the address it saw, so only the last `proxies` hops are trustworthy:
    # everything left of them is whatever the client sent (as in Django REST framework's
    # NUM_PROXIES). Counting from the right makes a forged first hop harmless.
    hops = [hop.strip() for hop in forwarded.split(",")]
    hop = hops[-min(proxies, len(hops))]
    try:
        return str(ipaddress.ip_address(hop))
    except ValueError:
        return remote


def widget_sessions_throttle(*, request: HttpRequest, tenant: Tenant) -> None:
    """Refuse a widget session over the limit for this tenant and client IP."""
    throttle(
        rule=rule_from_settings("widget_sessions"),
        key=f"{tenant.id}:{client_ip(request)}",
        detail="too many widget sessions from this address",
    )


def tokens_throttle(*, tenant: Tenant) -> None:
    """Refuse a token request over the tenant's limit."""
    throttle(
        rule=rule_from_settings("tokens"),
        key=str(tenant.id),
        detail="too many token requests for this tenant",
    )
