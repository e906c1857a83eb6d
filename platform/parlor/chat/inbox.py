"""The agents' inbox: conversations of one status, newest activity first, with exact unread counts.

One query per page on the current tenant schema. Its order and filters follow the partial
indexes `chat_room_inbox` (status) and `chat_room_inbox_assignee` (assignee, status), so a page
costs the same with 10 or 10,000 conversations (chat/tests/test_inbox.py reads the plan).
Unread counts come from the agent's stored read position (`chat_membership.read_seq`): the
visitor's messages after it.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime

from django.db import connection

from parlor.chat.models import RoomStatus
from parlor.chat.records import StoredMessage, StoredRoom
from parlor.chat.tables import MESSAGE, ROOM

VIEWS = ("all", "mine", "unassigned")
INBOX_PAGE = 50
_ROOM_WIDTH = len(ROOM.columns)
_MESSAGE_WIDTH = len(MESSAGE.columns)

# {where} is one of the constant clauses below; values are parameters.
INBOX_SQL = f"""
SELECT {ROOM.column_list("r")}, {MESSAGE.column_list("m")},
    (SELECT count(*) FROM chat_message u
     WHERE u.room_id = r.id AND u.seq > COALESCE(mb.read_seq, 0) AND u.sender_kind <> 'agent'
    ) AS unread
FROM chat_room r
LEFT JOIN chat_message m ON m.room_id = r.id AND m.seq = r.last_seq
LEFT JOIN chat_membership mb
    ON mb.room_id = r.id AND mb.member_kind = 'agent' AND mb.member_id = %(agent)s
WHERE r.kind = 'conversation' AND r.status = %(status)s {{where}}
ORDER BY r.last_activity_at DESC, r.id DESC
LIMIT %(limit)s
"""  # noqa: S608 (column lists are constants)
WHERE_VIEW = {
    "all": "",
    "mine": "AND r.assignee = %(user)s",
    "unassigned": "AND r.assignee IS NULL",
}
WHERE_AFTER = "AND (r.last_activity_at, r.id) < (%(at)s, %(id)s)"


@dataclass(frozen=True, slots=True)
class InboxRow:
    """One conversation of the inbox: the room, its newest message and the agent's unread."""

    room: StoredRoom
    last_message: StoredMessage | None
    unread: int


@dataclass(frozen=True, slots=True)
class InboxPage:
    """A page of the inbox and the cursor of the next one (None at the end)."""

    rows: list[InboxRow]
    next_cursor: str | None


def inbox_sql(*, view: str, paged: bool) -> str:
    """Return the inbox's statement for `view` (all, mine, unassigned), after a cursor or not."""
    where = WHERE_VIEW[view] + (" " + WHERE_AFTER if paged else "")
    return INBOX_SQL.replace("{where}", where)


def conversation_inbox(
    *,
    status: str,
    view: str,
    user_id: int | None,
    agent_subject: str,
    cursor: str | None = None,
    limit: int = INBOX_PAGE,
) -> InboxPage:
    """Return a page of the current tenant's conversations in `status`, newest activity first.

    `view` is all, mine (assigned to `user_id`) or unassigned; unread counts are the visitor's
    messages after the read position of the agent `agent_subject`. A bad cursor starts over.
    """
    if status not in RoomStatus.values or view not in VIEWS:
        raise ValueError("unknown inbox status or view")
    after = cursor_decode(cursor)
    params = {
        "status": status,
        "user": user_id,
        "agent": agent_subject,
        "limit": limit + 1,
        "at": after[0] if after else None,
        "id": after[1] if after else None,
    }
    with connection.cursor() as db:
        db.execute(inbox_sql(view=view, paged=after is not None), params)
        rows = [_row(row) for row in db.fetchall()]
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1].room if more and rows else None
    next_cursor = cursor_encode(last.last_activity_at, last.id) if last else None
    return InboxPage(rows=rows, next_cursor=next_cursor)


def _row(row: tuple) -> InboxRow:
    room = StoredRoom(*row[:_ROOM_WIDTH])
    message_row = row[_ROOM_WIDTH : _ROOM_WIDTH + _MESSAGE_WIDTH]
    message = StoredMessage(*message_row) if message_row[0] is not None else None
    return InboxRow(room=room, last_message=message, unread=row[-1])


def cursor_encode(at: datetime, room_id: str) -> str:
    """Return the opaque cursor after the conversation (at, room_id)."""
    return base64.urlsafe_b64encode(f"{at.isoformat()}|{room_id}".encode()).decode()


def cursor_decode(cursor: str | None) -> tuple[datetime, str] | None:
    """Return the position a cursor names, or None (absent or not one of ours)."""
    if not cursor or len(cursor) > 200:
        return None
    try:
        at, room_id = base64.urlsafe_b64decode(cursor.encode()).decode().split("|", 1)
        return datetime.fromisoformat(at), room_id
    except (ValueError, UnicodeDecodeError):
        return None
