"""Rate limits of the public HTTP endpoints, and the client address they are keyed by."""

from __future__ import annotations

from django.http import HttpRequest

from parlor.base.addresses import client_address
from parlor.base.errors import QuotaExceeded, RateLimited
from parlor.throttle import Rule, rule_from_settings, throttle
from tenants.models import Tenant
from tenants.quota_refusals import quota_refusal_record
from tenants.quotas import TOKENS_PER_MINUTE, tenant_quotas


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


def tokens_quota_check(*, tenant: Tenant) -> None:
    """Refuse a token mint over the tenant's plan quota with 429 `quota_exceeded`."""
    per_minute = tenant_quotas(tenant).tokens_per_minute
    # A bucket of one minute's worth, keyed by the quota too: a changed quota starts afresh.
    rule = Rule(name="quota_tokens", per_minute=per_minute, burst=per_minute)
    try:
        throttle(rule=rule, key=f"{tenant.id}:{per_minute}", detail="over the plan's token quota")
    except RateLimited as error:
        quota_refusal_record(tenant_id=tenant.id, quota=TOKENS_PER_MINUTE)
        raise QuotaExceeded(
            f"the tenant's plan allows {per_minute} token mints a minute; "
            f"retry in {error.retry_after} s.",
            quota=TOKENS_PER_MINUTE,
            retry_after=error.retry_after,
        ) from None
