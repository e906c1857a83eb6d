"""The one message-posting service: every producer's message is checked, stored, then published.

The socket, the REST API and the dashboard post through here, and so will every later
producer (webhooks, email replies, bots). Both entry points share the checks
(parlor.chat.message_input), the statements (parlor.chat.statements) and the broadcast
(parlor.chat.broadcast); they differ only in how they reach the database:

* `message_post_async` (event loop): group-committed through the hot path's pool; the
  sender's acknowledgement runs once the row is durable, then the message is published.
* `message_post` (sync code): Django's connection; the publish is registered with
  `transaction.on_commit` (Zulip's send_event_on_commit) and handed to the server's event
  loop without waiting for it, so no sync caller blocks on the loop through async_to_sync.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from parlor.base import schemas
from parlor.base.errors import PermissionDenied
from parlor.base.identity import Principal
from parlor.base.server_loop import coroutine_hand_off
from parlor.chat import services, statements
from parlor.chat.assignment import conversation_auto_assign
from parlor.chat.broadcast import message_broadcast
from parlor.chat.ingest import message_writer
from parlor.chat.message_input import message_input_check
from parlor.chat.permissions import may_join, own_conversation
from parlor.chat.records import MessageSent
from parlor.chat.workflow import reopened_publish
from parlor.observability import metrics


async def message_post_async(
    *,
    sender: Principal,
    room_id: str,
    body: object,
    client_msg_id: object,
    acknowledge: Callable[[MessageSent], None] | None = None,
    channel_layer: Any = None,
) -> MessageSent:
    """Check, store (group commit) and publish a message; `acknowledge` runs once it is durable."""
    checked = message_input_check(body=body, client_msg_id=client_msg_id)
    if not may_join(sender, room_id):
        raise PermissionDenied("this token may not write to that room.", code="forbidden")
    params = statements.send_params(
        room_id=room_id,
        sender=sender,
        body=checked.body,
        client_msg_id=checked.client_msg_id,
        sent_at=timezone.now(),
    )
    sent = await message_writer().store(
        schema=schemas.tenant_schema(sender.tenant),
        params=params,
        begins_conversation=own_conversation(sender) == room_id,
    )
    if sent.created:
        metrics.messages_stored.inc()
    if acknowledge is not None:
        acknowledge(sent)
    await message_broadcast(tenant_id=sender.tenant.id, sent=sent, channel_layer=channel_layer)
    await _workflow_after(sender, sent, channel_layer)
    return sent


async def _workflow_after(sender: Principal, sent: MessageSent, channel_layer: Any) -> None:
    """Announce a reopened conversation; auto-assign a conversation that has just begun."""
    if not sent.created:
        return
    room_id = sent.message.room_id
    if sent.reopened_from is not None:
        await reopened_publish(
            tenant_id=sender.tenant.id,
            room_id=room_id,
            actor=sender.name or "Visitor",
            previous=sent.reopened_from,
            channel_layer=channel_layer,
        )
    if sent.message.seq == 1 and own_conversation(sender) == room_id:
        await conversation_auto_assign(
            tenant=sender.tenant, room_id=room_id, channel_layer=channel_layer
        )


def message_post(
    *, sender: Principal, room_id: str, body: object, client_msg_id: object
) -> MessageSent:
    """Check and store a message from sync code; publish it once the transaction commits."""
    checked = message_input_check(body=body, client_msg_id=client_msg_id)
    sent = services.message_send(
        room_id=room_id, sender=sender, body=checked.body, client_msg_id=checked.client_msg_id
    )
    tenant_id = sender.tenant.id
    if sent.created:
        transaction.on_commit(metrics.messages_stored.inc, robust=True)
    transaction.on_commit(lambda: _publish_from_sync(tenant_id, sent), robust=True)
    return sent


def _publish_from_sync(tenant_id: int, sent: MessageSent) -> None:
    # Receivers repair a lost publish from storage (gap-free seq): no need to wait for it.
    coroutine_hand_off(
        message_broadcast(tenant_id=tenant_id, sent=sent), what="publishing a stored message"
    )
    if sent.reopened_from is not None:
        coroutine_hand_off(
            reopened_publish(
                tenant_id=tenant_id,
                room_id=sent.message.room_id,
                actor=sent.message.sender_name or "Visitor",
                previous=sent.reopened_from,
            ),
            what="publishing a reopened conversation",
        )
