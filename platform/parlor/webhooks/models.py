"""Webhook models (tenant schema): endpoints, the event outbox, and one delivery per endpoint."""

from __future__ import annotations

from django.db import models


class WebhookEndpoint(models.Model):
    """A URL of the tenant's that receives the events it subscribed to, signed with `secret`."""

    id = models.CharField(primary_key=True, max_length=40)
    url = models.TextField()
    events = models.JSONField(default=list)
    # Needed in clear to sign (HMAC); shown to the tenant once, at creation and rotation.
    secret = models.CharField(max_length=80)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set by the first failed delivery after a success; an endpoint failing long enough is
    # disabled (disabled_at) and the dashboard says so.
    failing_since = models.DateTimeField(null=True, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.id


class WebhookEvent(models.Model):
    """One event, written in the transaction of its cause; `id` is the `webhook-id` header."""

    id = models.CharField(primary_key=True, max_length=40)
    type = models.CharField(max_length=64)
    room = models.CharField(max_length=64, blank=True, default="")
    payload = models.JSONField()
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["room"], name="webhook_event_room")]

    def __str__(self) -> str:
        return f"{self.type} {self.id}"


class DeliveryStatus(models.TextChoices):
    """A delivery waits (pending), arrived (succeeded), or was given up (failed)."""

    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class WebhookDelivery(models.Model):
    """The sending of one event to one endpoint, with its attempts so far."""

    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.IntegerField(default=0)
    last_status_code = models.IntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_recent")]

    def __str__(self) -> str:
        return f"{self.event_id} -> {self.endpoint_id}"
