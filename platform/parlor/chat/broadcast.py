"""Publishing a stored message to the live sockets of its room (and the tenant's agents' inbox).

Called only after `services.message_send` has committed, by the consumer and the REST API alike.
"""

from __future__ import annotations

from typing import Any

from channels.layers import BaseChannelLayer, get_channel_layer

from parlor.base.groups import room_group_name, tenant_agents_group_name
from parlor.chat import frames
from parlor.chat.frames import encode
from parlor.chat.models import RoomKind
from parlor.chat.permissions import room_kind_of
from parlor.chat.records import MessageSent, StoredMessage
from parlor.realtime import protocol

# Channel-layer event types (between server processes, never seen by clients).
# A stored message: group, room, seq, text (the frame, encoded once).
EVENT_ROOM_MESSAGE = "room.message"
EVENT_AGENTS_INBOX = "agents.inbox"  # a conversation's new message, to the tenant's agents


async def message_broadcast(
    *, tenant_id: int, sent: MessageSent, channel_layer: BaseChannelLayer | None = None
) -> None:
    """Send a committed message to its room's sockets; a new conversation message to agents."""
    layer = channel_layer or get_channel_layer()
    message = sent.message
    # A repeated client_msg_id is broadcast again: receivers drop the seq they already
    # have, and a broadcast lost to a crash between commit and publish is repaired.
    text = encode(frames.message_fields(message))
    group = room_group_name(tenant_id, message.room_id)
    await layer.group_send(
        group,
        {
            "type": EVENT_ROOM_MESSAGE,
            "group": group,
            "room": message.room_id,
            "seq": message.seq,
            "text": text,
        },
    )
    if sent.created and room_kind_of(message.room_id) is RoomKind.CONVERSATION:
        inbox = encode(
            {
                "type": protocol.SERVER_INBOX,
                "room": message.room_id,
                "message": message_item(message),
            }
        )
        await layer.group_send(
            tenant_agents_group_name(tenant_id), {"type": EVENT_AGENTS_INBOX, "text": inbox}
        )


def message_item(message: StoredMessage) -> dict[str, Any]:
    """Return a message as it appears inside `joined`, `history` and `inbox`: no `type`."""
    item = frames.message_fields(message)
    del item["type"]
    return item
