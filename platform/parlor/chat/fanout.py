"""Process-wide fan-out: each group is received once per process and handed to its sockets.

Channels' usual pattern (every socket in the group through its own channel) costs, per
receiver and message, a channel-layer queue hop, a copy, a new task and a dispatch, and every
socket holds a receive task, a queue and a subscription while idle. Here the process subscribes
one channel to each group that has a local member (rooms, a tenant's revocations, a tenant's
agents' inbox), and one task parses each event once (`parlor.chat.events`) and hands the record
to the member sockets by a plain call. One publish reaches each process once, whatever the size.

The layer can fail (Redis down or restarted). The fan-out never lets that fail a socket:
subscriptions are recorded locally first, a watcher sends a probe through the layer to the
process's own channel every second, and once a probe comes back after a failure it re-creates
the subscriptions on fresh connections and tells every socket to catch up from storage
(`fanout_resumed`), so nothing published meanwhile stays missing, with no traffic needed.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from typing import Any, Protocol

from parlor.chat.events import EventError, FanoutProbe, RoomMessage, event_message, event_parse
from parlor.observability import metrics

logger = logging.getLogger(__name__)

PROBE_INTERVAL_SECONDS = 1.0
# Generous: a loop stalled this long is not a lost layer, and a false alarm costs a catch-up.
PROBE_TIMEOUT_SECONDS = 3.0
PUBLISH_TIMEOUT_SECONDS = 2.0


class GroupListener(Protocol):
    """A socket that receives groups' events through the fan-out."""

    def fanout_receive(self, event: Any) -> None:
        """Take one event record; must not block or raise."""

    def fanout_resumed(self) -> None:
        """The layer came back after a failure: fetch from storage what may have been missed."""


