"""Round-robin auto-assignment of new conversations among the tenant's available agents."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from parlor.base.db import in_schema
from parlor.base.identity import TenantRef
from parlor.chat.availability import agents_online, staff_user_id
from parlor.chat.models import AgentAvailability, InboxSettings, Room
from parlor.chat.workflow import Actor, conversation_update

logger = logging.getLogger(__name__)
ACTOR = Actor(name="Auto-assign")


def auto_assign_enabled() -> bool:
    """Return whether the current tenant assigns new conversations by round robin."""
    return InboxSettings.objects.filter(id=1, auto_assign=True).exists()


def auto_assign_set(*, enabled: bool) -> None:
    """Turn round-robin auto-assignment on or off for the current tenant."""
    InboxSettings.objects.update_or_create(id=1, defaults={"auto_assign": enabled})


def round_robin_pick(candidates: list[int]) -> int | None:
    """Return the candidate assigned least recently (never first), or None."""
    if not candidates:
        return None
    for user_id in candidates:
        AgentAvailability.objects.get_or_create(user_id=user_id)
    row = (
        AgentAvailability.objects.filter(user_id__in=candidates)
        .order_by(F("last_assigned_at").asc(nulls_first=True), "user_id")
        .values_list("user_id", flat=True)
        .first()
    )
    return row


def _assign_new(tenant: TenantRef, room_id: str, candidates: list[int]) -> int | None:
    with transaction.atomic():
        if not auto_assign_enabled():
            return None
        if Room.objects.filter(id=room_id, assignee__isnull=False).exists():
            return None
        user_id = round_robin_pick(candidates)
        if user_id is None:
            return None
        conversation_update(tenant=tenant, room_id=room_id, actor=ACTOR, assignee=user_id)
        AgentAvailability.objects.filter(user_id=user_id).update(last_assigned_at=timezone.now())
        return user_id


async def conversation_auto_assign(
    *, tenant: TenantRef, room_id: str, channel_layer: Any = None
) -> int | None:
    """Assign a new conversation to the available agent assigned least recently (if enabled)."""
    try:
        if not await in_schema(tenant.schema_name, auto_assign_enabled):
            return None
        online = await agents_online(tenant=tenant, channel_layer=channel_layer)
        candidates = sorted({uid for m in online if (uid := staff_user_id(m["id"])) is not None})
        return await in_schema(tenant.schema_name, _assign_new, tenant, room_id, candidates)
    except Exception:
        # The message is stored and delivered: a failed assignment leaves it unassigned.
        logger.exception("auto-assigning %s failed", room_id)
        return None
