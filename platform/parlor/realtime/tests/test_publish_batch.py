"""Publishes of one loop turn share one Redis pipeline, arrive in order, and fail loudly."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from parlor.realtime.channel_layer import DeploymentChannelLayer
from parlor.realtime.publish_batch import PublishBatcher

pytestmark = pytest.mark.redis


@pytest.fixture
async def layer(redis_url):
    layer = DeploymentChannelLayer(hosts=[redis_url], prefix=f"test-{uuid.uuid4().hex[:8]}")
    yield layer
    await layer.flush()


async def _receiver(layer, group: str) -> str:
    channel = await layer.new_channel("fanout.")
    await layer.group_add(group, channel)
    return channel


async def test_publishes_of_one_turn_go_in_one_pipeline_in_order(layer, monkeypatch):
    channel = await _receiver(layer, "room")
    pipelines: list[int] = []
    sent = PublishBatcher._send

    async def counted(self, batch):
        pipelines.append(len(batch))
        await sent(self, batch)

    monkeypatch.setattr(PublishBatcher, "_send", counted)
    await asyncio.gather(*(layer.group_send("room", {"type": "t", "n": n}) for n in range(50)))
    received = [(await layer.receive(channel))["n"] for _ in range(50)]
    assert received == list(range(50))
    assert pipelines == [50]


async def test_publishes_made_while_a_batch_is_on_the_wire_follow_it_in_order(layer):
    channel = await _receiver(layer, "room")

    async def publish_later(n: int) -> None:
        await asyncio.sleep(0)  # a later turn: joins the next batch
        await layer.group_send("room", {"type": "t", "n": n})

    first = [layer.group_send("room", {"type": "t", "n": n}) for n in range(10)]
    later = [publish_later(n) for n in range(10, 20)]
    await asyncio.gather(*first, *later)
    assert [(await layer.receive(channel))["n"] for _ in range(20)] == list(range(20))


async def test_a_failed_pipeline_fails_every_publish_of_its_batch(layer, monkeypatch):
    await layer.group_send("room", {"type": "t"})  # the connection exists
    batcher = layer.publish_batcher()
    shard = batcher.loop_layer._get_shard("x")

    def refused(*args, **kwargs):
        raise ConnectionError("redis is away")

    monkeypatch.setattr(shard._redis, "pipeline", refused)
    results = await asyncio.gather(
        *(layer.group_send("room", {"type": "t"}) for _ in range(3)), return_exceptions=True
    )
    assert [type(result) for result in results] == [ConnectionError] * 3
    assert batcher.flusher is None and batcher.pending == []
