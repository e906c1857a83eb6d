"""Outbox: frames written in order by one task, bounded for clients that read too slowly."""

from __future__ import annotations

import asyncio

import pytest

from parlor.chat.outbox import Outbox
from parlor.chat.tests.support import ChatClient, principal_for, unique


async def test_writes_in_order_and_stops_after_the_close():
    written = []

    async def send(event):
        written.append(event)

    outbox = Outbox(send, max_frames=10)
    writer = asyncio.ensure_future(outbox.run())
    for text in ("a", "b"):
        assert outbox.push_text(text)
    outbox.push_close(4000)
    assert outbox.push_text("after close")  # ignored, not an overflow
    await asyncio.wait_for(writer, 5)
    assert [e.get("text", e.get("code")) for e in written] == ["a", "b", 4000]


async def test_refuses_frames_beyond_its_bound():
    outbox = Outbox(None, max_frames=2)
    assert outbox.push_text("a") and outbox.push_text("b")
    assert not outbox.push_text("c")


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
    # The catch-up queues a page of 5 message frames at once: more than the outbox holds.
    reader = await ChatClient(principal_for(tenant_alpha)).connect()
    try:
        await reader.send(type="join", room=room, since_seq=0)
        assert await reader.expect_close() == 4408
    finally:
        await reader.close()
