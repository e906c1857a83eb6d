"""Reads of rooms and messages for sync code (the dashboard, the REST API), in the tenant's schema.

The socket's reads take the async hot path instead (parlor.chat.store).
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection

from parlor.chat.records import MessagePage, RoomActivity, RoomPage, StoredMessage, StoredRoom
from parlor.chat.tables import MESSAGE, ROOM

ROOM_WIDTH = len(ROOM.columns)
# Column lists come from parlor.chat.tables (constants), never from input.
SELECT_MESSAGES = f"SELECT {MESSAGE.column_list()} FROM chat_message WHERE room_id = %s"  # noqa: S608
MESSAGES_AFTER_SQL = SELECT_MESSAGES + " AND seq > %s ORDER BY seq LIMIT %s"
MESSAGES_BEFORE_SQL = SELECT_MESSAGES + " AND seq < %s ORDER BY seq DESC LIMIT %s"
SELECT_ROOMS = f"SELECT {ROOM.column_list('r')} FROM chat_room r"  # noqa: S608
ROOM_SQL = SELECT_ROOMS + " WHERE r.id = %s"
ROOMS_SQL = SELECT_ROOMS + " WHERE (%s::text IS NULL OR r.kind = %s)"
ROOMS_AFTER_SQL = ROOMS_SQL + " AND (r.created_at, r.id) < (%s, %s)"
ROOMS_ORDER_SQL = " ORDER BY r.created_at DESC, r.id DESC LIMIT %s"
# Newest activity first: the newest message's time, or the room's creation while it is empty.
ROOMS_BY_ACTIVITY_SQL = f"""
SELECT {ROOM.column_list("r")}, {MESSAGE.column_list("m")}
FROM chat_room r LEFT JOIN chat_message m ON m.room_id = r.id AND m.seq = r.last_seq
WHERE (%s::text IS NULL OR r.kind = %s)
ORDER BY COALESCE(m.sent_at, r.created_at) DESC, r.id DESC
LIMIT %s
"""  # noqa: S608


def message_list(
    *, room_id: str, before: int | None = None, after: int | None = None, limit: int
) -> MessagePage:
    """Return up to `limit` messages of a room, oldest first: after `after`, else before `before`.

    With neither, the most recent ones.
    """
    if after is not None:
        rows = _fetch(MESSAGES_AFTER_SQL, [room_id, after, limit + 1])
        return MessagePage(messages=rows[:limit], has_more=len(rows) > limit)
    bound = before if before is not None else 2**63 - 1
    rows = _fetch(MESSAGES_BEFORE_SQL, [room_id, bound, limit + 1])
    return MessagePage(messages=rows[:limit][::-1], has_more=len(rows) > limit)


def _fetch(sql: str, params: list) -> list[StoredMessage]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [StoredMessage(*row) for row in cursor.fetchall()]


def room_get(*, room_id: str) -> StoredRoom | None:
    """Return the room `room_id`, or None when it does not exist."""
    with connection.cursor() as cursor:
        cursor.execute(ROOM_SQL, [room_id])
        row = cursor.fetchone()
    return None if row is None else StoredRoom(*row)


def room_list(
    *, kind: str | None = None, after: tuple[datetime, str] | None = None, limit: int
) -> RoomPage:
    """Return up to `limit` rooms (of `kind`, when given), newest first, after the position `after`.

    A position is (created_at, id) of the last room of the previous page.
    """
    if after is None:
        sql, params = ROOMS_SQL + ROOMS_ORDER_SQL, [kind, kind, limit + 1]
    else:
        sql, params = ROOMS_AFTER_SQL + ROOMS_ORDER_SQL, [kind, kind, *after, limit + 1]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rooms = [StoredRoom(*row) for row in cursor.fetchall()]
    if len(rooms) <= limit:
        return RoomPage(rooms=rooms, after=None)
    last = rooms[limit - 1]
    return RoomPage(rooms=rooms[:limit], after=(last.created_at, last.id))


def room_list_by_activity(*, kind: str | None = None, limit: int) -> list[RoomActivity]:
    """Return up to `limit` rooms with their newest message, the most recently active first."""
    with connection.cursor() as cursor:
        cursor.execute(ROOMS_BY_ACTIVITY_SQL, [kind, kind, limit])
        rows = cursor.fetchall()
    return [
        RoomActivity(
            room=StoredRoom(*row[:ROOM_WIDTH]),
            last_message=StoredMessage(*row[ROOM_WIDTH:]) if row[ROOM_WIDTH] is not None else None,
        )
        for row in rows
    ]
