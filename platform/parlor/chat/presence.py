"""Who is online in a room: ephemeral, never in the database.

With a Redis channel layer every process shares one hash per room group in that Redis (so a
room spread over several processes has one list); with the in-memory layer the list is the
process's own. Entries are keyed by channel name, so one person with two tabs counts once.
"""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
from django.conf import settings
from redis import asyncio as aioredis

# An entry whose process died without cleaning up disappears at the latest after this long
# without any join in the room.
PRESENCE_TTL_SECONDS = 3600

Member = dict[str, str]


class LocalPresence:
    """Presence kept in this process (the in-memory channel layer's reach)."""

    def __init__(self) -> None:
        self.rooms: dict[str, dict[str, Member]] = {}

    async def enter(self, group: str, channel: str, member: Member) -> list[Member]:
        """Record `member` as online in `group` through `channel`; return who is online."""
        self.rooms.setdefault(group, {})[channel] = member
        return unique_members(self.rooms[group].values())

    async def leave(self, group: str, channel: str) -> list[Member]:
        """Forget `channel` in `group`; return who is still online."""
        online = self.rooms.get(group, {})
        online.pop(channel, None)
        if not online:
            self.rooms.pop(group, None)
        return unique_members(online.values())


class RedisPresence:
    """Presence shared by every process through one Redis hash per room group."""

    def __init__(self, url: str, prefix: str) -> None:
        self.redis = aioredis.Redis.from_url(url)
        self.prefix = prefix

    def _key(self, group: str) -> str:
        return f"{self.prefix}:presence:{group}"

    async def enter(self, group: str, channel: str, member: Member) -> list[Member]:
        """Record `member` as online in `group` through `channel`; return who is online."""
        key = self._key(group)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, channel, orjson.dumps(member))
            pipe.expire(key, PRESENCE_TTL_SECONDS)
            pipe.hvals(key)
            *_, values = await pipe.execute()
        return unique_members(orjson.loads(value) for value in values)

    async def leave(self, group: str, channel: str) -> list[Member]:
        """Forget `channel` in `group`; return who is still online."""
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hdel(self._key(group), channel)
            pipe.hvals(self._key(group))
            _, values = await pipe.execute()
        return unique_members(orjson.loads(value) for value in values)


def unique_members(members: Any) -> list[Member]:
    """Return members once each (by kind and id), sorted by kind, name and id."""
    seen = {(member["kind"], member["id"]): member for member in members}
    return sorted(seen.values(), key=lambda member: (member["kind"], member["name"], member["id"]))


_stores: dict[tuple[int, str], LocalPresence | RedisPresence] = {}


def presence_store() -> LocalPresence | RedisPresence:
    """Return the presence store matching the default channel layer, one per event loop."""
    config = settings.CHANNEL_LAYERS.get("default", {})
    loop_id = id(asyncio.get_running_loop())
    if "channels_redis" not in config.get("BACKEND", ""):
        key = (loop_id, "local")
        if key not in _stores:
            _stores[key] = LocalPresence()
        return _stores[key]
    options = config.get("CONFIG", {})
    host = options.get("hosts", ["redis://127.0.0.1:6379/0"])[0]
    url = host if isinstance(host, str) else host["address"]
    prefix = options.get("prefix", "asgi")
    key = (loop_id, f"{url}|{prefix}")
    if key not in _stores:
        _stores[key] = RedisPresence(url, prefix)
    return _stores[key]
