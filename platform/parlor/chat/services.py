"""The sync store of the chat core: a message stored with its room's next seq, from sync code.

The same statements as the async hot path (parlor.chat.statements), run on Django's
connection, schema-qualified from the sender's tenant. Producers do not call this directly:
they post through `parlor.chat.posting`, which checks the input and publishes on commit.
"""

from __future__ import annotations

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from parlor.base import schemas
from parlor.base.errors import NotFound, PermissionDenied
from parlor.base.identity import Principal
from parlor.chat import statements
from parlor.chat.permissions import may_join, own_conversation
from parlor.chat.records import MessageSent

__all__ = ["message_send", "own_conversation", "read_mark"]


def message_send(*, room_id: str, sender: Principal, body: str, client_msg_id: str) -> MessageSent:
    """Store a message with the room's next seq; a repeated client_msg_id returns the first."""
    if not may_join(sender, room_id):
        raise PermissionDenied("this token may not write to that room.", code="forbidden")
    schema = schemas.tenant_schema(sender.tenant)
    params = statements.send_params(
        room_id=room_id,
        sender=sender,
        body=body,
        client_msg_id=client_msg_id,
        sent_at=timezone.now(),
    )
    # One transaction: the statements write the message's webhook events themselves
    # (conversation.created, message.created), which commit with it or not at all.
    with transaction.atomic():
        if own_conversation(sender) == room_id:
            _execute(statements.statement(statements.CONVERSATION_BEGIN, schema), params)
        insert = statements.statement(statements.INSERT_MESSAGE, schema)
        try:
            row = _execute(insert, params)
        except IntegrityError:
            # A concurrent send of the same client_msg_id committed first: now it is found.
            row = _execute(insert, params)
        if row is None:
            raise NotFound("no such room.", code="not_found")
    return statements.sent_from_row(row)


def read_mark(*, room_id: str, principal: Principal, seq: int) -> int:
    """Move the principal's read position in a room forward to `seq`; return the new one."""
    if not may_join(principal, room_id):
        raise PermissionDenied("this token may not read that room.", code="forbidden")
    schema = schemas.tenant_schema(principal.tenant)
    params = {
        **statements.member_params(room_id=room_id, member=principal, now=timezone.now()),
        "seq": seq,
    }
    row = _execute(statements.statement(statements.READ_MARK, schema), params)
    if row is None:
        raise NotFound("no such room.", code="not_found")
    return row[0]


def _execute(sql: str, params: dict) -> tuple | None:
    with connection.cursor() as cursor:
        if connection.in_atomic_block:
            # Inside a caller's transaction a savepoint keeps it usable after IntegrityError.
            with transaction.atomic():
                cursor.execute(sql, params)
        else:
            cursor.execute(sql, params)
        return cursor.fetchone() if cursor.description else None
