"""Schema names reach the chat's SQL only quoted, only from a TenantSchema, by any route."""

from __future__ import annotations

import pytest

from parlor.base import pool
from parlor.base.identity import PrincipalKind, TenantRef
from parlor.base.schemas import SchemaRefused, tenant_schema
from parlor.chat import services, statements
from parlor.chat.tests.support import ChatClient, principal_for, unique

pytestmark = pytest.mark.usefixtures("live_db")

HOSTILE = ['alpha"; DROP SCHEMA bravo CASCADE; --', "alpha.chat_message", "alph\u0430", "public"]


def test_a_safe_name_is_quoted_as_an_identifier_in_every_statement():
    schema = tenant_schema(TenantRef(id=1, slug="t", schema_name="alpha_2"))
    sql = statements.statement(statements.INSERT_MESSAGE, schema)
    assert '"alpha_2"."chat_message"' in sql and '"alpha_2"."chat_room"' in sql


def test_statement_takes_only_a_tenant_schema():
    with pytest.raises(TypeError):
        statements.statement(statements.INSERT_MESSAGE, "alpha")  # type: ignore[arg-type]


def hostile_principal(created, schema_name: str, kind=PrincipalKind.USER):
    principal = principal_for(created, kind)
    tenant = TenantRef(id=created.tenant.id, slug=created.tenant.slug, schema_name=schema_name)
    return principal.__class__(**{**principal.__dict__, "tenant": tenant})


@pytest.fixture
def no_database(monkeypatch):
    """Fail the test if the hot path asks the pool for a connection."""
    taken = []

    def refuse():
        taken.append(True)
        raise AssertionError("a hostile schema name reached the database path")

    monkeypatch.setattr(pool, "hot_pool", refuse)
    return taken


@pytest.mark.parametrize("schema_name", HOSTILE)
async def test_a_socket_with_a_hostile_schema_name_gets_internal_and_no_sql(
    tenant_alpha, no_database, schema_name
):
    principal = hostile_principal(tenant_alpha, schema_name)
    client = await ChatClient(principal).connect()
    room = unique("hostile")
    try:
        await client.send(type="join", room=room, id="j")
        error = await client.expect("error")
        assert (error["code"], error["re"]) == ("internal", "j")
        assert schema_name not in error["detail"]
    finally:
        await client.close()
    assert no_database == []


@pytest.mark.parametrize("schema_name", HOSTILE)
def test_the_sync_store_refuses_a_hostile_schema_name(tenant_alpha, schema_name):
    sender = hostile_principal(tenant_alpha, schema_name)
    with pytest.raises(SchemaRefused):
        services.message_send(room_id=unique("r"), sender=sender, body="x", client_msg_id="a")
