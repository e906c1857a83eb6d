"""ProcessFanout: one subscription per group per process, every local listener served once."""

from __future__ import annotations

import asyncio

from channels.layers import get_channel_layer

from parlor.base.events import event_message
from parlor.chat.events import RoomEvent
from parlor.chat.fanout import ProcessFanout, channel_layer_check, process_fanout, publish


class Listener:
    def __init__(self) -> None:
        self.events = []
        self.resumed = 0

    def fanout_receive(self, event) -> None:
        self.events.append(event)

    def fanout_resumed(self) -> None:
        self.resumed += 1


async def _until(condition, timeout: float = 5) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


def _event(group: str) -> dict:
    return event_message(RoomEvent(group=group, room=group.rsplit(".", 1)[1], text="{}"))


async def test_each_listener_gets_its_groups_events_once_as_records():
    layer = get_channel_layer()
    fanout = ProcessFanout(layer)
    first, second, other = Listener(), Listener(), Listener()
    await fanout.subscribe("t.1.r.lobby", first)
    await fanout.subscribe("t.1.r.lobby", second)
    await fanout.subscribe("t.1.r.kitchen", other)
    assert list(layer.groups["t.1.r.lobby"]) == [fanout.channel]  # one member per process
    await layer.group_send("t.1.r.lobby", _event("t.1.r.lobby"))
    await _until(lambda: first.events and second.events)
    assert (
        first.events == second.events == [RoomEvent(group="t.1.r.lobby", room="lobby", text="{}")]
    )
    assert other.events == []
    fanout.close()


async def test_the_last_listener_out_leaves_the_group():
    layer = get_channel_layer()
    fanout = ProcessFanout(layer)
    first, second = Listener(), Listener()
    await fanout.subscribe("t.1.r.hall", first)
    await fanout.subscribe("t.1.r.hall", second)
    await fanout.unsubscribe("t.1.r.hall", first)
    assert "t.1.r.hall" in layer.groups
    await fanout.unsubscribe("t.1.r.hall", second)
    assert "t.1.r.hall" not in layer.groups
    fanout.close()


async def test_a_failing_listener_does_not_stop_the_others():
    class Broken:
        def fanout_receive(self, event) -> None:
            raise RuntimeError("boom")

    fanout = ProcessFanout(get_channel_layer())
    healthy = Listener()
    fanout.listeners["t.1.r.g"] = {Broken(), healthy}
    fanout.deliver(_event("t.1.r.g"))
    assert len(healthy.events) == 1


async def test_unknown_or_malformed_messages_are_dropped_not_raised():
    fanout = ProcessFanout(get_channel_layer())
    listener = Listener()
    fanout.listeners["t.1.r.g"] = {listener}
    fanout.deliver({"type": "room.gap", "group": "t.1.r.g", "room": "g"})
    fanout.deliver({"type": "room.event", "group": "t.1.r.g"})  # no room, no text
    fanout.deliver({"group": "t.1.r.g"})
    assert listener.events == []


async def test_the_probe_comes_back_through_the_layer():
    await channel_layer_check(get_channel_layer())
    process_fanout(get_channel_layer()).close()


async def test_publish_never_raises_and_says_whether_it_went_out():
    class DownLayer:
        async def group_send(self, group, message):
            raise ConnectionError("redis is down")

    assert (
        await publish(DownLayer(), "t.1.r.g", RoomEvent(group="t.1.r.g", room="g", text=""))
        is False
    )
    assert await publish(
        get_channel_layer(), "t.1.r.g", RoomEvent(group="t.1.r.g", room="g", text="")
    )
