"""The conversation workflow: status, snooze, assignment and internal notes, as stored events.

Every change is one transaction that updates the room, stores a `ConversationEvent` (the
transcript shows it: "Dana resolved this") and enqueues the `conversation.updated` webhook
through the transactional outbox. Once it commits, the room's sockets (visitor included) get
`{"type": "conversation", "room", "status"}` when the status changed, and the tenant's agents a
`conversation.event` frame. Notes go to agents only: they are events, never messages, so no
visitor's socket or history can carry one. A visitor's message reopens a resolved or snoozed
conversation in the posting statement itself (parlor.chat.statements.INSERT_MESSAGE).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from parlor.base.errors import NotFound, ValidationFailed
from parlor.base.groups import ROOM_ID_PATTERN, room_group_name, tenant_agents_group_name
from parlor.base.server_loop import coroutine_hand_off
from parlor.base.times import isoformat
from parlor.chat.events import AgentsInbox, RoomEvent
from parlor.chat.fanout import publish
from parlor.chat.frames import encode
from parlor.chat.models import ConversationEvent, Room, RoomKind, RoomStatus
from parlor.realtime import protocol
from parlor.webhooks.enqueue import EventToSend, webhook_event_enqueue
from parlor.webhooks.events import CONVERSATION_UPDATED

NOTE_MAX_CHARS = 4000
UNCHANGED: Any = object()


class TenantLike(Protocol):
    """A tenant or a TenantRef: what the workflow needs to know of it."""

    id: int
    slug: str
    schema_name: str


@dataclass(frozen=True)
class Actor:
    """Who makes a change: a display name (stored in events) and the staff user, if any."""

    name: str
    user_id: int | None = None


def conversation_update(
    *,
    tenant: TenantLike,
    room_id: str,
    actor: Actor,
    status: str = UNCHANGED,
    assignee: int | None = UNCHANGED,
    snoozed_until: datetime | None = UNCHANGED,
) -> Room:
    """Change a conversation's status (snoozed needs a future `snoozed_until`) and assignee.

    Raise ValidationFailed (nothing changes) or NotFound; return the room as stored.
    """
    with schema_context(tenant.schema_name), transaction.atomic():
        room = _room_locked(room_id)
        if status is not UNCHANGED:
            _check_status(status, snoozed_until)
        elif snoozed_until is not UNCHANGED and snoozed_until is not None:
            status = RoomStatus.SNOOZED.value
            _check_status(status, snoozed_until)
        if assignee is not UNCHANGED:
            assignee_name = _check_assignee(assignee)
        events = []
        if status is not UNCHANGED:
            events += _status_change(room, actor, status, snoozed_until)
        if assignee is not UNCHANGED and assignee != room.assignee:
            detail = {"from": room.assignee, "to": assignee, "to_name": assignee_name}
            room.assignee = assignee
            events.append(_event(room, "assigned", actor, detail))
        if not events:
            return room
        room.save(update_fields=["status", "snoozed_until", "assignee"])
        _after_change(tenant, room, events, actor)
        return room


def conversation_note_add(*, tenant: TenantLike, room_id: str, actor: Actor, body: str) -> dict:
    """Store an internal note (staff only, never sent to the visitor); return it as an item."""
    text = body.strip() if isinstance(body, str) else ""
    if not text or len(text) > NOTE_MAX_CHARS:
        raise ValidationFailed(
            f"a note must be 1 to {NOTE_MAX_CHARS} characters.", code="invalid_note"
        )
    with schema_context(tenant.schema_name), transaction.atomic():
        room = _room_locked(room_id)
        event = _event(room, "note", actor, {"body": text})
        item = event_item(event)
        transaction.on_commit(
            lambda: _publish(tenant, room, [item], status_changed=False), robust=True
        )
        return item


def conversation_events(*, tenant: TenantLike, room_id: str) -> list[dict]:
    """Return a conversation's stored events (notes included: staff only), oldest first."""
    with schema_context(tenant.schema_name):
        rows = ConversationEvent.objects.filter(room_id=room_id).order_by("created_at", "id")
        return [event_item(event) for event in rows]


def event_item(event: ConversationEvent) -> dict:
    """Return an event as frames and pages show it, with its sentence ("Dana resolved this")."""
    return {
        "id": event.id,
        "kind": event.kind,
        "actor": event.actor,
        "detail": event.detail,
        "created_at": isoformat(event.created_at),
        "text": event_sentence(event.kind, event.actor, event.detail),
    }


def event_sentence(kind: str, actor: str, detail: dict) -> str:
    """Return the transcript's sentence for an event (notes: the note's author)."""
    if kind == "status_changed":
        to = detail.get("to")
        if to == RoomStatus.RESOLVED:
            return f"{actor} resolved this"
        if to == RoomStatus.SNOOZED:
            return f"{actor} snoozed this until {detail.get('until', '')}".strip()
        if to == RoomStatus.OPEN and detail.get("from") in ("resolved", "snoozed"):
            return f"{actor} reopened this"
        return f"{actor} set the status to {to}"
    if kind == "assigned":
        if detail.get("to") is None:
            return f"{actor} unassigned this"
        return f"{actor} assigned this to {detail.get('to_name') or detail.get('to')}"
    if kind == "note":
        return f"Note by {actor}"
    if kind == "created":
        return f"{actor} started the conversation"
    return f"{actor}: {kind}"


