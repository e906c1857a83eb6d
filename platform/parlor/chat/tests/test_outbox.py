"""Outbox: frames written in order, at once or behind a waiting write, bounded for slow readers."""

from __future__ import annotations

import asyncio

import pytest

from parlor.chat.outbox import Outbox
from parlor.chat.tests.support import ChatClient, StalledClientApp, principal_for, unique, until


class Server:
    """An ASGI send that writes at once, or holds every write while `blocked` until released."""

    def __init__(self) -> None:
        self.written: list[dict] = []
        self.blocked = False
        self.release = asyncio.Event()
        self.writes_started = 0

    async def send(self, event: dict) -> None:
        self.writes_started += 1
        if self.blocked:
            await self.release.wait()
        self.written.append(event)

    def items(self) -> list:
        return [event.get("text", event.get("code")) for event in self.written]


async def test_writes_at_once_without_a_task_while_the_client_keeps_up():
    server = Server()
    outbox = Outbox(server.send, max_frames=10)
    assert outbox.push_text("a")
    assert server.items() == ["a"]  # written before push_text returned
    assert outbox.writer is None
    outbox.push_close(4000)
    assert outbox.push_text("after close")  # ignored, not an overflow
    assert server.items() == ["a", 4000]


class DirectWriter:
    """A server's direct text writer that writes at once unless `refusing`."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.refusing = False

    def __call__(self, text: str) -> bool:
        if self.refusing:
            return False
        self.server.written.append({"type": "direct", "text": text})
        return True


async def test_texts_go_to_the_direct_writer_and_what_it_refuses_to_send():
    server = Server()
    direct = DirectWriter(server)
    outbox = Outbox(server.send, max_frames=10, text_write=direct)
    assert outbox.push_text("a")
    direct.refusing = True
    assert outbox.push_text("b")
    direct.refusing = False
    outbox.push_close(4000)
    assert [event["type"] for event in server.written] == ["direct", "websocket.send",
                                                            "websocket.close"]  # fmt: skip
    assert server.items() == ["a", "b", 4000]


async def test_while_a_write_waits_texts_queue_behind_it_not_through_the_direct_writer():
    server = Server()
    direct = DirectWriter(server)
    outbox = Outbox(server.send, max_frames=10, text_write=direct)
    direct.refusing = True  # the transport is backed up: the server's send waits
    server.blocked = True
    assert outbox.push_text("a")
    direct.refusing = False
    assert outbox.push_text("b")  # must not overtake "a"
    assert server.items() == []
    server.blocked = False
    server.release.set()
    await asyncio.wait_for(outbox.writer, 5)
    assert server.items() == ["a", "b"]
    assert outbox.push_text("c")
    assert server.written[-1] == {"type": "direct", "text": "c"}


async def test_a_write_that_waits_queues_the_rest_behind_it_in_order():
    server = Server()
    server.blocked = True
    outbox = Outbox(server.send, max_frames=10)
    for text in ("a", "b", "c"):
        assert outbox.push_text(text)
    outbox.push_close(4000)
    assert server.writes_started == 1 and server.items() == []
    assert outbox.backlog == 3 and outbox.writer is not None
    server.blocked = False
    server.release.set()
    await asyncio.wait_for(outbox.writer, 5)
    assert server.items() == ["a", "b", "c", 4000]
    assert outbox.writer is None


async def test_after_the_backlog_drains_it_writes_at_once_again():
    server = Server()
    server.blocked = True
    outbox = Outbox(server.send, max_frames=10)
    outbox.push_text("a")
    outbox.push_text("b")
    server.blocked = False
    server.release.set()
    await asyncio.wait_for(outbox.writer, 5)
    outbox.push_text("c")
    assert server.items() == ["a", "b", "c"]
    assert outbox.writer is None


async def test_refuses_frames_beyond_its_bound():
    server = Server()
    server.blocked = True
    outbox = Outbox(server.send, max_frames=2)
    assert outbox.push_text("in flight")
    assert outbox.push_text("a") and outbox.push_text("b")
    assert not outbox.push_text("c")
    outbox.stop()


async def test_a_failing_send_drops_the_socket_frames_quietly():
    async def gone(event):
        raise ConnectionResetError("client went away")

    outbox = Outbox(gone, max_frames=2)
    assert outbox.push_text("a")
    assert outbox.closed
    assert outbox.push_text("b")  # dropped: the disconnect event follows


async def test_stop_cancels_a_write_in_progress():
    server = Server()
    server.blocked = True
    outbox = Outbox(server.send, max_frames=10)
    outbox.push_text("a")
    writer = outbox.writer
    outbox.stop()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(writer, 5)
    assert server.items() == []


@pytest.mark.usefixtures("live_db")
async def test_a_socket_that_falls_too_far_behind_is_closed_with_4408(tenant_alpha, settings):
    settings.PARLOR = {**settings.PARLOR, "HISTORY_MAX": 5, "OUTBOX_MAX_FRAMES": 3}
    room = unique("slow")
    writer = await ChatClient(principal_for(tenant_alpha)).connect()
    try:
        await writer.join(room)
        for number in range(12):
            await writer.say(room, f"m{number}")
    finally:
        await writer.close()
    # The client stops reading; the catch-up then queues a page of 5 message frames behind
    # the `joined` frame still being written: more than the outbox holds.
    stalled = StalledClientApp()
    reader = await ChatClient(principal_for(tenant_alpha), application=stalled).connect()
    try:
        # After `hello` the consumer may not yet wait for the next frame: count from there.
        await until(lambda: stalled.handled >= 1)
        handled = stalled.handled
        stalled.stall()
        await reader.send(type="join", room=room, since_seq=0)
        await until(lambda: stalled.handled > handled)
        stalled.resume()
        assert await reader.expect_close() == 4408
        assert [frame["type"] for frame in reader.seen] == ["hello", "joined"]
    finally:
        await reader.close()


async def test_a_write_that_waits_past_max_stall_makes_the_client_lag_whatever_the_count():
    server = Server()
    outbox = Outbox(server.send, max_frames=1000, max_stall=0.05)
    server.blocked = True
    assert outbox.push_text("a")  # the write waits: the client stopped reading
    assert outbox.push_text("b")
    assert not outbox.lagging
    await until(lambda: outbox.lagging, timeout=5)
    assert not outbox.push_text("c")  # two frames waiting, far below max_frames
    server.release.set()
    await until(lambda: outbox.writer is None)
    assert server.items() == ["a", "b"] and not outbox.lagging
