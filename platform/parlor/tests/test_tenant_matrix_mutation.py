"""The tenant matrix is a real check: make the schema choice leak, and it fails.

Every statement of the chat (hot path and sync store) takes its schema from
`parlor.base.schemas.tenant_schema`. Here that choice is mutated to send every tenant to
alpha's schema, and the matrix's own tests must then fail for actor bravo.
"""

from __future__ import annotations

import pytest

from parlor.base import schemas
from parlor.base.identity import TenantRef
from parlor.chat.tests.support import unique
from parlor.tests import test_tenant_matrix as matrix

pytestmark = pytest.mark.usefixtures("live_db")


@pytest.fixture
def tenants(tenant_alpha, tenant_bravo):
    return {"alpha": tenant_alpha, "bravo": tenant_bravo}


async def a_shared_room(tenants) -> str:
    room = unique("mutation")
    for slug, created in tenants.items():
        client = await (await matrix.stack_client(created)).connect()
        await client.join(room)
        await client.say(room, f"secret-of-{slug}")
        await client.close()
    return room


def leak_every_tenant_to(monkeypatch, created) -> None:
    tenant = created.tenant
    target = TenantRef(id=tenant.id, slug=tenant.slug, schema_name=tenant.schema_name)
    choose = schemas.tenant_schema
    monkeypatch.setattr(schemas, "tenant_schema", lambda _tenant: choose(target))


async def test_the_matrix_fails_when_reads_leak_into_another_schema(tenants, monkeypatch):
    room = await a_shared_room(tenants)
    # Unmutated, the matrix passes for this pair.
    await matrix.test_join_and_history_reveal_only_the_actors_own_rows(
        tenants, room, "bravo", "alpha"
    )
    leak_every_tenant_to(monkeypatch, tenants["alpha"])
    with pytest.raises(AssertionError):
        await matrix.test_join_and_history_reveal_only_the_actors_own_rows(
            tenants, room, "bravo", "alpha"
        )


async def test_the_matrix_fails_when_writes_leak_into_another_schema(tenants, monkeypatch):
    room = await a_shared_room(tenants)
    await matrix.test_send_read_and_typing_touch_only_the_actors_schema(
        tenants, room, "bravo", "alpha"
    )
    leak_every_tenant_to(monkeypatch, tenants["alpha"])
    with pytest.raises(AssertionError):
        await matrix.test_send_read_and_typing_touch_only_the_actors_schema(
            tenants, room, "bravo", "alpha"
        )
