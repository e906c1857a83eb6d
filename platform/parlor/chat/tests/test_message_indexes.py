"""The messages' indexes as a tenant schema gets them from the migrations."""

from __future__ import annotations

import pytest

from parlor.base.pool import hot_connection
from parlor.base.schemas import tenant_schema
from parlor.chat.tests.support import tenant_ref

pytestmark = pytest.mark.usefixtures("live_db")


async def test_the_search_index_has_no_pending_list(tenant_alpha):
    # With GIN's pending list, the insert that fills it merges it into the index: a send
    # statement of 60-85 ms every ~20,000 messages (chat migration 0005).
    schema = tenant_schema(tenant_ref(tenant_alpha))
    async with hot_connection() as connection:
        cursor = await connection.execute(
            "SELECT c.reloptions FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = %s AND c.relname = 'chat_message_body_search'",
            (schema.name,),
        )
        row = await cursor.fetchone()
    assert row is not None, "the search index exists"
    assert "fastupdate=off" in (row[0] or [])
