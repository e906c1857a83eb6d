"""The webhooks app (tenant schema)."""

from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    """Endpoints, events and deliveries, in each tenant's schema."""

    name = "parlor.webhooks"
    label = "webhooks"
