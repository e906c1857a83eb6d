"""Webhook jobs, run by `manage.py jobsworker` (procrastinate discovers this module)."""

from __future__ import annotations

from datetime import timedelta

from django_tenants.utils import schema_context
from procrastinate.contrib.django import app

from parlor.base.conf import setting
from parlor.webhooks.enqueue import DELIVER_TASK, QUEUE
from parlor.webhooks.sending import delivery_attempt
from parlor.webhooks.services import webhook_events_prune
from tenants.models import Tenant


@app.task(name=DELIVER_TASK, queue=QUEUE)
def webhook_deliver(schema_name: str, delivery_id: int) -> None:
    """Try one delivery; a failure schedules its own retry (parlor.webhooks.retries)."""
    # procrastinate's tables are in the public schema; the delivery is in the tenant's.
    with schema_context(schema_name):
        delivery_attempt(schema_name=schema_name, delivery_id=delivery_id)


@app.periodic(cron="47 3 * * *")
@app.task(name="webhook_events_prune_daily", queue="maintenance", queueing_lock="webhook_prune")
def webhook_events_prune_daily(timestamp: int) -> None:
    """Delete every tenant's old, finished events and their deliveries."""
    keep = timedelta(days=int(setting("WEBHOOK_EVENTS_KEEP_DAYS")))
    schemas = Tenant.objects.exclude(schema_name="public").values_list("schema_name", flat=True)
    for schema_name in list(schemas):
        with schema_context(schema_name):
            webhook_events_prune(older_than=keep)
