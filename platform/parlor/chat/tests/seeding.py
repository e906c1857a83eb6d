"""Rooms and messages written straight to the current schema, at chosen times (for search,
export and analytics tests, which need known timestamps and many rows fast)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from parlor.chat.models import Message, Room, RoomKind

# (sender_kind, sender_id, body, sent_at)
Line = tuple[str, str, str, datetime]


def room_seed(
    *,
    created_at: datetime,
    lines: Iterable[Line] = (),
    owner: tuple[str, str] | None = None,
    room_id: str | None = None,
) -> str:
    """Create a conversation (of `owner`, a new visitor by default) with `lines`; return its id."""
    room_id = room_id or f"c-seed{uuid.uuid4().hex[:24]}"
    owner_kind, owner_id = owner or ("visitor", f"v_{uuid.uuid4().hex[:20]}")
    messages = [
        Message(
            room_id=room_id,
            seq=seq,
            sender_kind=kind,
            sender_id=owner_id if sender == "owner" else sender,
            sender_name="",
            body=body,
            client_msg_id=uuid.uuid4().hex,
            sent_at=sent_at,
        )
        for seq, (kind, sender, body, sent_at) in enumerate(lines, start=1)
    ]
    Room.objects.create(
        id=room_id,
        kind=RoomKind.CONVERSATION,
        owner_kind=owner_kind,
        owner_id=owner_id,
        last_seq=len(messages),
    )
    # auto_now_add ignores a given value: set the start afterwards.
    Room.objects.filter(id=room_id).update(created_at=created_at)
    Message.objects.bulk_create(messages, batch_size=1000)
    return room_id
