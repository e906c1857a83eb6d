"""Token life on an open socket: expiry, auth.refresh and revocation."""

from __future__ import annotations

import time

import pytest
from channels.layers import get_channel_layer

from parlor.base.db import in_public_schema
from parlor.base.events import event_message
from parlor.base.groups import tenant_group_name
from parlor.base.identity import PrincipalKind
from parlor.base.sweep import wall_sweep
from parlor.chat.tests.support import ChatClient, principal_for, unique, until
from tenants.revocation import revoked_event
from tenants.tokens import token_issue

pytestmark = pytest.mark.usefixtures("live_db")


async def _token(created, principal, rooms: list[str] | None = None) -> str:
    issued = await in_public_schema(
        token_issue,
        tenant=created.tenant,
        kind=principal.kind,
        subject=principal.subject,
        name=principal.name,
        rooms=rooms,
    )
    return issued.token


async def test_socket_closes_with_4401_when_the_token_expires(tenant_alpha):
    client = await ChatClient(principal_for(tenant_alpha, ttl=1)).connect()
    try:
        assert await client.expect_close(timeout=10) == 4401
    finally:
        await client.close()


async def test_a_socket_waits_in_the_process_sweep_not_a_timer_of_its_own(tenant_alpha):
    waiting = len(wall_sweep)
    client = await ChatClient(principal_for(tenant_alpha, ttl=3600)).connect()
    try:
        await until(lambda: len(wall_sweep) == waiting + 1)
    finally:
        await client.close()
    await until(lambda: len(wall_sweep) == waiting)  # closed: the sweep forgets it


async def test_a_refreshed_socket_outlives_its_first_tokens_expiry(tenant_alpha):
    principal = principal_for(tenant_alpha, ttl=3)
    client = await ChatClient(principal).connect()
    try:
        await client.send(type="auth.refresh", token=await _token(tenant_alpha, principal), id="r")
        await client.expect("auth.ok")
        # The sweep reaches the first token's expiry, finds the new one and keeps the socket.
        await until(lambda: time.time() > principal.expires_at + 1.5, timeout=10)
        await client.send(type="ping", id="p")
        assert (await client.expect("pong"))["re"] == "p"
    finally:
        await client.close()


async def test_an_already_expired_principal_is_closed_at_once(tenant_alpha):
    client = await ChatClient(principal_for(tenant_alpha, ttl=-5)).connect()
    try:
        assert await client.expect_close() == 4401
    finally:
        await client.close()


async def test_a_scope_without_principal_is_closed_with_4401(tenant_alpha):
    client = ChatClient(principal_for(tenant_alpha))
    del client.communicator.scope["principal"]
    connected, _ = await client.communicator.connect()
    try:
        assert connected
        assert await client.expect_close() == 4401
    finally:
        await client.close()


async def test_refresh_with_a_valid_token_answers_auth_ok_and_bad_ones_token_invalid(
    tenant_alpha, tenant_bravo
):
    principal = principal_for(tenant_alpha, ttl=60)
    client = await ChatClient(principal).connect()
    try:
        token = await _token(tenant_alpha, principal, rooms=["*"])
        await client.send(type="auth.refresh", token=token, id="r")
        ok = await client.expect("auth.ok")
        assert ok["re"] == "r" and ok["expires_at"].endswith("Z")

        await client.send(type="auth.refresh", token="not.a.token", id="bad")
        error = await client.expect("error")
        assert (error["code"], error["re"]) == ("token_invalid", "bad")
        assert "not.a.token" not in error["detail"]

        stranger = principal_for(tenant_alpha)
        await client.send(type="auth.refresh", token=await _token(tenant_alpha, stranger))
        assert (await client.expect("error"))["code"] == "token_invalid"

        other_tenant = principal_for(tenant_bravo, subject=principal.subject)
        await client.send(type="auth.refresh", token=await _token(tenant_bravo, other_tenant))
        assert (await client.expect("error"))["code"] == "token_invalid"

        await client.send(type="ping")
        await client.expect("pong")
    finally:
        await client.close()


async def test_refresh_with_fewer_rooms_closes_the_rooms_no_longer_granted(tenant_alpha):
    kept, lost = unique("kept"), unique("lost")
    principal = principal_for(tenant_alpha, rooms=(kept, lost))
    client = await ChatClient(principal).connect()
    try:
        await client.join(kept)
        await client.join(lost)
        await client.send(type="auth.refresh", token=await _token(tenant_alpha, principal, [kept]))
        await client.expect("auth.ok")
        closed = await client.expect("room.closed")
        assert (closed["room"], closed["reason"]) == (lost, "access_revoked")
        await client.send(type="send", room=lost, body="x", client_msg_id="a")
        assert (await client.expect("error"))["code"] == "not_joined"
    finally:
        await client.close()


async def test_revocation_of_the_token_closes_the_socket_with_4401(tenant_alpha):
    principal = principal_for(tenant_alpha, PrincipalKind.VISITOR)
    bystander = await ChatClient(principal_for(tenant_alpha)).connect()
    client = await ChatClient(principal).connect()
    try:
        tenant_id = tenant_alpha.tenant.id
        revoked = revoked_event(tenant_id, jti=principal.token_id)
        await get_channel_layer().group_send(tenant_group_name(tenant_id), event_message(revoked))
        assert await client.expect_close() == 4401
        await bystander.send(type="ping")
        await bystander.expect("pong")
    finally:
        await client.close()
        await bystander.close()
