"""Who may join what, conversations created on the first message, and the agents' inbox."""

from __future__ import annotations

import pytest

from parlor.base.conversations import conversation_room_id
from parlor.base.db import in_schema
from parlor.base.identity import PrincipalKind
from parlor.chat.models import Room
from parlor.chat.tests.support import ChatClient, principal_for, unique

pytestmark = pytest.mark.usefixtures("live_db")


def _room_exists(room_id: str) -> bool:
    return Room.objects.filter(id=room_id).exists()


async def test_visitor_may_not_join_a_channel_its_token_does_not_grant(tenant_alpha):
    visitor = principal_for(tenant_alpha, PrincipalKind.VISITOR, rooms=())
    client = await ChatClient(visitor).connect()
    room = unique("staff")
    try:
        await client.send(type="join", room=room, id="j")
        error = await client.expect("error")
        assert (error["code"], error["re"], error["room"]) == ("forbidden", "j", room)
        assert not await in_schema(tenant_alpha.tenant.schema_name, _room_exists, room)
    finally:
        await client.close()


async def test_user_may_join_only_the_channels_its_token_grants(tenant_alpha):
    granted, other = unique("granted"), unique("other")
    client = await ChatClient(principal_for(tenant_alpha, rooms=(granted,))).connect()
    try:
        assert (await client.join(granted))["room"] == granted
        await client.send(type="join", room=other)
        assert (await client.expect("error"))["code"] == "forbidden"
    finally:
        await client.close()


async def test_visitor_may_not_join_someone_elses_conversation(tenant_alpha):
    victim = conversation_room_id(kind=PrincipalKind.VISITOR, subject=unique("victim"))
    client = await ChatClient(principal_for(tenant_alpha, PrincipalKind.VISITOR)).connect()
    try:
        await client.send(type="join", room=victim)
        assert (await client.expect("error"))["code"] == "forbidden"
        await client.send(type="send", room=victim, body="hi", client_msg_id="1")
        assert (await client.expect("error"))["code"] == "not_joined"
        assert not await in_schema(tenant_alpha.tenant.schema_name, _room_exists, victim)
    finally:
        await client.close()


async def test_conversation_is_created_on_the_first_message_and_agents_see_it(tenant_alpha):
    visitor = await ChatClient(principal_for(tenant_alpha, PrincipalKind.VISITOR)).connect()
    agent = await ChatClient(principal_for(tenant_alpha, PrincipalKind.AGENT)).connect()
    room = visitor.hello["conversation"]
    schema = tenant_alpha.tenant.schema_name
    try:
        joined = await visitor.join(room)
        assert (joined["kind"], joined["last_seq"], joined["messages"]) == ("conversation", 0, [])
        assert not await in_schema(schema, _room_exists, room)
        await agent.send(type="join", room=room)
        assert (await agent.expect("error"))["code"] == "not_found"

        await visitor.say(room, "I need help")
        assert await in_schema(schema, _room_exists, room)
        inbox = await agent.expect("inbox", skip=())
        assert inbox["room"] == room and inbox["message"]["body"] == "I need help"

        joined = await agent.join(room)
        assert [m["body"] for m in joined["messages"]] == ["I need help"]
        await agent.say(room, "How can I help?")
        own = await visitor.expect("message")
        assert own["body"] == "I need help"
        reply = await visitor.expect("message")
        assert (reply["body"], reply["sender"]["kind"]) == ("How can I help?", "agent")
    finally:
        await visitor.close()
        await agent.close()


async def test_visitors_and_users_have_no_inbox(tenant_alpha):
    visitor = await ChatClient(principal_for(tenant_alpha, PrincipalKind.VISITOR)).connect()
    other = await ChatClient(principal_for(tenant_alpha, PrincipalKind.USER)).connect()
    try:
        room = visitor.hello["conversation"]
        await visitor.join(room)
        await visitor.say(room, "private")
        await other.nothing(skip=())
    finally:
        await visitor.close()
        await other.close()


async def test_too_many_rooms_is_refused(tenant_alpha, settings):
    settings.PARLOR = {**settings.PARLOR, "ROOMS_PER_CONNECTION": 2}
    client = await ChatClient(principal_for(tenant_alpha)).connect()
    try:
        first, second = unique("a"), unique("b")
        await client.join(first)
        await client.join(second)
        await client.send(type="join", room=unique("c"))
        assert (await client.expect("error"))["code"] == "too_many_rooms"
        assert (await client.join(first))["room"] == first  # re-joining is not a new room
    finally:
        await client.close()
