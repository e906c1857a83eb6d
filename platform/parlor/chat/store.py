"""The chat hot path's reads and writes on the event loop: join, read, history and gap fill.

Each call takes a pooled connection (parlor.base.pool) and runs schema-qualified statements
(parlor.chat.statements) in one round trip: no thread hop, no `search_path`. Sends go
through parlor.chat.ingest (group commit) via parlor.chat.posting.
"""

from __future__ import annotations

from django.utils import timezone

from parlor.base import schemas
from parlor.base.errors import NotFound, PermissionDenied
from parlor.base.identity import Principal, TenantRef
from parlor.base.pool import hot_connection
from parlor.chat import statements
from parlor.chat.models import RoomKind
from parlor.chat.permissions import may_join, room_kind_of
from parlor.chat.records import MessagePage, RoomJoined, StoredMessage
from parlor.chat.statements import statement

NEWEST = 2**63 - 1


async def room_join(
    *,
    tenant: TenantRef,
    room_id: str,
    principal: Principal,
    since_seq: int | None,
    recent: int,
    page_size: int,
) -> RoomJoined:
    """Join a room (creating a channel on first join) and return its state and messages.

    With `since_seq`, the messages after it (up to `page_size`); else the `recent` newest.
    A principal's own conversation that has no message yet joins as an empty room.
    """
    if not may_join(principal, room_id):
        raise PermissionDenied("this token may not join that room.", code="forbidden")
    schema = schemas.tenant_schema(tenant)
    kind = room_kind_of(room_id)
    params = statements.member_params(room_id=room_id, member=principal, now=timezone.now())
    if since_seq is None:
        page_sql, limit = statements.MESSAGES_BEFORE, recent
        params.update(before=NEWEST, limit=recent + 1)
    else:
        page_sql, limit = statements.MESSAGES_AFTER, page_size
        params.update(after=since_seq, limit=page_size + 1)
    async with hot_connection() as connection:
        async with connection.pipeline():
            if kind is RoomKind.CHANNEL:
                await connection.execute(statement(statements.CHANNEL_ENSURE, schema), params)
            member = await connection.execute(statement(statements.MEMBERSHIP_JOIN, schema), params)
            page = await connection.execute(statement(page_sql, schema), params)
        membership = await member.fetchone()
        rows = await page.fetchall()
    if membership is None:
        if principal.is_agent:
            raise NotFound("no such conversation.", code="not_found")
        return RoomJoined(room_id=room_id, kind=kind.value, last_seq=0, read_seq=0)
    if since_seq is None:
        rows.reverse()  # fetched newest first
    messages = _page(rows, limit, newest=since_seq is None)
    read_seq, last_seq = membership
    return RoomJoined(
        room_id=room_id, kind=kind.value, last_seq=last_seq, read_seq=read_seq, page=messages
    )


async def message_list(
    *,
    tenant: TenantRef,
    room_id: str,
    before: int | None = None,
    after: int | None = None,
    limit: int,
) -> MessagePage:
    """Return up to `limit` messages of a room, oldest first: after `after`, else before `before`.

    With neither, the most recent ones.
    """
    schema = schemas.tenant_schema(tenant)
    if after is not None:
        sql = statement(statements.MESSAGES_AFTER, schema)
        params = {"room": room_id, "after": after, "limit": limit + 1}
    else:
        sql = statement(statements.MESSAGES_BEFORE, schema)
        bound = before if before is not None else NEWEST
        params = {"room": room_id, "before": bound, "limit": limit + 1}
    async with hot_connection() as connection:
        rows = await (await connection.execute(sql, params)).fetchall()
    if after is not None:
        return _page(rows, limit, newest=False)
    rows.reverse()
    return _page(rows, limit, newest=True)


async def read_mark(*, tenant: TenantRef, room_id: str, principal: Principal, seq: int) -> int:
    """Move the principal's read position in a room forward to `seq`; return the new position.

    Positions never move back and never pass the room's newest seq.
    """
    if not may_join(principal, room_id):
        raise PermissionDenied("this token may not read that room.", code="forbidden")
    sql = statement(statements.READ_MARK, schemas.tenant_schema(tenant))
    params = statements.member_params(room_id=room_id, member=principal, now=timezone.now())
    params["seq"] = seq
    async with hot_connection() as connection:
        row = await (await connection.execute(sql, params)).fetchone()
    if row is None:
        raise NotFound("no such room.", code="not_found")
    return row[0]


def _page(rows: list, limit: int, *, newest: bool) -> MessagePage:
    """Return rows (oldest first, one more than `limit` when more exist) as a page."""
    has_more = len(rows) > limit
    if has_more:
        # Reading newest first, the extra row is the oldest; reading forward, the newest.
        rows = rows[1:] if newest else rows[:limit]
    return MessagePage(messages=[StoredMessage(*row) for row in rows], has_more=has_more)
