"""Webhook test fixtures: endpoints, events and jobs removed after each test."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from parlor.base.identity import Principal, PrincipalKind, TenantRef
from parlor.chat.models import Room, RoomKind
from parlor.webhooks.models import WebhookEndpoint, WebhookEvent


@pytest.fixture
def clean_webhooks(live_db, tenant_alpha, tenant_bravo):
    """Yield, then delete every endpoint, event and webhook job the test left."""
    yield
    for created in (tenant_alpha, tenant_bravo):
        with schema_context(created.tenant.schema_name):
            WebhookEvent.objects.all().delete()
            WebhookEndpoint.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM public.procrastinate_jobs WHERE queue_name = 'webhooks'")
    connection.set_schema_to_public()


def unique(prefix: str) -> str:
    """Return a fresh name."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def channel_create(created) -> str:
    """Create a channel in `created`'s schema and return its id."""
    room_id = unique("hooks")
    with schema_context(created.tenant.schema_name):
        Room.objects.create(id=room_id, kind=RoomKind.CHANNEL)
    return room_id


def agent(created) -> Principal:
    """Return an agent principal of `created` that may write anywhere."""
    tenant = created.tenant
    return Principal(
        kind=PrincipalKind.AGENT,
        subject=unique("agent"),
        name="Ada",
        tenant=TenantRef(id=tenant.id, slug=tenant.slug, schema_name=tenant.schema_name),
        token_id="t",
        issued_at=0,
        expires_at=0,
        rooms=("*",),
    )


def webhook_jobs() -> list[tuple[str, dict]]:
    """Return (status, args) of every webhook job in procrastinate's table."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT status::text, args FROM public.procrastinate_jobs"
            " WHERE queue_name = 'webhooks' ORDER BY id"
        )
        return [
            (status, args if isinstance(args, dict) else __import__("json").loads(args))
            for status, args in cursor.fetchall()
        ]