class LayerFaults:
    """Logs a run of layer failures as one line when it starts and one when it ends."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.failures = 0

    def failed(self, error: BaseException) -> None:
        """Count one failure; log only the first of a run (no traceback: the cause is known)."""
        if self.failures == 0:
            logger.warning("%s failed (%s); repaired from storage later", self.what, _name(error))
        self.failures += 1

    def succeeded(self) -> None:
        """End a run of failures, saying how long it was."""
        if self.failures:
            logger.warning("%s works again after %d failures", self.what, self.failures)
            self.failures = 0


PUBLISH_FAULTS = LayerFaults("channel-layer publish")


async def publish(layer: Any, group: str, event: Any) -> bool:
    """Send the event record `event` to `group`; never raises: return whether it went out."""
    # A lost publish is repaired by its receivers (seq gaps, catch-up after a layer reconnect),
    # so a publish failure must never turn a stored message into an error for its sender.
    try:
        if getattr(layer, "publishes_in_batches", False):
            # parlor.realtime.publish_batch bounds each batch itself: one timer a batch.
            await layer.group_send(group, event_message(event))
        else:
            # A timeout scope, not wait_for: on Python 3.11 wait_for costs a task per publish.
            async with asyncio.timeout(PUBLISH_TIMEOUT_SECONDS):
                await layer.group_send(group, event_message(event))
    except Exception as error:
        metrics.backend_errors.labels("redis").inc()
        PUBLISH_FAULTS.failed(error)
        return False
    PUBLISH_FAULTS.succeeded()
    return True


class ProcessFanout:
    """Follows groups for the sockets of this process (one instance per event loop and layer)."""

    def __init__(self, channel_layer: Any) -> None:
        self.layer = channel_layer
        self.channel: str | None = None
        self.listeners: dict[str, set[GroupListener]] = {}
        self.lock = asyncio.Lock()
        self.task: asyncio.Task | None = None
        self.watcher: asyncio.Task | None = None
        self.connected = True
        self.faults = LayerFaults("channel-layer subscription")
        self.probes: dict[str, asyncio.Future] = {}
        self.recoveries = 0

    async def subscribe(self, group: str, listener: GroupListener) -> None:
        """Add `listener` to `group`; the process receives the group's events once the layer can."""
        async with self.lock:
            listeners = self.listeners.get(group)
            if listeners is None:
                listeners = self.listeners[group] = set()
            listeners.add(listener)
            self._watch()
            if len(listeners) == 1 and self.connected:
                await self._layer_call(self._group_add(group))

    async def unsubscribe(self, group: str, listener: GroupListener) -> None:
        """Remove `listener` from `group`; the last one out stops the process receiving it."""
        async with self.lock:
            listeners = self.listeners.get(group)
            if listeners is None or listener not in listeners:
                return
            listeners.discard(listener)
            if not listeners:
                del self.listeners[group]
                if self.channel is not None and self.connected:
                    await self._layer_call(self.layer.group_discard(group, self.channel))

    async def _group_add(self, group: str) -> None:
        if self.channel is None:
            self.channel = await self.layer.new_channel("fanout.")
            self.task = asyncio.ensure_future(self._receive_forever(self.channel))
        await self.layer.group_add(group, self.channel)

    async def _layer_call(self, call: Any) -> None:
        try:
            async with asyncio.timeout(PROBE_TIMEOUT_SECONDS):
                await call
        except Exception as error:
            self._lost(error)  # the watcher re-subscribes everything once the layer answers

    async def _receive_forever(self, channel: str) -> None:
        while True:
            try:
                message = await self.layer.receive(channel)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                self._lost(error)
                await asyncio.sleep(PROBE_INTERVAL_SECONDS)
                continue
            self.deliver(message)

    def deliver(self, message: dict[str, Any]) -> None:
        """Parse one channel-layer message and hand its record to every local listener."""
        try:
            event = event_parse(message)
        except EventError as error:
            logger.warning("fan-out dropped a message: %s", error)
            return
        if isinstance(event, FanoutProbe):
            waiting = self.probes.pop(event.nonce, None)
            if waiting is not None and not waiting.done():
                waiting.set_result(True)
            return
        if isinstance(event, RoomMessage) and event.published_at:
            # Across processes this reads two clocks: NTP keeps them within a millisecond or so.
            metrics.fanout_delay.observe(max(0.0, time.time() - event.published_at))
        for listener in tuple(self.listeners.get(event.group, ())):
            try:
                listener.fanout_receive(event)
            except Exception:
                logger.exception("fan-out listener failed")

    # Health and recovery.

    async def probe(self, timeout: float = PROBE_TIMEOUT_SECONDS) -> None:
        """Send a probe through the layer to this process's channel; raise unless it comes back."""
        if self.channel is None:
            async with self.lock:
                if self.channel is None:
                    await asyncio.wait_for(self._open_channel(), timeout)
        nonce = uuid.uuid4().hex
        arrived = self.probes[nonce] = asyncio.get_running_loop().create_future()
        try:
            async with asyncio.timeout(timeout):
                await self.layer.send(self.channel, event_message(FanoutProbe(nonce=nonce)))
                await arrived
        finally:
            self.probes.pop(nonce, None)

    async def _open_channel(self) -> None:
        self.channel = await self.layer.new_channel("fanout.")
        self.task = asyncio.ensure_future(self._receive_forever(self.channel))

    def _watch(self) -> None:
        if self.watcher is None or self.watcher.done():
            self.watcher = asyncio.ensure_future(self._watch_forever())

    async def _watch_forever(self) -> None:
        while True:
            await asyncio.sleep(PROBE_INTERVAL_SECONDS)
            try:
                if self.connected:
                    await self.probe()
                else:
                    await self._resubscribe()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                self._lost(error)

    def _lost(self, error: BaseException) -> None:
        metrics.backend_errors.labels("redis").inc()
        self.connected = False
        self.faults.failed(error)

    async def _resubscribe(self) -> None:
        """Drop the layer's connections, subscribe every group again and tell every socket."""
        async with self.lock:
            if self.task is not None:
                self.task.cancel()
            self.channel, self.task = None, None
            # Stale pooled connections and subscriptions go; the next calls open new ones.
            await asyncio.wait_for(self.layer.flush(), PROBE_TIMEOUT_SECONDS)
            await asyncio.wait_for(self._open_channel(), PROBE_TIMEOUT_SECONDS)
            for group in list(self.listeners):
                await asyncio.wait_for(
                    self.layer.group_add(group, self.channel), PROBE_TIMEOUT_SECONDS
                )
        await self.probe()
        self.connected = True
        self.recoveries += 1
        self.faults.succeeded()
        for listener in {listener for group in self.listeners.values() for listener in group}:
            try:
                listener.fanout_resumed()
            except Exception:
                logger.exception("fan-out listener failed to resume")

    def close(self) -> None:
        """Stop the receiving and watching tasks (tests and shutdown)."""
        for task in (self.task, self.watcher):
            if task is not None:
                task.cancel()


_fanouts: dict[tuple[int, int], tuple[Any, Any, ProcessFanout]] = {}


def process_fanout(channel_layer: Any) -> ProcessFanout:
    """Return this event loop's fan-out for `channel_layer`."""
    loop = asyncio.get_running_loop()
    key = (id(loop), id(channel_layer))
    entry = _fanouts.get(key)
    if entry is None or entry[0] is not loop or entry[1] is not channel_layer:
        entry = (loop, channel_layer, ProcessFanout(channel_layer))
        _fanouts[key] = entry
    return entry[2]


async def channel_layer_check(channel_layer: Any) -> None:
    """Raise unless an event sent through `channel_layer` now reaches this process (readiness)."""
    fanout = process_fanout(channel_layer)
    if not fanout.connected:
        raise ConnectionError("the channel layer is being re-subscribed")
    await fanout.probe()


def _name(error: BaseException) -> str:
    return type(error).__name__
