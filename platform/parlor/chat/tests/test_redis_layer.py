"""The consumer on the Redis pub/sub layer: rooms, order and presence through a real Redis."""

from __future__ import annotations

import pytest
from redis import asyncio as aioredis

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
    bob = await ChatClient(principal_for(tenant_alpha, name="Bob")).connect()
    redis = aioredis.Redis.from_url(redis_layer["hosts"][0])
    try:
        await ada.join(room)
        await bob.join(room)
        # Ada's own announcement may reach Bob too: wait for the one listing both.
        online = []
        while len(online) < 2:
            online = [m["name"] for m in (await bob.expect("presence", skip=()))["online"]]
        assert online == ["Ada", "Bob"]
        keys = await redis.keys(f"{redis_layer['prefix']}:presence:*")
        assert len(keys) == 1 and room.encode() in keys[0]
        await bob.close()
        await ada.close()
        assert await redis.hlen(keys[0]) == 0
    finally:
        await redis.aclose()
