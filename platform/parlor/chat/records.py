"""Plain records the chat services and selectors return: no ORM objects cross into async code."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class StoredMessage:
    """A message as committed in its room."""

    id: int
    room_id: str
    seq: int
    sender_kind: str
    sender_id: str
    sender_name: str
    body: str
    client_msg_id: str
    sent_at: datetime


@dataclass(frozen=True, slots=True)
class MessageSent:
    """The outcome of `message_send`: the stored message, whether this call stored it, and
    the status it reopened its conversation from (None: it reopened nothing)."""

    message: StoredMessage
    created: bool
    reopened_from: str | None = None


@dataclass(frozen=True, slots=True)
class MessagePage:
    """Messages of one room in seq order (oldest first), and whether more lie beyond them."""

    messages: list[StoredMessage]
    has_more: bool


@dataclass(frozen=True, slots=True)
class RoomJoined:
    """A room as a joining member sees it: its kind, newest seq, read position and messages."""

    room_id: str
    kind: str
    last_seq: int
    read_seq: int
    page: MessagePage = field(default_factory=lambda: MessagePage([], False))


@dataclass(frozen=True, slots=True)
class StoredRoom:
    """A room as stored: its owner (conversations only) and the seq of its newest message."""

    id: str
    kind: str
    owner_kind: str
    owner_id: str
    created_at: datetime
    last_seq: int
    status: str = "open"
    snoozed_until: datetime | None = None
    assignee: int | None = None
    last_activity_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class RoomPage:
    """Rooms newest first, and the position after the last one when more follow."""

    rooms: list[StoredRoom]
    after: tuple[datetime, str] | None


@dataclass(frozen=True, slots=True)
class RoomActivity:
    """A room with its newest message (None while empty), for lists ordered by activity."""

    room: StoredRoom
    last_message: StoredMessage | None
