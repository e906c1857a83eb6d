"""Publishing a stored message to the live sockets of its room (and the tenant's agents' inbox).

Called only after the message has committed, by every producer (socket, REST, dashboard). It
never raises: the message is stored, so its sender's answer is success whatever the channel
layer does. A publish lost to a layer failure is logged once and repaired by the receivers
(a seq gap on the next message, or the catch-up every socket makes when the layer returns).
"""

from __future__ import annotations

import time
from typing import Any

from channels.layers import BaseChannelLayer, get_channel_layer

from parlor.base.groups import room_group_name, tenant_agents_group_name
from parlor.chat import frames
from parlor.chat.events import ROOM_MESSAGE, AgentsInbox, RoomMessage
from parlor.chat.fanout import publish
from parlor.chat.frames import encode
from parlor.chat.models import RoomKind
from parlor.chat.permissions import room_kind_of
from parlor.chat.records import MessageSent, StoredMessage
from parlor.realtime import protocol

# The event type names stay importable from here (parlor.chat.events lists them all).
EVENT_ROOM_MESSAGE = ROOM_MESSAGE


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
    event = RoomMessage(
        group=group, room=message.room_id, seq=message.seq, text=text, published_at=time.time()
    )
    await publish(layer, group, event)
    if sent.created and room_kind_of(message.room_id) is RoomKind.CONVERSATION:
        inbox = encode(
            {
                "type": protocol.SERVER_INBOX,
                "room": message.room_id,
                "message": message_item(message),
            }
        )
        agents = tenant_agents_group_name(tenant_id)
        await publish(layer, agents, AgentsInbox(group=agents, text=inbox))


def message_item(message: StoredMessage) -> dict[str, Any]:
    """Return a message as it appears inside `joined`, `history` and `inbox`: no `type`."""
    item = frames.message_fields(message)
    del item["type"]
    return item