def conversation_data(room: Room, changes: dict, actor: str) -> dict:
    """Return the `conversation.updated` webhook's data (the hot path's reopen builds the same)."""
    return {
        "conversation": {
            "id": room.id,
            "status": room.status,
            "assignee": room.assignee,
            "snoozed_until": isoformat(room.snoozed_until) if room.snoozed_until else None,
        },
        "changes": changes,
        "actor": actor,
    }


def _room_locked(room_id: str) -> Room:
    room = None
    if isinstance(room_id, str) and ROOM_ID_PATTERN.fullmatch(room_id):
        room = Room.objects.select_for_update().filter(id=room_id).first()
    if room is None or room.kind != RoomKind.CONVERSATION:
        raise NotFound("no such conversation.", code="room_not_found")
    return room


def _check_status(status: str, snoozed_until: datetime | None) -> None:
    if status not in RoomStatus.values:
        raise ValidationFailed(
            f"status must be one of {', '.join(RoomStatus.values)}.", code="invalid_status"
        )
    if status == RoomStatus.SNOOZED:
        if not isinstance(snoozed_until, datetime):
            raise ValidationFailed("snoozing needs a time to wake up.", code="snooze_time_missing")
        if snoozed_until <= timezone.now():
            raise ValidationFailed(
                "the snooze time is in the past: choose a later time.", code="snooze_in_past"
            )


def _check_assignee(assignee: int | None) -> str:
    """Return the assignee's name; raise unless it is an active staff user of this tenant."""
    if assignee is None:
        return ""
    user = None
    if isinstance(assignee, int) and not isinstance(assignee, bool):
        user = get_user_model().objects.filter(pk=assignee, is_staff=True).first()
    if user is None:
        raise ValidationFailed("no such staff member in this team.", code="assignee_unknown")
    if not user.is_active:
        raise ValidationFailed(
            "that staff member is deactivated: assign someone else.", code="assignee_inactive"
        )
    return (user.get_full_name() or user.get_username()).strip()


def _status_change(
    room: Room, actor: Actor, status: str, until: datetime | None
) -> list[ConversationEvent]:
    new_until = until if status == RoomStatus.SNOOZED else None
    if status == room.status and new_until == room.snoozed_until:
        return []
    detail: dict[str, Any] = {"from": room.status, "to": status}
    if new_until is not None:
        detail["until"] = isoformat(new_until)
    room.status, room.snoozed_until = status, new_until
    return [_event(room, "status_changed", actor, detail)]


def _event(room: Room, kind: str, actor: Actor, detail: dict) -> ConversationEvent:
    return ConversationEvent.objects.create(
        room=room, kind=kind, actor=actor.name, detail=detail, created_at=timezone.now()
    )


def _after_change(
    tenant: TenantLike, room: Room, events: list[ConversationEvent], actor: Actor
) -> None:
    changes = {}
    for event in events:
        changes["status" if event.kind == "status_changed" else "assignee"] = {
            "from": event.detail.get("from"),
            "to": event.detail.get("to"),
        }
    webhook_event_enqueue(
        schema_name=tenant.schema_name,
        event=EventToSend(
            type=CONVERSATION_UPDATED,
            tenant=tenant.slug,
            room=room.id,
            seq=room.last_seq,
            data=conversation_data(room, changes, actor.name),
            at=timezone.now(),
        ),
    )
    items = [event_item(event) for event in events]
    status_changed = "status" in changes
    transaction.on_commit(
        lambda: _publish(tenant, room, items, status_changed=status_changed), robust=True
    )


def _publish(tenant: TenantLike, room: Room, items: list[dict], *, status_changed: bool) -> None:
    state = {
        "status": room.status,
        "assignee": room.assignee,
        "snoozed_until": isoformat(room.snoozed_until) if room.snoozed_until else None,
    }
    coroutine_hand_off(
        conversation_publish(
            tenant_id=tenant.id,
            room_id=room.id,
            state=state,
            items=items,
            status_changed=status_changed,
        ),
        what="publishing a conversation change",
    )


async def conversation_publish(
    *,
    tenant_id: int,
    room_id: str,
    state: dict,
    items: list[dict],
    status_changed: bool,
    channel_layer: Any = None,
) -> None:
    """Send a committed change: the status to the room's sockets, the events to the agents."""
    from channels.layers import get_channel_layer

    layer = channel_layer or get_channel_layer()
    if status_changed:
        group = room_group_name(tenant_id, room_id)
        frame = {"type": protocol.SERVER_CONVERSATION, "room": room_id, "status": state["status"]}
        await publish(layer, group, RoomEvent(group=group, room=room_id, text=encode(frame)))
    agents = tenant_agents_group_name(tenant_id)
    for item in items:
        frame = {
            "type": protocol.SERVER_CONVERSATION_EVENT,
            "room": room_id,
            "conversation": state,
            "event": item,
        }
        await publish(layer, agents, AgentsInbox(group=agents, text=encode(frame)))


async def reopened_publish(
    *, tenant_id: int, room_id: str, actor: str, previous: str, channel_layer: Any = None
) -> None:
    """Announce a conversation a visitor's message reopened (stored by the posting statement)."""
    item = {
        "id": None,
        "kind": "status_changed",
        "actor": actor,
        "detail": {"from": previous, "to": RoomStatus.OPEN.value},
        "created_at": isoformat(timezone.now()),
        "text": event_sentence("status_changed", actor, {"from": previous, "to": "open"}),
    }
    await conversation_publish(
        tenant_id=tenant_id,
        room_id=room_id,
        state={"status": RoomStatus.OPEN.value},
        items=[item],
        status_changed=True,
        channel_layer=channel_layer,
    )
