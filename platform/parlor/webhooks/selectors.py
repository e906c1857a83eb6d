"""Reads of webhooks, in the current tenant's schema."""

from __future__ import annotations

from parlor.base.errors import NotFound
from parlor.webhooks.models import WebhookDelivery, WebhookEndpoint

RECENT_DELIVERIES = 50


def webhook_endpoint_list() -> list[WebhookEndpoint]:
    """Return the tenant's endpoints, oldest first."""
    return list(WebhookEndpoint.objects.order_by("created_at", "id"))


def webhook_endpoint_disabled_count() -> int:
    """Return how many of the tenant's endpoints are disabled."""
    return WebhookEndpoint.objects.filter(disabled_at__isnull=False).count()


def webhook_endpoint_get(*, endpoint_id: str) -> WebhookEndpoint:
    """Return one endpoint of the tenant, or raise NotFound."""
    endpoint = (
        WebhookEndpoint.objects.filter(id=endpoint_id).first() if len(endpoint_id) <= 40 else None
    )
    if endpoint is None:
        raise NotFound("no such webhook endpoint.", code="webhook_not_found")
    return endpoint


def webhook_delivery_list(
    *, endpoint_id: str | None = None, limit: int = RECENT_DELIVERIES
) -> list[WebhookDelivery]:
    """Return the newest deliveries (of one endpoint, if given), newest first."""
    deliveries = WebhookDelivery.objects.select_related("event").order_by("-created_at", "-id")
    if endpoint_id is not None:
        deliveries = deliveries.filter(endpoint_id=endpoint_id)
    return list(deliveries[:limit])
