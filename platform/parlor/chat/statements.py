"""The chat core's SQL, schema-qualified: rendered once per tenant schema, shared by both paths.

The async hot path (parlor.chat.store) and the sync store (parlor.chat.services) run the
same text. Tables are named as `"schema"."table"` through `psycopg.sql.Identifier` from a
`TenantSchema`, so no call sets `search_path` and no other string can reach the statement.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

import orjson
from psycopg import sql

from parlor.base.identity import Principal
from parlor.base.schemas import TenantSchema
from parlor.chat.records import MessageSent, StoredMessage
from parlor.chat.tables import CONVERSATION_EVENT, MEMBERSHIP, MESSAGE, ROOM
from parlor.webhooks.enqueue import OUTBOX_TABLES, outbox_ctes, timestamp_sql
from parlor.webhooks.events import CONVERSATION_CREATED, CONVERSATION_UPDATED, MESSAGE_CREATED

# The webhook events of a stored message and of a conversation begun (transactional outbox,
# parlor.webhooks.enqueue): written by the statement that stores their cause, so a rolled-back
# batch or a repeated client_msg_id enqueues nothing. Payloads as parlor.webhooks.events.
MESSAGE_CREATED_OUTBOX = outbox_ctes(
    name="message_created",
    event_type=MESSAGE_CREATED,
    source="inserted",
    room="room_id",
    seq="seq",
    data=f"""jsonb_build_object('message', jsonb_build_object(
        'room', room_id, 'id', id, 'seq', seq,
        'sender', jsonb_build_object('kind', sender_kind, 'id', sender_id, 'name', sender_name),
        'body', body, 'sent_at', {timestamp_sql("sent_at")}, 'client_msg_id', client_msg_id
    ))""",
)
CONVERSATION_CREATED_OUTBOX = outbox_ctes(
    name="conversation_created",
    event_type=CONVERSATION_CREATED,
    source="begun",
    room="room_id",
    seq="0",
    data="""jsonb_build_object('conversation', jsonb_build_object(
        'id', room_id, 'owner', jsonb_build_object('kind', member_kind, 'id', member_id)
    ))""",
)
# A visitor's message reopening a resolved or snoozed conversation: conversation.updated, in
# the shape parlor.chat.workflow.conversation_data gives it (test_workflow holds them together).
CONVERSATION_REOPENED_OUTBOX = outbox_ctes(
    name="conversation_updated",
    event_type=CONVERSATION_UPDATED,
    source="reopened",
    room="room_id",
    seq="seq",
    data="""jsonb_build_object(
        'conversation', jsonb_build_object(
            'id', room_id, 'status', 'open', 'assignee', assignee, 'snoozed_until', NULL),
        'changes', jsonb_build_object('status', detail),
        'actor', actor
    )""",
)

# Store a message with the room's next seq, in one statement; a repeated client_msg_id
# returns the stored one instead. The UPDATE's row lock serialises a room's writers; a
# room that does not exist returns no row. The room's activity moves to the message; a
# visitor's (or user's) message reopens a resolved or snoozed conversation, stored as a
# status_changed event with its conversation.updated webhook. Row: created, the status the
# message reopened from (NULL: none), then MESSAGE's columns.
INSERT_MESSAGE = """
WITH existing AS (
    SELECT {message_columns} FROM {message}
    WHERE client_msg_id = %(client_msg_id)s AND sender_id = %(sender_id)s
        AND sender_kind = %(sender_kind)s AND {room_unindexed} = %(room)s
), previous AS (
    SELECT status AS old_status FROM {room}
    WHERE id = %(room)s AND NOT EXISTS (SELECT FROM existing)
    FOR UPDATE
), room AS (
    UPDATE {room} SET last_seq = last_seq + 1, last_activity_at = %(sent_at)s,
        status = CASE WHEN %(sender_kind)s <> 'agent' AND old_status IN ('resolved', 'snoozed')
            THEN 'open' ELSE old_status END,
        snoozed_until = CASE WHEN %(sender_kind)s <> 'agent'
            AND old_status IN ('resolved', 'snoozed') THEN NULL ELSE snoozed_until END
    FROM previous
    WHERE id = %(room)s
    RETURNING last_seq, old_status, status AS new_status, assignee
), reopened AS (
    INSERT INTO {conversation_event} (room_id, kind, actor, detail, created_at)
    SELECT %(room)s, 'status_changed', COALESCE(NULLIF(%(sender_name)s, ''), 'Visitor'),
        jsonb_build_object('from', old_status, 'to', 'open'), %(sent_at)s
    FROM room WHERE old_status <> new_status
    RETURNING room_id, actor, detail,
        (SELECT last_seq FROM room) AS seq, (SELECT assignee FROM room) AS assignee
), {conversation_reopened_outbox}, inserted AS (
    INSERT INTO {message}
        (room_id, seq, sender_kind, sender_id, sender_name, body, client_msg_id, sent_at)
    SELECT %(room)s, room.last_seq, %(sender_kind)s, %(sender_id)s, %(sender_name)s, %(body)s,
        %(client_msg_id)s, %(sent_at)s
    FROM room
    RETURNING {message_columns}
), {message_created_outbox}
SELECT true, (SELECT detail->>'from' FROM reopened), * FROM inserted
UNION ALL SELECT false, NULL, * FROM existing
"""

# INSERT_MESSAGE for a batch of one schema's sends, in one statement (issue 11: one command
# and one executor run per batch, not one per send). `sends` is a JSON array with one array
# per send (batch_params: one C-encoded text, where eight array parameters cost psycopg ~20 us
# a send to encode), numbered by `ord`. A room's new messages take its next seqs in `ord`
# order; its row is locked (in id order: two batches never deadlock) and updated once, and
# its first visitor (or user) message of the batch reopens it. Rows: ord, then
# INSERT_MESSAGE's row; none for a send to a room that does not exist. Two sends of one batch
# with one client_msg_id fail it (unique key): the writer then stores each send alone.
INSERT_MESSAGES = """
WITH input AS (
    SELECT (send->>0)::int AS ord, send->>1 AS room_id, send->>2 AS sender_kind,
        send->>3 AS sender_id, send->>4 AS sender_name, send->>5 AS body,
        send->>6 AS client_msg_id, (send->>7)::timestamptz AS sent_at
    FROM jsonb_array_elements(%(sends)s::jsonb) AS send
), existing AS (
    -- One idempotency-key probe per send (LIMIT keeps the planner from making it a join).
    SELECT i.ord, m.* FROM input i, LATERAL (
        SELECT {message_columns} FROM {message}
        WHERE client_msg_id = i.client_msg_id AND sender_id = i.sender_id
            AND sender_kind = i.sender_kind AND {room_unindexed} = i.room_id
        LIMIT 1
    ) m
), fresh AS (
    SELECT i.*, row_number() OVER (PARTITION BY i.room_id ORDER BY i.ord) AS n FROM input i
    WHERE NOT EXISTS (SELECT FROM existing e WHERE e.ord = i.ord)
), added AS (
    SELECT room_id, count(*) AS count, max(sent_at) AS sent_at,
        min(ord) FILTER (WHERE sender_kind <> 'agent') AS reopener
    FROM fresh GROUP BY room_id
), previous AS (
    SELECT id, status AS old_status FROM {room}
    WHERE id = ANY(ARRAY(SELECT room_id FROM added)) ORDER BY id
    FOR UPDATE
), room AS (
    UPDATE {room} r SET last_seq = r.last_seq + added.count,
        last_activity_at = GREATEST(r.last_activity_at, added.sent_at),
        status = CASE WHEN added.reopener IS NOT NULL AND old_status IN ('resolved', 'snoozed')
            THEN 'open' ELSE old_status END,
        snoozed_until = CASE WHEN added.reopener IS NOT NULL
            AND old_status IN ('resolved', 'snoozed') THEN NULL ELSE r.snoozed_until END
    FROM previous JOIN added ON added.room_id = previous.id
    -- The id array as well as the join: the plan reaches each room by its key, whatever the
    -- table's size when the plan was made, instead of joining against a scan of every room.
    WHERE r.id = previous.id AND r.id = ANY(ARRAY(SELECT id FROM previous))
    RETURNING r.id, r.last_seq - added.count AS base_seq, old_status, r.status AS new_status,
        r.assignee, added.reopener
), numbered AS (
    SELECT fresh.*, room.base_seq + fresh.n AS seq FROM fresh JOIN room ON room.id = fresh.room_id
), reopening AS (
    SELECT room.id AS room_id, numbered.seq, room.assignee, room.old_status,
        numbered.sender_name, numbered.sent_at
    FROM room JOIN numbered ON numbered.ord = room.reopener
    WHERE room.old_status <> room.new_status
), reopened AS (
    INSERT INTO {conversation_event} AS event (room_id, kind, actor, detail, created_at)
    SELECT room_id, 'status_changed', COALESCE(NULLIF(sender_name, ''), 'Visitor'),
        jsonb_build_object('from', old_status, 'to', 'open'), sent_at
    FROM reopening
    RETURNING event.room_id, event.actor, event.detail,
        (SELECT seq FROM reopening WHERE reopening.room_id = event.room_id) AS seq,
        (SELECT assignee FROM reopening WHERE reopening.room_id = event.room_id) AS assignee
), {conversation_reopened_outbox}, inserted AS (
    INSERT INTO {message}
        (room_id, seq, sender_kind, sender_id, sender_name, body, client_msg_id, sent_at)
    SELECT room_id, seq, sender_kind, sender_id, sender_name, body, client_msg_id, sent_at
    FROM numbered ORDER BY ord
    RETURNING {message_columns}
), {message_created_outbox}
SELECT numbered.ord, true, reopening.old_status, inserted.*
FROM inserted
JOIN numbered ON numbered.room_id = inserted.room_id AND numbered.seq = inserted.seq
LEFT JOIN reopening ON reopening.room_id = inserted.room_id AND reopening.seq = inserted.seq
UNION ALL SELECT ord, false, NULL, {message_columns_e} FROM existing
"""

# A visitor's or user's own conversation begins with its first message: the room and the
# owner's membership and its `created` event, once (same parameters as INSERT_MESSAGE); a
# row only when it began.
CONVERSATION_BEGIN = """
WITH room AS (
    INSERT INTO {room}
        (id, kind, owner_kind, owner_id, created_at, last_seq, status, last_activity_at)
    VALUES (%(room)s, 'conversation', %(sender_kind)s, %(sender_id)s, %(sent_at)s, 0, 'open',
        %(sent_at)s)
    ON CONFLICT (id) DO NOTHING
    RETURNING id
), created_event AS (
    INSERT INTO {conversation_event} (room_id, kind, actor, detail, created_at)
    SELECT id, 'created', COALESCE(NULLIF(%(sender_name)s, ''), 'Visitor'), '{{}}'::jsonb,
        %(sent_at)s
    FROM room
), begun AS (
    INSERT INTO {membership}
        (room_id, member_kind, member_id, member_name, read_seq, joined_at)
    SELECT id, %(sender_kind)s, %(sender_id)s, %(sender_name)s, 0, %(sent_at)s FROM room
    ON CONFLICT (room_id, member_kind, member_id) DO NOTHING
    RETURNING room_id, member_kind, member_id
), {conversation_created_outbox}
SELECT room_id FROM begun
"""

CHANNEL_ENSURE = """
INSERT INTO {room} (id, kind, owner_kind, owner_id, created_at, last_seq)
VALUES (%(room)s, 'channel', '', '', %(now)s, 0)
ON CONFLICT (id) DO NOTHING
"""

# Join an existing room: the member's read position and the room's newest seq; no row when
# the room does not exist.
MEMBERSHIP_JOIN = """
INSERT INTO {membership} (room_id, member_kind, member_id, member_name, read_seq, joined_at)
SELECT id, %(member_kind)s, %(member_id)s, %(member_name)s, 0, %(now)s FROM {room}
WHERE id = %(room)s
ON CONFLICT (room_id, member_kind, member_id) DO UPDATE SET member_name = EXCLUDED.member_name
RETURNING read_seq, (SELECT last_seq FROM {room} WHERE id = %(room)s)
"""

# Positions never move back and never pass the room's newest seq.
READ_MARK = """
INSERT INTO {membership} AS membership
    (room_id, member_kind, member_id, member_name, read_seq, joined_at)
