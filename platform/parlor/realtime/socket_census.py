"""Open sockets per tenant across every server process, for the operator console.

Each process counts its own sockets (`socket_caps.SOCKET_CAPS`) and, while it has any,
publishes the counts to Redis every CENSUS_SECONDS, in a hash of its own that expires when
the process stops publishing (so a process that dies drops out of the sum). Reading sums
every process's hash. Without REDIS_URL there is one process: its own counts are the answer.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid

import redis
import redis.asyncio as aioredis
from django.conf import settings

from parlor.realtime.socket_caps import SOCKET_CAPS

logger = logging.getLogger(__name__)
CENSUS_SECONDS = 2.0
KEY_PREFIX = "parlor:census:sockets:"
PROCESS_KEY = f"{KEY_PREFIX}{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

_tasks: dict[int, tuple[asyncio.AbstractEventLoop, asyncio.Task]] = {}


def census_ensure() -> None:
    """Start this event loop's publisher if Redis is configured and it is not running."""
    if not settings.REDIS_URL:
        return
    loop = asyncio.get_running_loop()
    entry = _tasks.get(id(loop))
    if entry is not None and entry[0] is loop and not entry[1].done():
        return
    _tasks[id(loop)] = (loop, loop.create_task(_publish_forever(settings.REDIS_URL)))


async def _publish_forever(url: str) -> None:
    client = aioredis.Redis.from_url(url)
    try:
        while True:
            counts = SOCKET_CAPS.tenant_counts()
            try:
                await _publish(client, counts)
            except (redis.RedisError, OSError) as error:
                logger.info("socket census not published (%s)", type(error).__name__)
            if not counts:
                return  # the hash expires; the next socket starts a publisher again
            await asyncio.sleep(CENSUS_SECONDS)
    finally:
        await client.aclose()


async def _publish(client, counts: dict[int, int]) -> None:
    async with client.pipeline(transaction=True) as pipe:
        pipe.delete(PROCESS_KEY)
        if counts:
            pipe.hset(PROCESS_KEY, mapping={str(key): value for key, value in counts.items()})
            pipe.expire(PROCESS_KEY, int(CENSUS_SECONDS * 3))
        await pipe.execute()


def tenant_sockets_open() -> dict[int, int]:
    """Return the open sockets per tenant id in every process (sync; a few Redis reads)."""
    if not settings.REDIS_URL:
        return SOCKET_CAPS.tenant_counts()
    client = redis.Redis.from_url(settings.REDIS_URL)
    totals: dict[int, int] = {}
    try:
        for key in client.scan_iter(match=f"{KEY_PREFIX}*", count=500):
            for tenant_id, count in client.hgetall(key).items():
                totals[int(tenant_id)] = totals.get(int(tenant_id), 0) + int(count)
    except (redis.RedisError, OSError) as error:
        logger.info("socket census unreadable (%s); this process's counts", type(error).__name__)
        return SOCKET_CAPS.tenant_counts()
    finally:
        client.close()
    return totals
