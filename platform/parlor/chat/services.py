"""Writes of the chat core: join rooms, store messages in seq order, mark read positions.

Each runs inside the tenant's schema (through `parlor.base.db.in_schema`) and commits before it
returns, so callers broadcast only what is stored.
"""

from __future__ import annotations

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from parlor.base.errors import NotFound, PermissionDenied
from parlor.base.identity import Principal
from parlor.chat.models import RoomKind
from parlor.chat.permissions import may_join, own_conversation, room_kind_of
from parlor.chat.records import MessageSent, RoomJoined, StoredMessage
from parlor.chat.selectors import message_get_by_client_id, message_list
from parlor.chat.webhook_events import conversation_created_enqueue, message_created_enqueue

# One statement: the row lock taken by the UPDATE serialises writers of a room, and a failed
# INSERT (a repeated client_msg_id) undoes the increment, so seq stays gap-free.
INSERT_MESSAGE_SQL = """
WITH room AS (
    UPDATE chat_room SET last_seq = last_seq + 1 WHERE id = %s RETURNING last_seq
)
INSERT INTO chat_message
    (room_id, seq, sender_kind, sender_id, sender_name, body, client_msg_id, sent_at)
SELECT %s, room.last_seq, %s, %s, %s, %s, %s, %s FROM room
RETURNING id, seq
"""

UPSERT_MEMBERSHIP_SQL = """
INSERT INTO chat_membership (room_id, member_kind, member_id, member_name, read_seq, joined_at)
VALUES (%s, %s, %s, %s, 0, %s)
ON CONFLICT (room_id, member_kind, member_id) DO UPDATE SET member_name = EXCLUDED.member_name
RETURNING read_seq
"""

MARK_READ_SQL = """
INSERT INTO chat_membership (room_id, member_kind, member_id, member_name, read_seq, joined_at)
SELECT id, %s, %s, %s, LEAST(%s, last_seq), %s FROM chat_room WHERE id = %s
ON CONFLICT (room_id, member_kind, member_id)
DO UPDATE SET read_seq = GREATEST(chat_membership.read_seq, EXCLUDED.read_seq)
RETURNING read_seq
"""


def room_join(
    *, room_id: str, principal: Principal, since_seq: int | None, recent: int, page_size: int
) -> RoomJoined:
    """Join a room (creating a channel on first join) and return its state and messages.

    With `since_seq`, the messages after it (up to `page_size`); else the `recent` newest.
    A principal's own conversation that has no message yet joins as an empty room.
    """
    if not may_join(principal, room_id):
        raise PermissionDenied("this token may not join that room.", code="forbidden")
    kind = room_kind_of(room_id)
    last_seq = _room_ensure(room_id=room_id, kind=kind, principal=principal)
    if last_seq is None:
        return RoomJoined(room_id=room_id, kind=kind.value, last_seq=0, read_seq=0)
    read_seq = _membership_upsert(room_id=room_id, principal=principal)
    if since_seq is None:
        page = message_list(room_id=room_id, limit=recent)
    else:
        page = message_list(room_id=room_id, after=since_seq, limit=page_size)
    return RoomJoined(
        room_id=room_id, kind=kind.value, last_seq=last_seq, read_seq=read_seq, page=page
    )


def message_send(*, room_id: str, sender: Principal, body: str, client_msg_id: str) -> MessageSent:
    """Store a message with the room's next seq; a repeated client_msg_id returns the first."""
    if not may_join(sender, room_id):
        raise PermissionDenied("this token may not write to that room.", code="forbidden")
    sent_at = timezone.now()
    params = [
        room_id,
        room_id,
        sender.kind.value,
        sender.subject,
        sender.name,
        body,
        client_msg_id,
        sent_at,
    ]
    try:
        # One transaction: the message and its webhook events commit together or not at all.
        with transaction.atomic():
            row = _insert_message(params)
            if row is None and own_conversation(sender) == room_id:
                _conversation_create(room_id=room_id, owner=sender)
                conversation_created_enqueue(room_id=room_id, owner=sender)
                row = _insert_message(params)
            if row is None:
                raise NotFound("no such room.", code="not_found")
            message = StoredMessage(
                id=row[0],
                room_id=room_id,
                seq=row[1],
                sender_kind=sender.kind.value,
                sender_id=sender.subject,
                sender_name=sender.name,
                body=body,
                client_msg_id=client_msg_id,
                sent_at=sent_at,
            )
            message_created_enqueue(message=message, sender=sender)
    except IntegrityError:
        existing = message_get_by_client_id(
            room_id=room_id,
            sender_kind=sender.kind.value,
            sender_id=sender.subject,
            client_msg_id=client_msg_id,
        )
        if existing is None:
            raise
        return MessageSent(message=existing, created=False)
    return MessageSent(message=message, created=True)


def read_mark(*, room_id: str, principal: Principal, seq: int) -> int:
    """Move the principal's read position in a room forward to `seq`; return the new position.

    Positions never move back and never pass the room's newest seq.
    """
    if not may_join(principal, room_id):
        raise PermissionDenied("this token may not read that room.", code="forbidden")
    with connection.cursor() as cursor:
        cursor.execute(
            MARK_READ_SQL,
            [
                principal.kind.value,
                principal.subject,
                principal.name,
                seq,
                timezone.now(),
                room_id,
            ],
        )
        row = cursor.fetchone()
    if row is None:
        raise NotFound("no such room.", code="not_found")
    return row[0]


def _insert_message(params: list) -> tuple | None:
    with connection.cursor() as cursor:
        if connection.in_atomic_block:
            # Inside a caller's transaction a savepoint keeps it usable after IntegrityError.
            with transaction.atomic():
                cursor.execute(INSERT_MESSAGE_SQL, params)
        else:
            cursor.execute(INSERT_MESSAGE_SQL, params)
        return cursor.fetchone()


def _room_ensure(*, room_id: str, kind: RoomKind, principal: Principal) -> int | None:
    """Return the room's last seq, creating a channel; None for a conversation not yet begun."""
    with connection.cursor() as cursor:
        if kind is RoomKind.CHANNEL:
            cursor.execute(
                "INSERT INTO chat_room (id, kind, owner_kind, owner_id, created_at, last_seq)"
                " VALUES (%s, %s, '', '', %s, 0) ON CONFLICT (id) DO NOTHING",
                [room_id, kind.value, timezone.now()],
            )
        cursor.execute("SELECT last_seq FROM chat_room WHERE id = %s", [room_id])
        row = cursor.fetchone()
    if row is not None:
        return row[0]
    if principal.is_agent:
        raise NotFound("no such conversation.", code="not_found")
    return None


def _conversation_create(*, room_id: str, owner: Principal) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO chat_room (id, kind, owner_kind, owner_id, created_at, last_seq)"
            " VALUES (%s, %s, %s, %s, %s, 0) ON CONFLICT (id) DO NOTHING",
            [room_id, RoomKind.CONVERSATION.value, owner.kind.value, owner.subject, timezone.now()],
        )
    _membership_upsert(room_id=room_id, principal=owner)


def _membership_upsert(*, room_id: str, principal: Principal) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            UPSERT_MEMBERSHIP_SQL,
            [room_id, principal.kind.value, principal.subject, principal.name, timezone.now()],
        )
        return cursor.fetchone()[0]
