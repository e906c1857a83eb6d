"""Writes of webhooks, in the current tenant's schema: register, rotate, delete, redeliver."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from parlor.base.conf import setting
from parlor.base.errors import NotFound, QuotaExceeded, ValidationFailed
from parlor.outbound.http import url_check
from parlor.webhooks.events import EVENT_TYPES
from parlor.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookEvent
from parlor.webhooks.selectors import webhook_endpoint_get
from parlor.webhooks.sending import delivery_defer
from parlor.webhooks.signing import secret_new
from tenants.models import Tenant
from tenants.quota_refusals import quota_refusal_record
from tenants.quotas import WEBHOOK_ENDPOINTS, tenant_quotas


class WebhookInvalid(ValidationFailed):
    """A webhook request that cannot be stored as it is."""

    status = 422


def webhook_endpoint_create(
    *, url: str, events: list[str], tenant: Tenant | None = None
) -> WebhookEndpoint:
    """Register an endpoint for `events`; its secret is on the returned object, once.

    With `tenant`, its plan's quota of endpoints applies too (422 `quota_exceeded`).
    """
    url_check(url)
    chosen = _events_check(events)
    quota = tenant_quotas(tenant).webhook_endpoints if tenant is not None else None
    with transaction.atomic():
        # Serialise creations per tenant so that two at once cannot pass the limit together.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.webhooks'))"
            )
        limit = int(setting("WEBHOOK_ENDPOINTS_MAX"))
        count = WebhookEndpoint.objects.count()
        if count >= limit:
            raise WebhookInvalid(
                f"a tenant may have at most {limit} webhook endpoints.", code="too_many_webhooks"
            )
        if quota is None or count < quota:
            return WebhookEndpoint.objects.create(
                id=f"ep_{secrets.token_urlsafe(12)}", url=url, events=chosen, secret=secret_new()
            )
    # Counted outside the rolled-back transaction, so the refusal is kept.
    quota_refusal_record(tenant_id=tenant.id, quota=WEBHOOK_ENDPOINTS)
    raise QuotaExceeded(
        f"the tenant's plan allows {quota} webhook endpoints; delete one or change plans.",
        quota=WEBHOOK_ENDPOINTS,
        status=422,
    )


def webhook_endpoint_delete(*, endpoint_id: str) -> None:
    """Delete an endpoint and its deliveries; pending ones are not sent."""
    webhook_endpoint_get(endpoint_id=endpoint_id).delete()


def webhook_endpoint_secret_rotate(*, endpoint_id: str) -> WebhookEndpoint:
    """Give the endpoint a new secret, used from the next attempt on; return it with the secret."""
    endpoint = webhook_endpoint_get(endpoint_id=endpoint_id)
    endpoint.secret = secret_new()
    endpoint.save(update_fields=["secret"])
    return endpoint


def webhook_endpoint_enable(*, endpoint_id: str) -> None:
    """Turn a disabled endpoint back on (from the dashboard, once the tenant fixed it)."""
    webhook_endpoint_get(endpoint_id=endpoint_id)
    WebhookEndpoint.objects.filter(id=endpoint_id).update(disabled_at=None, failing_since=None)


def webhook_redeliver(*, schema_name: str, endpoint_id: str, delivery_id: int) -> WebhookDelivery:
    """Send a delivery's event to its endpoint again, as a new delivery with the same event id."""
    original = WebhookDelivery.objects.filter(id=delivery_id, endpoint_id=endpoint_id).first()
    if original is None:
        raise NotFound("no such delivery.", code="delivery_not_found")
    now = timezone.now()
    with transaction.atomic():
        again = WebhookDelivery.objects.create(
            event_id=original.event_id,
            endpoint_id=original.endpoint_id,
            status=DeliveryStatus.PENDING,
            created_at=now,
            next_attempt_at=now,
        )
        delivery_defer(schema_name=schema_name, delivery_id=again.id)
    return again


def webhook_events_prune(*, older_than: timedelta) -> int:
    """Delete events older than `older_than` with no pending delivery; return how many."""
    cutoff = timezone.now() - older_than
    pending = WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING).values("event_id")
    old = WebhookEvent.objects.filter(created_at__lt=cutoff).exclude(id__in=pending)
    return old.delete()[1].get(WebhookEvent._meta.label, 0)


def _events_check(events: object) -> list[str]:
    if (
        not isinstance(events, list)
        or not events
        or not all(isinstance(name, str) for name in events)
    ):
        raise WebhookInvalid(
            "events must be a non-empty list of event names.", code="invalid_events"
        )
    unknown = sorted(set(events) - set(EVENT_TYPES))
    if unknown:
        raise WebhookInvalid(
            f"unknown event '{unknown[0][:40]}'; known: {', '.join(EVENT_TYPES)}.",
            code="unknown_event",
        )
    return sorted(set(events))
