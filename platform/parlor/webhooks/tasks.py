"""Webhook jobs, run by `manage.py jobsworker` (procrastinate discovers this module)."""

from __future__ import annotations

from django_tenants.utils import schema_context
from procrastinate.contrib.django import app

from parlor.webhooks.enqueue import DELIVER_TASK, QUEUE
from parlor.webhooks.sending import delivery_attempt


@app.task(name=DELIVER_TASK, queue=QUEUE)
def webhook_deliver(schema_name: str, delivery_id: int) -> None:
    """Try one delivery; a failure schedules its own retry (parlor.webhooks.retries)."""
    # procrastinate's tables are in the public schema; the delivery is in the tenant's.
    with schema_context(schema_name):
        delivery_attempt(schema_name=schema_name, delivery_id=delivery_id)
