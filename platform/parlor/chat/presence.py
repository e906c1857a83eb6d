"""Who is online in a room: ephemeral, never in the database.

With a Redis channel layer every process shares one room's presence in that Redis (so a room
spread over several processes has one list); with the in-memory layer it is the process's
own. Sockets are counted per person (kind and id), so one person with two tabs is online once
and goes offline with the last tab. Each change reports whether the person came online or
went offline, so members get deltas, never the whole list: a join costs O(1) per member
whatever the room's size. A joining socket gets a snapshot of at most `PRESENCE_LIST_MAX`
people plus the count.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import orjson
from channels_redis.pubsub import RedisPubSubChannelLayer
from channels_redis.utils import decode_hosts
from redis import asyncio as aioredis

# An entry whose process died without cleaning up disappears at the latest after this long
# without any join in the room.
PRESENCE_TTL_SECONDS = 3600
# The most people listed in a `joined` frame's `online` (the count is always exact).
PRESENCE_LIST_MAX = 100

Member = dict[str, str]


@dataclass(frozen=True, slots=True)
class PresenceChange:
    """The outcome of one socket entering or leaving a room."""

    changed: bool  # the person came online (enter) or went offline (leave)
    online_count: int  # people online now
    online: list[Member]  # enter only: up to PRESENCE_LIST_MAX people online, sorted


def person_of(member: Member) -> str:
    """Return the key that identifies one person across their sockets."""
    return f"{member['kind']}:{member['id']}"


class LocalPresence:
    """Presence kept in this process (the in-memory channel layer's reach)."""

    def __init__(self) -> None:
        self.sockets: dict[str, dict[str, Member]] = {}
        self.people: dict[str, dict[str, int]] = {}

    async def enter(self, group: str, channel: str, member: Member) -> PresenceChange:
        """Record `member` as online in `group` through `channel`."""
        sockets = self.sockets.setdefault(group, {})
        people = self.people.setdefault(group, {})
        count = 0
        if channel not in sockets:
            sockets[channel] = member
            count = people[person_of(member)] = people.get(person_of(member), 0) + 1
        online = unique_members(sockets.values())[:PRESENCE_LIST_MAX]
        return PresenceChange(changed=count == 1, online_count=len(people), online=online)

    async def leave(self, group: str, channel: str, member: Member) -> PresenceChange:
        """Forget `channel` in `group`."""
        people = self.people.get(group, {})
        if self.sockets.get(group, {}).pop(channel, None) is None:
            return PresenceChange(changed=False, online_count=len(people), online=[])
        person = person_of(member)
        people[person] -= 1
        gone = people[person] <= 0
        if gone:
            del people[person]
        if not people:
            self.sockets.pop(group, None)
            self.people.pop(group, None)
        return PresenceChange(changed=gone, online_count=len(people), online=[])

    async def members(self, group: str) -> list[Member]:
        """Return everyone online in `group`, once each."""
        return unique_members(self.sockets.get(group, {}).values())


# KEYS: sockets hash (channel -> member JSON), people hash (person -> socket count).
# ARGV: channel, member JSON, person, ttl, list max. Returns {count, people, members...}.
ENTER_SCRIPT = """
local count = 0
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 1 then
  count = redis.call('HINCRBY', KEYS[2], ARGV[3], 1)
end
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[4])
local people = redis.call('HLEN', KEYS[2])
local result = {count, people}
local limit = tonumber(ARGV[5])
if people <= limit then
  for _, value in ipairs(redis.call('HVALS', KEYS[1])) do table.insert(result, value) end
else
  local page = redis.call('HSCAN', KEYS[1], 0, 'COUNT', limit)[2]
  for index = 2, #page, 2 do table.insert(result, page[index]) end
end
return result
"""

# KEYS: as above. ARGV: channel, person. Returns {count left (-1: not there), people}.
LEAVE_SCRIPT = """
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then
  return {-1, redis.call('HLEN', KEYS[2])}
end
local count = redis.call('HINCRBY', KEYS[2], ARGV[2], -1)
if count <= 0 then redis.call('HDEL', KEYS[2], ARGV[2]) end
return {count, redis.call('HLEN', KEYS[2])}
"""


class RedisPresence:
    """Presence shared by every process through two Redis hashes per room group."""

    def __init__(self, url: str, prefix: str) -> None:
        self.redis = aioredis.Redis.from_url(url)
        self.prefix = prefix
        self.enter_script = self.redis.register_script(ENTER_SCRIPT)
        self.leave_script = self.redis.register_script(LEAVE_SCRIPT)

    def _keys(self, group: str) -> list[str]:
        key = f"{self.prefix}:presence:{group}"
        return [key, f"{key}:people"]

    async def enter(self, group: str, channel: str, member: Member) -> PresenceChange:
        """Record `member` as online in `group` through `channel`."""
        arguments = [channel, orjson.dumps(member), person_of(member)]
        count, people, *values = await self.enter_script(
            keys=self._keys(group),
            args=[*arguments, PRESENCE_TTL_SECONDS, PRESENCE_LIST_MAX],
        )
        online = unique_members(orjson.loads(value) for value in values)[:PRESENCE_LIST_MAX]
        return PresenceChange(changed=count == 1, online_count=people, online=online)

    async def leave(self, group: str, channel: str, member: Member) -> PresenceChange:
        """Forget `channel` in `group`."""
        count, people = await self.leave_script(
            keys=self._keys(group), args=[channel, person_of(member)]
        )
        return PresenceChange(changed=count == 0, online_count=people, online=[])

    async def members(self, group: str) -> list[Member]:
        """Return everyone online in `group`, once each."""
        values = await self.redis.hvals(self._keys(group)[0])
        return unique_members(orjson.loads(value) for value in values)


def unique_members(members: Any) -> list[Member]:
    """Return members once each (by kind and id), sorted by kind, name and id."""
    seen = {person_of(member): member for member in members}
    return sorted(seen.values(), key=lambda member: (member["kind"], member["name"], member["id"]))


_stores: dict[tuple[int, str], tuple[Any, LocalPresence | RedisPresence]] = {}


async def presence_store(channel_layer: Any) -> LocalPresence | RedisPresence:
    """Return the presence store matching `channel_layer`, one per event loop."""
    loop = asyncio.get_running_loop()
    if not isinstance(channel_layer, RedisPubSubChannelLayer):
        key = (id(loop), "local")
        entry = _stores.get(key)
        if entry is None or entry[0] is not loop:
            entry = _stores[key] = (loop, LocalPresence())
        return entry[1]
    url = decode_hosts(channel_layer._kwargs.get("hosts"))[0]["address"]
    # The layer's prefix, which names the deployment (parlor.realtime.channel_layer).
    prefix = await _layer_prefix(channel_layer)
    key = (id(loop), f"{url}|{prefix}")
    entry = _stores.get(key)
    if entry is None or entry[0] is not loop:
        entry = _stores[key] = (loop, RedisPresence(url, prefix))
    return entry[1]


async def _layer_prefix(channel_layer: Any) -> str:
    resolve = getattr(channel_layer, "prefix_resolve", None)
    if resolve is not None:
        return await resolve()
    return channel_layer._kwargs.get("prefix", "asgi")  # channels-redis' own default
