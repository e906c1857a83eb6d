"""The hot path's send statements keep keyed plans however small or new the tables are.

A hot-path session makes one generic plan per statement (parlor.base.pool) and keeps it while
the tables grow, so the plan must be right on a new tenant's empty, never-analyzed tables:
the idempotency probe takes the idempotency key, never a scan of the room's messages.
"""

from __future__ import annotations

import json

import pytest

from parlor.base.pool import hot_connection
from parlor.base.schemas import tenant_schema
from parlor.chat import statements
from parlor.chat.tests.support import tenant_ref

pytestmark = pytest.mark.usefixtures("live_db")

MESSAGE_TABLE = "chat_message"


def _scans(plan: dict) -> list[tuple[str, str | None]]:
    """Return every (node type, index name) of a plan that reads the message table."""
    found = []
    if plan.get("Relation Name") == MESSAGE_TABLE:
        found.append((plan["Node Type"], plan.get("Index Name")))
    for child in plan.get("Plans", ()):
        found.extend(_scans(child))
    return found


async def _generic_plan(schema, template: str, params: dict) -> list[tuple[str, str | None]]:
    sql, names = statements.raw_statement(template, schema)
    async with hot_connection() as connection, connection.transaction(force_rollback=True):
        await connection.execute(f"PREPARE parlor_plan_probe AS {sql}")
        cursor = connection.cursor()
        # The raw values as literals: EXPLAIN EXECUTE takes the prepared statement's plan.
        literals = ", ".join(
            "NULL" if value is None else "'" + str(value).replace("'", "''") + "'"
            for value in statements.raw_values(names, params)
        )
        await cursor.execute(f"EXPLAIN (FORMAT JSON) EXECUTE parlor_plan_probe({literals})")
        (plan,) = await cursor.fetchone()
        await connection.execute("DEALLOCATE parlor_plan_probe")
    plan = plan if isinstance(plan, list) else json.loads(plan)
    return _scans(plan[0]["Plan"])


@pytest.mark.parametrize("template", ["INSERT_MESSAGE", "INSERT_MESSAGES"])
async def test_the_idempotency_probe_takes_the_key_index(tenant_alpha, template):
    schema = tenant_schema(tenant_ref(tenant_alpha))
    send = {
        "tenant": "t", "room": "r", "sender_kind": "user", "sender_id": "u",
        "sender_name": "U", "body": "b", "client_msg_id": "c", "sent_at": "2026-01-01T00:00Z",
    }  # fmt: skip
    params = send if template == "INSERT_MESSAGE" else statements.batch_params([send])
    reads = await _generic_plan(schema, getattr(statements, template), params)
    # The insert itself shows as ModifyTable; every read of the table is the probe.
    probes = [read for read in reads if read[0] != "ModifyTable"]
    assert probes == [("Index Scan", "chat_message_idempotency_key")], reads
