"""Typing and presence pass through without storage; read positions are stored per member."""

from __future__ import annotations

import pytest

from parlor.base.db import in_schema
from parlor.chat.models import Membership, Message
from parlor.chat.presence import PRESENCE_LIST_MAX
from parlor.chat.tests.support import ChatClient, principal_for, unique

pytestmark = pytest.mark.usefixtures("live_db")


def _read_seq(room_id: str, member_id: str) -> int:
    return Membership.objects.get(room_id=room_id, member_id=member_id).read_seq


def _stored(room_id: str) -> int:
    return Message.objects.filter(room_id=room_id).count()


async def test_typing_reaches_the_others_only_and_is_not_stored(tenant_alpha):
    room = unique("typing")
    typist = await ChatClient(principal_for(tenant_alpha, name="Ada")).connect()
    watcher = await ChatClient(principal_for(tenant_alpha)).connect()
    try:
        await typist.join(room)
        await watcher.join(room)
        await typist.send(type="typing", room=room, active=True)
        typing = await watcher.expect("typing", skip=("presence",))
        assert typing["sender"]["name"] == "Ada" and typing["active"] is True
        await typist.nothing(skip=("presence",))
        assert await in_schema(tenant_alpha.tenant.schema_name, _stored, room) == 0
    finally:
        await typist.close()
        await watcher.close()


async def test_read_position_is_stored_never_moves_back_and_is_announced(tenant_alpha):
    room = unique("read")
    schema = tenant_alpha.tenant.schema_name
    reader_principal = principal_for(tenant_alpha)
    reader = await ChatClient(reader_principal).connect()
    other = await ChatClient(principal_for(tenant_alpha)).connect()
    try:
        await reader.join(room)
        await other.join(room)
        for number in range(3):
            await other.say(room, f"m{number}")
        await reader.send(type="read", room=room, seq=2)
        announced = await other.expect("read", skip=("presence", "message"))
        assert (announced["seq"], announced["sender"]["id"]) == (2, reader_principal.subject)
        await reader.send(type="read", room=room, seq=1)
        assert (await other.expect("read", skip=("presence", "message")))["seq"] == 2
        await reader.send(type="read", room=room, seq=99)
        assert (await other.expect("read", skip=("presence", "message")))["seq"] == 3
        assert await in_schema(schema, _read_seq, room, reader_principal.subject) == 3
    finally:
        await reader.close()
        await other.close()
    again = await ChatClient(reader_principal).connect()
    try:
        assert (await again.join(room))["read_seq"] == 3
    finally:
        await again.close()


def names(members) -> list[str]:
    return [member["name"] for member in members]


async def test_joined_lists_who_is_online_and_members_get_deltas(tenant_alpha):
    room = unique("presence")
    first = await ChatClient(principal_for(tenant_alpha, name="Ada")).connect()
    second = await ChatClient(principal_for(tenant_alpha, name="Bob")).connect()
    try:
        alone = await first.join(room)
        assert (names(alone["online"]), alone["online_count"]) == (["Ada"], 1)
        both = await second.join(room)
        assert (names(both["online"]), both["online_count"]) == (["Ada", "Bob"], 2)
        came = await first.expect("presence", skip=())
        assert (names(came["joined"]), came["left"], came["online_count"]) == (["Bob"], [], 2)
        await second.nothing(skip=())  # the joiner has its snapshot: no delta about itself
        await second.close()
        went = await first.expect("presence", skip=())
        assert (came["room"], went["joined"], names(went["left"])) == (room, [], ["Bob"])
        assert went["online_count"] == 1
    finally:
        await first.close()


async def test_presence_counts_one_person_with_two_sockets_once(tenant_alpha):
    room = unique("tabs")
    person = principal_for(tenant_alpha, name="Ada")
    watcher = await ChatClient(principal_for(tenant_alpha, name="Eve")).connect()
    tab_one = await ChatClient(person).connect()
    tab_two = await ChatClient(person).connect()
    try:
        await watcher.join(room)
        await tab_one.join(room)
        assert names((await watcher.expect("presence", skip=()))["joined"]) == ["Ada"]
        joined = await tab_two.join(room)
        assert (names(joined["online"]), joined["online_count"]) == (["Ada", "Eve"], 2)
        await tab_one.close()
        await watcher.nothing(skip=())  # Ada is still online through her second tab
        await tab_two.close()
        went = await watcher.expect("presence", skip=())
        assert (names(went["left"]), went["online_count"]) == (["Ada"], 1)
    finally:
        await watcher.close()
        await tab_one.close()
        await tab_two.close()


async def test_joined_lists_at_most_the_first_hundred_people_with_the_exact_count(tenant_alpha):
    room = unique("crowd")
    clients = [ChatClient(principal_for(tenant_alpha)) for _ in range(PRESENCE_LIST_MAX + 2)]
    try:
        for client in clients:
            await client.connect()
            joined = await client.join(room)
        assert joined["online_count"] == PRESENCE_LIST_MAX + 2
        assert len(joined["online"]) == PRESENCE_LIST_MAX
    finally:
        for client in clients:
            await client.close()
