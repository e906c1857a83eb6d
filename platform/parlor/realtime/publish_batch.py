"""Publishes of one event-loop turn go to Redis together: one pipeline, not one round trip each.

channels-redis publishes each group message on its own, one at a time behind the shard's
lock: a round trip and ~90 us of client CPU a publish. A group-committed batch of sends
(parlor.chat.ingest) acknowledges all its senders in one turn of the loop, and each then
publishes; here those publishes join one pipeline, and publishes made while it is on the wire
join the next one. Order is kept: one flusher per loop layer sends the batches in turn, each
in the order its publishes were made (issue 11, ingest).
"""

from __future__ import annotations

import asyncio
from typing import Any

from channels_redis.pubsub import RedisPubSubLoopLayer

# A batch that Redis has not taken by then fails: its publishers log it once and receivers
# repair the loss from storage (parlor.chat.fanout).
BATCH_TIMEOUT_SECONDS = 2.0


class PublishBatcher:
    """Sends the group messages of one loop layer to Redis in pipelined batches, in order."""

    def __init__(self, loop_layer: RedisPubSubLoopLayer) -> None:
        self.loop_layer = loop_layer
        self.pending: list[tuple[str, bytes, asyncio.Future[None]]] = []
        self.flusher: asyncio.Task[None] | None = None

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        """Publish `message` to `group`; return once Redis has taken it (raise if it failed)."""
        layer = self.loop_layer
        channel = layer._get_group_channel_name(group)
        payload = layer.channel_layer.serialize(message)
        future = asyncio.get_running_loop().create_future()
        self.pending.append((channel, payload, future))
        if self.flusher is None:
            # Starts on the loop's next turn: every publish of this turn joins the batch.
            self.flusher = asyncio.ensure_future(self._flush_all())
        await future

    async def _flush_all(self) -> None:
        try:
            while self.pending:
                batch, self.pending = self.pending, []
                await self._send(batch)
        finally:
            self.flusher = None

    async def _send(self, batch: list[tuple[str, bytes, asyncio.Future[None]]]) -> None:
        try:
            async with asyncio.timeout(BATCH_TIMEOUT_SECONDS):
                for shard, items in self._by_shard(batch).items():
                    async with shard._lock:  # the shard's own publishes wait behind this lock
                        shard._ensure_redis()
                        pipeline = shard._redis.pipeline(transaction=False)
                        for channel, payload, _ in items:
                            pipeline.publish(channel, payload)
                        await pipeline.execute()
        except Exception as error:  # every waiter learns it; parlor.chat.fanout logs it once
            for *_, future in batch:
                if not future.done():
                    future.set_exception(error)
                    future.exception()  # a waiter that timed out must not log it again
            return
        for *_, future in batch:
            if not future.done():
                future.set_result(None)

    def _by_shard(self, batch: list) -> dict[Any, list]:
        shards: dict[Any, list] = {}
        for item in batch:
            shards.setdefault(self.loop_layer._get_shard(item[0]), []).append(item)
        return shards
