"""RoomFanout: one subscription per room group per process, every local listener served."""

from __future__ import annotations

import asyncio

from channels.layers import get_channel_layer

from parlor.chat.fanout import RoomFanout


class Listener:
    def __init__(self) -> None:
        self.events = []

    def fanout_receive(self, event) -> None:
        self.events.append(event)


async def _until(condition, timeout: float = 5) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


async def test_each_listener_gets_its_groups_events_once():
    layer = get_channel_layer()
    fanout = RoomFanout(layer)
    first, second, other = Listener(), Listener(), Listener()
    await fanout.subscribe("t.1.r.lobby", first)
    await fanout.subscribe("t.1.r.lobby", second)
    await fanout.subscribe("t.1.r.kitchen", other)
    assert list(layer.groups["t.1.r.lobby"]) == [fanout.channel]  # one member per process
    await layer.group_send("t.1.r.lobby", {"type": "room.message", "group": "t.1.r.lobby"})
    await _until(lambda: first.events and second.events)
    assert len(first.events) == len(second.events) == 1
    assert other.events == []
    fanout.task.cancel()


async def test_the_last_listener_out_leaves_the_group():
    layer = get_channel_layer()
    fanout = RoomFanout(layer)
    first, second = Listener(), Listener()
    await fanout.subscribe("t.1.r.hall", first)
    await fanout.subscribe("t.1.r.hall", second)
    await fanout.unsubscribe("t.1.r.hall", first)
    assert "t.1.r.hall" in layer.groups
    await fanout.unsubscribe("t.1.r.hall", second)
    assert "t.1.r.hall" not in layer.groups
    fanout.task.cancel()


async def test_a_failing_listener_does_not_stop_the_others():
    class Broken:
        def fanout_receive(self, event) -> None:
            raise RuntimeError("boom")

    fanout = RoomFanout(get_channel_layer())
    healthy = Listener()
    fanout.listeners["g"] = {Broken(), healthy}
    fanout.deliver({"group": "g"})
    assert healthy.events == [{"group": "g"}]
