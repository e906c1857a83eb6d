"""Who may join which room: follows from the token's kind, subject and `rooms` grant."""

from __future__ import annotations

from parlor.base.conversations import CONVERSATION_PREFIX, conversation_room_id
from parlor.base.identity import Principal
from parlor.chat.models import RoomKind

ALL_ROOMS = "*"


def room_kind_of(room_id: str) -> RoomKind:
    """Return the kind a room id names: ids starting with `c-` are conversations."""
    if room_id.startswith(CONVERSATION_PREFIX):
        return RoomKind.CONVERSATION
    return RoomKind.CHANNEL


def own_conversation(principal: Principal) -> str | None:
    """Return the room id of the principal's own conversation (None for agents)."""
    if principal.is_agent:
        return None
    return conversation_room_id(kind=principal.kind, subject=principal.subject)


def may_join(principal: Principal, room_id: str) -> bool:
    """Return True if `principal` may join (and so read and write) `room_id` of its tenant."""
    if principal.is_agent:
        return True
    if room_kind_of(room_id) is RoomKind.CONVERSATION:
        return room_id == own_conversation(principal)
    return ALL_ROOMS in principal.rooms or room_id in principal.rooms
