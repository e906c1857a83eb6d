"""The channel layer: channels-redis' pub/sub layer, its names prefixed by this deployment.

Redis pub/sub ignores the database number, so two deployments on one Redis server (`/0` and
`/1`) would hear each other's groups (`t.<tenant id>.r.<room>`) under one prefix. Each
deployment's prefix therefore carries its key (`parlor.models.Deployment`, generated at the
first migration), unless `PARLOR_CHANNEL_PREFIX` sets one. Settings are built before the
database is reachable, so the key is read at the layer's first use, once per process.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

from channels_redis.pubsub import RedisPubSubChannelLayer, RedisPubSubLoopLayer
from channels_redis.utils import _wrap_close

from parlor.base.db import in_public_schema
from parlor.realtime.publish_batch import PublishBatcher

LAYER_METHODS = frozenset(
    {"new_channel", "send", "receive", "group_add", "group_discard", "group_send", "flush"}
)

_deployment_prefix: str | None = None


def deployment_key_get() -> str:
    """Return this deployment's key, creating the row if the first migration did not."""
    from parlor.models import Deployment, deployment_key_new

    deployment = Deployment.objects.order_by("id").first()
    if deployment is None:
        deployment = Deployment.objects.create(key=deployment_key_new())
    return deployment.key


async def deployment_prefix() -> str:
    """Return `parlor.<deployment key>`, read from the database once per process."""
    global _deployment_prefix
    if _deployment_prefix is None:
        _deployment_prefix = f"parlor.{await in_public_schema(deployment_key_get)}"
    return _deployment_prefix


async def _call(layer: DeploymentChannelLayer, name: str, *args: Any, **kwargs: Any) -> Any:
    # A function, not a method, as channels-redis' own proxy (bugs.python.org/issue38364).
    if layer.prefix is None:
        await layer.prefix_resolve()
    if name == "group_send":
        return await layer.publish_batcher().group_send(*args, **kwargs)
    return await getattr(layer._get_layer(), name)(*args, **kwargs)


class DeploymentChannelLayer(RedisPubSubChannelLayer):
    """The Redis pub/sub layer whose prefix is `prefix`, else this deployment's, read lazily."""

    # group_send goes through a PublishBatcher, which bounds each batch's time itself.
    publishes_in_batches = True

    def __init__(self, *args: Any, prefix: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.prefix = prefix

    def __getattr__(self, name: str) -> Any:
        if name in LAYER_METHODS:
            return functools.partial(_call, self, name)
        return super().__getattr__(name)

    async def prefix_resolve(self) -> str:
        """Return the prefix, reading the deployment's key on first use."""
        if self.prefix is None:
            self.prefix = await deployment_prefix()
        return self.prefix

    def publish_batcher(self) -> PublishBatcher:
        """Return the publish batcher of this event loop's layer (parlor.realtime.publish_batch)."""
        loop_layer = self._get_layer()
        # Kept on the loop's layer, so it goes when channels-redis drops that layer with its
        # loop (a mapping keyed by the layer would keep the layer alive through the batcher).
        batcher = getattr(loop_layer, "parlor_publish_batcher", None)
        if batcher is None:
            batcher = loop_layer.parlor_publish_batcher = PublishBatcher(loop_layer)
        return batcher

    def _get_layer(self) -> RedisPubSubLoopLayer:
        if self.prefix is None:
            raise RuntimeError("call the layer's async methods first: they resolve its prefix.")
        loop = asyncio.get_running_loop()
        layer = self._layers.get(loop)
        if layer is None:
            layer = RedisPubSubLoopLayer(
                *self._args, prefix=self.prefix, **self._kwargs, channel_layer=self
            )
            self._layers[loop] = layer
            _wrap_close(self, loop)
        return layer
