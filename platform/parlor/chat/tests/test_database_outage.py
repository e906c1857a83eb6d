"""The hot path when the database is gone or busy: `internal`, no false ack, recovery in place.

The restart drill runs against a throwaway PostgreSQL that the test stops for 10 s and starts
again (issue 9's drill), with the app's pool left as it is.
"""

from __future__ import annotations

import asyncio
import dataclasses

import psycopg
import pytest
from asgiref.sync import sync_to_async
from django.db import connection
from procrastinate.schema import SchemaManager

from parlor.base import pool
from parlor.base.identity import TenantRef
from parlor.chat.models import ConversationEvent, Membership, Message, Room
from parlor.chat.tests.support import EPHEMERAL, ChatClient, principal_for, unique
from parlor.testing.postgres import ThrowawayPostgres
from parlor.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent

OUTBOX_MODELS = (WebhookEndpoint, WebhookEvent, WebhookDelivery)

pytestmark = pytest.mark.usefixtures("live_db")

DRILL_SCHEMA = "outage_drill"
OUTAGE_SECONDS = 10


async def send(client: ChatClient, room: str, body: str) -> dict:
    """Send one message; return its `ack` or its `error` frame."""
    await client.send(type="send", room=room, body=body, client_msg_id=body, id=body)
    while True:
        frame = await client.receive(10)
        if frame.get("re") == body:
            return frame
        assert frame["type"] in (*EPHEMERAL, "message"), frame


async def stored_count(schema: str, room: str) -> int:
    def count() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                f'SELECT count(*) FROM "{schema}".chat_message WHERE room_id = %s', [room]
            )
            return cursor.fetchone()[0]

    return await sync_to_async(count)()


async def test_an_exhausted_pool_answers_internal_and_recovers(tenant_alpha, settings):
    settings.PARLOR = {
        **settings.PARLOR,
        "DB_POOL_MIN_SIZE": 1,
        "DB_POOL_MAX_SIZE": 1,
        "DB_POOL_TIMEOUT_SECONDS": 0.5,
    }
    room = unique("exhausted")
    client = await ChatClient(principal_for(tenant_alpha)).connect()
    try:
        await client.join(room)
        async with pool.hot_connection():  # the only connection, held elsewhere
            refused = await send(client, room, "while-exhausted")
        assert (refused["type"], refused["code"]) == ("error", "internal")
        assert await stored_count(tenant_alpha.tenant.schema_name, room) == 0
        accepted = await send(client, room, "after-release")
        assert (accepted["type"], accepted["seq"]) == ("ack", 1)
    finally:
        await client.close()


@pytest.fixture
def throwaway_database(monkeypatch, settings):
    """A PostgreSQL of its own holding the chat tables in DRILL_SCHEMA; the pool points at it.

    With the webhook outbox's tables and procrastinate's schema: a send's statement writes them.
    """
    server = ThrowawayPostgres()
    server.start()
    with connection.schema_editor(collect_sql=True, atomic=False) as editor:
        for model in (Room, Message, Membership, ConversationEvent, *OUTBOX_MODELS):
            editor.create_model(model)
    with psycopg.connect(server.conninfo, autocommit=True) as drill:
        drill.execute(SchemaManager.get_schema())
        drill.execute(f"CREATE SCHEMA {DRILL_SCHEMA}")
        drill.execute(f"SET search_path TO {DRILL_SCHEMA}")
        for statement in editor.collected_sql:
            drill.execute(statement)
    monkeypatch.setattr(pool, "database_conninfo", lambda: server.conninfo)
    settings.PARLOR = {
        **settings.PARLOR,
        "DB_POOL_MIN_SIZE": 1,
        "DB_POOL_MAX_SIZE": 2,
        "DB_POOL_TIMEOUT_SECONDS": 1.0,
    }
    yield server
    server.remove()


async def test_postgresql_down_for_10_s_gives_internal_no_false_ack_and_recovers(
    tenant_alpha, throwaway_database
):
    principal = principal_for(tenant_alpha)
    tenant = TenantRef(id=principal.tenant.id, slug="drill", schema_name=DRILL_SCHEMA)
    principal = dataclasses.replace(principal, tenant=tenant)
    room = unique("drill")
    client = await ChatClient(principal).connect()
    acked, refused = [], []
    try:
        await client.join(room)
        assert (await send(client, room, "before"))["type"] == "ack"
        acked.append("before")
        hot_pool = await pool.hot_pool()
        await asyncio.to_thread(throwaway_database.stop)
        loop = asyncio.get_running_loop()
        down_until = loop.time() + OUTAGE_SECONDS
        number = 0
        while loop.time() < down_until:
            frame = await send(client, room, f"down-{number}")
            assert (frame["type"], frame["code"]) == ("error", "internal"), frame
            refused.append(f"down-{number}")
            number += 1
            await asyncio.sleep(0.5)
        await asyncio.to_thread(throwaway_database.start)
        recovered_by = loop.time() + 30
        while True:
            body = f"after-{number}"
            number += 1
            frame = await send(client, room, body)
            if frame["type"] == "ack":
                acked.append(body)
                break
            assert frame["code"] == "internal"
            assert loop.time() < recovered_by, "the pool did not recover within 30 s"
            await asyncio.sleep(0.5)
        assert await pool.hot_pool() is hot_pool  # the same pool: no restart of the app
    finally:
        await client.close()
    with psycopg.connect(throwaway_database.conninfo) as drill:
        rows = drill.execute(
            f"SELECT body, seq FROM {DRILL_SCHEMA}.chat_message WHERE room_id = %s ORDER BY seq",
            [room],
        ).fetchall()
    assert len(refused) >= 5
    # Every ack is a stored row, in seq order with no gap; nothing refused was stored.
    assert rows == [(body, seq) for seq, body in enumerate(acked, start=1)]
