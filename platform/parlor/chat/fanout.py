"""Process-wide fan-out: each room group is received once per process and handed to its sockets.

Channels' usual pattern (every socket in the group through its own channel) costs, per
receiver and message, a channel-layer queue hop, a copy, a new task and a dispatch. Here the
process subscribes one channel to each room group that has a local member, and one task hands
each event to the member sockets by a plain call; sockets queue the pre-encoded frame in their
outbox. One publish per message reaches each process once, whatever the room's size.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Protocol

logger = logging.getLogger(__name__)


class RoomListener(Protocol):
    """A socket that follows rooms through the fan-out."""

    def fanout_receive(self, event: dict[str, Any]) -> None:
        """Take one room event; must not block or raise."""


class RoomFanout:
    """Follows room groups for the sockets of this process (one instance per event loop)."""

    def __init__(self, channel_layer: Any) -> None:
        self.layer = channel_layer
        self.channel: str | None = None
        self.listeners: dict[str, set[RoomListener]] = {}
        self.lock = asyncio.Lock()
        self.task: asyncio.Task | None = None

    async def subscribe(self, group: str, listener: RoomListener) -> None:
        """Add `listener` to `group`; on return the process receives the group's events."""
        async with self.lock:
            if self.channel is None:
                self.channel = await self.layer.new_channel("fanout.")
                self.task = asyncio.ensure_future(self._receive_forever())
            listeners = self.listeners.get(group)
            if listeners is None:
                await self.layer.group_add(group, self.channel)
                listeners = self.listeners[group] = set()
            listeners.add(listener)

    async def unsubscribe(self, group: str, listener: RoomListener) -> None:
        """Remove `listener` from `group`; the last one out stops the process receiving it."""
        async with self.lock:
            listeners = self.listeners.get(group)
            if listeners is None or listener not in listeners:
                return
            listeners.discard(listener)
            if not listeners:
                del self.listeners[group]
                await self.layer.group_discard(group, self.channel)

    async def _receive_forever(self) -> None:
        while True:
            try:
                event = await self.layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("room fan-out could not receive; retrying")
                await asyncio.sleep(1)
                continue
            self.deliver(event)

    def deliver(self, event: dict[str, Any]) -> None:
        """Hand one event to every local listener of its group."""
        for listener in tuple(self.listeners.get(event["group"], ())):
            try:
                listener.fanout_receive(event)
            except Exception:
                logger.exception("room fan-out listener failed")


_fanouts: dict[tuple[int, int], tuple[Any, RoomFanout]] = {}


def room_fanout(channel_layer: Any) -> RoomFanout:
    """Return this event loop's fan-out for `channel_layer`."""
    key = (id(asyncio.get_running_loop()), id(channel_layer))
    entry = _fanouts.get(key)
    if entry is None or entry[0] is not channel_layer:
        entry = (channel_layer, RoomFanout(channel_layer))
        _fanouts[key] = entry
    return entry[1]
