"""Reads of rooms and messages (run inside the tenant's schema, e.g. through `in_schema`)."""

from __future__ import annotations

from django.db import connection

from parlor.chat.records import MessagePage, StoredMessage

SELECT_MESSAGES = (
    "SELECT id, room_id, seq, sender_kind, sender_id, sender_name, body, client_msg_id, sent_at"
    " FROM chat_message WHERE room_id = %s"
)
MESSAGES_AFTER_SQL = SELECT_MESSAGES + " AND seq > %s ORDER BY seq LIMIT %s"
MESSAGES_BEFORE_SQL = SELECT_MESSAGES + " AND seq < %s ORDER BY seq DESC LIMIT %s"
MESSAGE_BY_CLIENT_ID_SQL = (
    SELECT_MESSAGES + " AND sender_kind = %s AND sender_id = %s AND client_msg_id = %s"
)


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


def message_get_by_client_id(
    *, room_id: str, sender_kind: str, sender_id: str, client_msg_id: str
) -> StoredMessage | None:
    """Return the message a sender stored in a room under `client_msg_id`, if any."""
    rows = _fetch(MESSAGE_BY_CLIENT_ID_SQL, [room_id, sender_kind, sender_id, client_msg_id])
    return rows[0] if rows else None


def room_last_seq(*, room_id: str) -> int | None:
    """Return the newest seq of a room (0 when empty), or None when the room does not exist."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_seq FROM chat_room WHERE id = %s", [room_id])
        row = cursor.fetchone()
    return None if row is None else row[0]


def _fetch(sql: str, params: list) -> list[StoredMessage]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [StoredMessage(*row) for row in cursor.fetchall()]
