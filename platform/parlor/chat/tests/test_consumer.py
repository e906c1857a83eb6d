"""The consumer through Channels' WebsocketCommunicator, against the real database."""

from __future__ import annotations

import pytest

from parlor.base.conversations import conversation_room_id
from parlor.base.db import in_schema
from parlor.base.identity import PrincipalKind
from parlor.chat import selectors
from parlor.chat.models import Message
from parlor.chat.tests.support import ChatClient, principal_for, unique

pytestmark = pytest.mark.usefixtures("live_db")


def _count(room_id: str) -> int:
    return Message.objects.filter(room_id=room_id).count()


async def test_hello_names_the_principal_its_conversation_and_limits(tenant_alpha):
    principal = principal_for(tenant_alpha, PrincipalKind.VISITOR)
    client = await ChatClient(principal).connect()
    try:
        assert client.hello["principal"] == {
            "kind": "visitor",
            "id": principal.subject,
            "name": principal.name,
        }
        assert client.hello["conversation"] == conversation_room_id(
            kind=PrincipalKind.VISITOR, subject=principal.subject
        )
        assert client.hello["limits"] == {"body_bytes": 4096, "rooms": 50, "history": 100}
        assert client.hello["server_time"].endswith("Z")
    finally:
        await client.close()


async def test_same_room_sees_the_message_and_another_room_does_not(tenant_alpha):
    room, other_room = unique("lobby"), unique("kitchen")
    first = await ChatClient(principal_for(tenant_alpha)).connect()
    second = await ChatClient(principal_for(tenant_alpha)).connect()
    elsewhere = await ChatClient(principal_for(tenant_alpha)).connect()
    try:
        await first.join(room)
        await second.join(room)
        await elsewhere.join(other_room)
        ack = await second.say(room, "hello")
        for client in (first, second):
            message = await client.expect("message")
            assert message["body"] == "hello"
            assert message["seq"] == ack["seq"] == 1
            assert message["sender"]["id"] == second.principal.subject
        await elsewhere.nothing()
    finally:
        for client in (first, second, elsewhere):
            await client.close()


async def test_ack_comes_after_the_commit_with_the_stored_id_and_seq(tenant_alpha):
    room = unique("acks")
    client = await ChatClient(principal_for(tenant_alpha)).connect()
    try:
        await client.join(room)
        ack = await client.say(room, "stored first", client_msg_id="c-1")
        schema = tenant_alpha.tenant.schema_name
        page = await in_schema(schema, selectors.message_list, room_id=room, limit=10)
        assert [(m.id, m.seq, m.body) for m in page.messages] == [(ack["id"], 1, "stored first")]
        assert ack["client_msg_id"] == "c-1" and ack["room"] == room
        message = await client.expect("message")
        assert message["id"] == ack["id"] and message["client_msg_id"] == "c-1"
    finally:
        await client.close()


async def test_resend_with_same_client_msg_id_returns_same_message_and_stores_once(tenant_alpha):
    room = unique("idem")
    client = await ChatClient(principal_for(tenant_alpha)).connect()
    try:
        await client.join(room)
        first = await client.say(room, "once", client_msg_id="same")
        again = await client.say(room, "once", client_msg_id="same")
        assert (again["id"], again["seq"]) == (first["id"], first["seq"])
        await client.say(room, "twice", client_msg_id="other")
        schema = tenant_alpha.tenant.schema_name
        page = await in_schema(schema, selectors.message_list, room_id=room, limit=10)
        assert [m.seq for m in page.messages] == [1, 2]
    finally:
        await client.close()


async def test_request_id_is_echoed_as_re(tenant_alpha):
    room = unique("re")
    client = await ChatClient(principal_for(tenant_alpha)).connect()
    try:
        await client.send(type="join", room=room, id="r1")
        assert (await client.expect("joined"))["re"] == "r1"
        await client.send(type="send", room=room, body="x", client_msg_id="a", id="r2")
        assert (await client.expect("ack"))["re"] == "r2"
        await client.send(type="ping", id="r3")
        pong = await client.expect("pong", skip=("presence", "message"))
        assert pong["re"] == "r3"
    finally:
        await client.close()


async def test_history_pages_before_and_after(tenant_alpha):
    room = unique("history")
    client = await ChatClient(principal_for(tenant_alpha)).connect()
    try:
        await client.join(room)
        for number in range(1, 8):
            await client.say(room, f"m{number}")
        await client.send(type="history", room=room, limit=3)
        latest = await client.expect("history", skip=("presence", "message"))
        assert [m["seq"] for m in latest["messages"]] == [5, 6, 7]
        assert latest["has_more"] is True
        await client.send(type="history", room=room, before=5, limit=3)
        older = await client.expect("history", skip=("presence", "message"))
        assert [m["seq"] for m in older["messages"]] == [2, 3, 4]
        await client.send(type="history", room=room, before=2, limit=3)
        oldest = await client.expect("history", skip=("presence", "message"))
        assert [m["seq"] for m in oldest["messages"]] == [1]
        assert oldest["has_more"] is False
        await client.send(type="history", room=room, after=5)
        newer = await client.expect("history", skip=("presence", "message"))
        assert [m["body"] for m in newer["messages"]] == ["m6", "m7"]
        assert newer["has_more"] is False
    finally:
        await client.close()


async def test_join_returns_recent_messages_and_last_seq(tenant_alpha):
    room = unique("recent")
    writer = await ChatClient(principal_for(tenant_alpha)).connect()
    try:
        await writer.join(room)
        for number in range(3):
            await writer.say(room, f"m{number}")
        reader = await ChatClient(principal_for(tenant_alpha)).connect()
        try:
            joined = await reader.join(room)
            assert joined["kind"] == "channel"
            assert joined["last_seq"] == 3
            assert joined["read_seq"] == 0
            assert [m["body"] for m in joined["messages"]] == ["m0", "m1", "m2"]
        finally:
            await reader.close()
    finally:
        await writer.close()


async def test_leave_stops_delivery_and_sending_needs_joining(tenant_alpha):
    room = unique("leave")
    stayer = await ChatClient(principal_for(tenant_alpha)).connect()
    leaver = await ChatClient(principal_for(tenant_alpha)).connect()
    try:
        await stayer.join(room)
        await leaver.join(room)
        await leaver.send(type="leave", room=room)
        assert (await leaver.expect("left"))["room"] == room
        await stayer.say(room, "after leaving")
        await leaver.nothing()
        await leaver.send(type="send", room=room, body="x", client_msg_id="x")
        error = await leaver.expect("error")
        assert (error["code"], error["room"]) == ("not_joined", room)
        assert await in_schema(tenant_alpha.tenant.schema_name, _count, room) == 1
    finally:
        await stayer.close()
        await leaver.close()
