"""The chat tables as raw SQL reads and writes them: one definition for both database paths.

The ORM (parlor.chat.models) creates and migrates these tables; the hot path's SQL
(parlor.chat.statements) and the selectors name their columns from here, and
`chat/tests/test_tables.py` holds the two together.
"""

from __future__ import annotations

from dataclasses import dataclass

from psycopg import sql

from parlor.base.schemas import TenantSchema


@dataclass(frozen=True, slots=True)
class Table:
    """A table of the tenant schema and its columns, in the order records are built from."""

    name: str
    columns: tuple[str, ...]

    def identifier(self, schema: TenantSchema) -> sql.Identifier:
        """Return the schema-qualified name of this table, quoted by psycopg."""
        return sql.Identifier(schema.name, self.name)

    def column_list(self, alias: str = "") -> str:
        """Return the columns as a select list (each prefixed with `alias.` when given)."""
        prefix = f"{alias}." if alias else ""
        return ", ".join(prefix + column for column in self.columns)


# Column order = the fields of parlor.chat.records.StoredRoom.
ROOM = Table(
    "chat_room",
    (
        "id",
        "kind",
        "owner_kind",
        "owner_id",
        "created_at",
        "last_seq",
        "status",
        "snoozed_until",
        "assignee",
        "last_activity_at",
    ),
)
# Column order = the fields of parlor.chat.records.StoredMessage.
MESSAGE = Table(
    "chat_message",
    (
        "id",
        "room_id",
        "seq",
        "sender_kind",
        "sender_id",
        "sender_name",
        "body",
        "client_msg_id",
        "sent_at",
    ),
)
MEMBERSHIP = Table(
    "chat_membership",
    ("id", "room_id", "member_kind", "member_id", "member_name", "read_seq", "joined_at"),
)
CONVERSATION_EVENT = Table(
    "chat_conversationevent", ("id", "room_id", "kind", "actor", "detail", "created_at")
)
TABLES = (ROOM, MESSAGE, MEMBERSHIP, CONVERSATION_EVENT)
