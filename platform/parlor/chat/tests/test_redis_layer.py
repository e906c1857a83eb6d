"""The consumer on the Redis pub/sub layer: rooms, order and presence through a real Redis."""

from __future__ import annotations

import pytest
from redis import asyncio as aioredis

from parlor.chat.presence import PRESENCE_LIST_MAX, RedisPresence
from parlor.chat.tests.support import ChatClient, principal_for, unique

pytestmark = [pytest.mark.redis, pytest.mark.usefixtures("live_db", "redis_layer")]


async def test_same_room_sees_messages_in_order_and_another_room_nothing(tenant_alpha):
    room = unique("redis-room")
    clients = [await ChatClient(principal_for(tenant_alpha)).connect() for _ in range(3)]
    elsewhere = await ChatClient(principal_for(tenant_alpha)).connect()
    try:
        for client in clients:
            await client.join(room)
        await elsewhere.join(unique("redis-other"))
        for number in range(10):
            await clients[number % 3].say(room, f"m{number}")
        for client in clients:
            messages = await client.collect("message", 10)
            assert [m["body"] for m in messages] == [f"m{number}" for number in range(10)]
        await elsewhere.nothing()
    finally:
        for client in (*clients, elsewhere):
            await client.close()


async def test_presence_is_shared_through_redis(tenant_alpha, redis_layer):
    room = unique("redis-presence")
    ada = await ChatClient(principal_for(tenant_alpha, name="Ada")).connect()
    bob_person = principal_for(tenant_alpha, name="Bob")
    bob = await ChatClient(bob_person).connect()
    bob_tab = await ChatClient(bob_person).connect()
    redis = aioredis.Redis.from_url(redis_layer["hosts"][0])
    try:
        await ada.join(room)
        joined = await bob.join(room)
        assert ([m["name"] for m in joined["online"]], joined["online_count"]) == (
            ["Ada", "Bob"],
            2,
        )
        came = await ada.expect("presence", skip=())
        assert [m["name"] for m in came["joined"]] == ["Bob"]
        assert (await bob_tab.join(room))["online_count"] == 2
        keys = await redis.keys(f"{redis_layer['prefix']}:presence:*")
        assert len(keys) == 2 and all(room.encode() in key for key in keys)
        await bob.close()
        await ada.nothing(skip=())  # Bob is still online through his other tab
        await bob_tab.close()
        went = await ada.expect("presence", skip=())
        assert ([m["name"] for m in went["left"]], went["online_count"]) == (["Bob"], 1)
        await ada.close()
        assert await redis.keys(f"{redis_layer['prefix']}:presence:*") == []
    finally:
        for client in (ada, bob, bob_tab):
            await client.close()
        await redis.aclose()


async def test_redis_presence_lists_at_most_the_limit_with_the_exact_count(redis_layer):
    store = RedisPresence(redis_layer["hosts"][0], redis_layer["prefix"])
    group = f"t.0.r.{unique('crowd')}"
    try:
        for number in range(PRESENCE_LIST_MAX + 5):
            member = {"kind": "user", "id": f"u{number}", "name": f"U{number}"}
            change = await store.enter(group, f"channel-{number}", member)
            assert change.changed
        assert change.online_count == PRESENCE_LIST_MAX + 5
        assert 0 < len(change.online) <= PRESENCE_LIST_MAX
        again = await store.enter(group, "channel-0", {"kind": "user", "id": "u0", "name": "U0"})
        assert (again.changed, again.online_count) == (False, PRESENCE_LIST_MAX + 5)
        left = await store.leave(group, "channel-0", {"kind": "user", "id": "u0", "name": "U0"})
        assert (left.changed, left.online_count) == (True, PRESENCE_LIST_MAX + 4)
        twice = await store.leave(group, "channel-0", {"kind": "user", "id": "u0", "name": "U0"})
        assert (twice.changed, twice.online_count) == (False, PRESENCE_LIST_MAX + 4)
    finally:
        await store.redis.delete(*store._keys(group))
        await store.redis.aclose()
