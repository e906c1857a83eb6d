"""The chat core's webhook events, enqueued inside the transaction that stores their cause."""

from __future__ import annotations

from django.utils import timezone

from parlor.base.identity import Principal
from parlor.base.times import isoformat
from parlor.chat.broadcast import message_item
from parlor.chat.records import StoredMessage
from parlor.webhooks.enqueue import EventToSend, webhook_event_enqueue
from parlor.webhooks.events import CONVERSATION_CREATED, MESSAGE_CREATED


def message_created_enqueue(*, message: StoredMessage, sender: Principal) -> None:
    """Enqueue `message.created` for a message just stored (same transaction)."""
    item = {**message_item(message), "sent_at": isoformat(message.sent_at)}
    _enqueue(sender, MESSAGE_CREATED, room=message.room_id, seq=message.seq, data={"message": item})


def conversation_created_enqueue(*, room_id: str, owner: Principal) -> None:
    """Enqueue `conversation.created` for a conversation just begun by its owner."""
    data = {
        "conversation": {"id": room_id, "owner": {"kind": owner.kind.value, "id": owner.subject}}
    }
    _enqueue(owner, CONVERSATION_CREATED, room=room_id, seq=0, data=data)


def _enqueue(principal: Principal, event_type: str, *, room: str, seq: int, data: dict) -> None:
    event = EventToSend(
        type=event_type,
        tenant=principal.tenant.slug,
        room=room,
        seq=seq,
        data=data,
        at=timezone.now(),
    )
    webhook_event_enqueue(schema_name=principal.tenant.schema_name, event=event)