SELECT id, %(member_kind)s, %(member_id)s, %(member_name)s, LEAST(%(seq)s, last_seq), %(now)s
FROM {room} WHERE id = %(room)s
ON CONFLICT (room_id, member_kind, member_id)
DO UPDATE SET read_seq = GREATEST(membership.read_seq, EXCLUDED.read_seq)
RETURNING read_seq
"""

MESSAGES_AFTER = """
SELECT {message_columns} FROM {message}
WHERE room_id = %(room)s AND seq > %(after)s ORDER BY seq LIMIT %(limit)s
"""

MESSAGES_BEFORE = """
SELECT {message_columns} FROM {message}
WHERE room_id = %(room)s AND seq < %(before)s ORDER BY seq DESC LIMIT %(limit)s
"""


@lru_cache(maxsize=8192)
def statement(template: str, schema: TenantSchema) -> str:
    """Return `template` with the chat tables of `schema`, quoted (cached per schema)."""
    if not isinstance(schema, TenantSchema):
        raise TypeError("statement() takes a TenantSchema from parlor.base.schemas")
    names = {
        "room": ROOM.identifier(schema),
        "message": MESSAGE.identifier(schema),
        "membership": MEMBERSHIP.identifier(schema),
        "conversation_event": CONVERSATION_EVENT.identifier(schema),
        "message_columns": sql.SQL(MESSAGE.column_list()),
        # The idempotency probes compare the room in a form no index serves, so their plan
        # takes the idempotency key (client_msg_id first), never chat_message_room_seq, which
        # would walk the room's messages: a generic plan is made once, maybe while the table
        # is empty and every index looks alike (issue 11).
        "room_unindexed": sql.SQL("(room_id || '')"),
        "message_columns_e": sql.SQL(MESSAGE.column_list("existing")),
        "schema_name": sql.Literal(schema.name),
        **{key: sql.Identifier(schema.name, table) for key, table in OUTBOX_TABLES.items()},
    }
    outbox = {
        "message_created_outbox": sql.SQL(MESSAGE_CREATED_OUTBOX).format(**names),
        "conversation_created_outbox": sql.SQL(CONVERSATION_CREATED_OUTBOX).format(**names),
        "conversation_reopened_outbox": sql.SQL(CONVERSATION_REOPENED_OUTBOX).format(**names),
    }
    return sql.SQL(template.strip()).format(**names, **outbox).as_string(None)


_PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")


@lru_cache(maxsize=8192)
def raw_statement(template: str, schema: TenantSchema) -> tuple[str, tuple[str, ...]]:
    """Return `statement(template, schema)` with $n placeholders, and the names in $n order.

    For psycopg's raw cursor, which sends the text as it is: psycopg parses a `%(name)s`
    statement longer than 4 KiB again at every execute (its cache skips them), and the send
    statements are longer (issue 11: ~10 % of the server's CPU under load).
    """
    names: list[str] = []

    def numbered(match: re.Match) -> str:
        name = match.group(1)
        if name is None:
            return "%"  # an escaped percent sign
        if name not in names:
            names.append(name)
        return f"${names.index(name) + 1}"

    return _PLACEHOLDER.sub(numbered, statement(template, schema)), tuple(names)


def raw_values(names: Sequence[str], params: dict[str, Any]) -> list[Any]:
    """Return `params` as the positional values of a raw_statement with these `names`."""
    return [params[name] for name in names]


def send_params(
    *, room_id: str, sender: Principal, body: str, client_msg_id: str, sent_at: datetime
) -> dict[str, Any]:
    """Return the parameters of INSERT_MESSAGE and CONVERSATION_BEGIN."""
    return {
        "tenant": sender.tenant.slug,
        "room": room_id,
        "sender_kind": sender.kind.value,
        "sender_id": sender.subject,
        "sender_name": sender.name,
        "body": body,
        "client_msg_id": client_msg_id,
        "sent_at": sent_at,
    }


# send_params' keys in INSERT_MESSAGES' order (`send->>1` to `send->>7`; 0 is `ord`).
BATCH_FIELDS = ("room", "sender_kind", "sender_id", "sender_name", "body", "client_msg_id", "sent_at")  # fmt: skip  # noqa: E501


def batch_params(sends: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Return the parameters of INSERT_MESSAGES for sends of one tenant (send_params each).

    Raises TypeError for a text JSON cannot carry (a lone surrogate): checked input has none.
    """
    rows = [[ord_, *(send[field] for field in BATCH_FIELDS)] for ord_, send in enumerate(sends)]
    return {"tenant": sends[0]["tenant"], "sends": orjson.dumps(rows).decode()}


def sent_from_row(row: Sequence[Any]) -> MessageSent:
    """Return the outcome of INSERT_MESSAGE from its row (created, reopened from, message)."""
    return MessageSent(message=StoredMessage(*row[2:]), created=row[0], reopened_from=row[1])


def member_params(*, room_id: str, member: Principal, now: datetime) -> dict[str, Any]:
    """Return the parameters that name a room and one of its members."""
    return {
        "room": room_id,
        "member_kind": member.kind.value,
        "member_id": member.subject,
        "member_name": member.name,
        "now": now,
    }
