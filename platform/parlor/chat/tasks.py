"""Conversation jobs: snoozed conversations wake up (reopen) when their time comes."""

from __future__ import annotations

import logging

from django.utils import timezone
from django_tenants.utils import schema_context
from procrastinate.contrib.django import app

from parlor.chat.models import Room, RoomKind, RoomStatus
from parlor.chat.workflow import Actor, conversation_update
from tenants.models import Tenant

logger = logging.getLogger(__name__)
SNOOZE_ACTOR = Actor(name="Snooze")
WAKE_BATCH = 500


@app.periodic(cron="* * * * *")
@app.task(name="snoozed_wake_every_minute", queue="maintenance", queueing_lock="snoozed_wake")
def snoozed_wake_every_minute(timestamp: int) -> None:
    """Reopen every tenant's snoozed conversations whose time has come."""
    for tenant in list(Tenant.objects.exclude(schema_name="public")):
        snoozed_wake(tenant)


def snoozed_wake(tenant: Tenant) -> int:
    """Reopen one tenant's snoozed conversations that are due; return how many woke."""
    with schema_context(tenant.schema_name):
        due = list(
            Room.objects.filter(
                kind=RoomKind.CONVERSATION,
                status=RoomStatus.SNOOZED,
                snoozed_until__lte=timezone.now(),
            ).values_list("id", flat=True)[:WAKE_BATCH]
        )
    for room_id in due:
        # One transaction each: its event, webhook and frames, like an agent reopening it.
        conversation_update(tenant=tenant, room_id=room_id, actor=SNOOZE_ACTOR, status="open")
    if due:
        logger.info("woke %d snoozed conversations in %s", len(due), tenant.schema_name)
    return len(due)
