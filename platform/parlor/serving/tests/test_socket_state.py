"""ReceiveQueue and WriteGate: the behaviour uvicorn relies on from asyncio.Queue and Event."""

from __future__ import annotations

import asyncio

import pytest

from parlor.serving.socket_state import ReceiveQueue, WriteGate


async def test_the_queue_returns_events_in_order_and_wakes_a_waiting_reader():
    queue = ReceiveQueue()
    assert queue.empty()
    queue.put_nowait(1)
    queue.put_nowait(2)
    assert not queue.empty()
    assert [await queue.get(), await queue.get()] == [1, 2]
    assert queue.empty() and queue.items is None
    reading = asyncio.ensure_future(queue.get())
    await asyncio.sleep(0)
    assert not reading.done()
    queue.put_nowait(3)
    assert await asyncio.wait_for(reading, 5) == 3
    assert queue.waiter is None


async def test_a_cancelled_reader_leaves_the_queue_usable():
    queue = ReceiveQueue()
    reading = asyncio.ensure_future(queue.get())
    await asyncio.sleep(0)
    reading.cancel()
    with pytest.raises(asyncio.CancelledError):
        await reading
    queue.put_nowait("after")
    assert await asyncio.wait_for(queue.get(), 5) == "after"


async def test_a_second_concurrent_reader_is_refused():
    queue = ReceiveQueue()
    first = asyncio.ensure_future(queue.get())
    await asyncio.sleep(0)
    with pytest.raises(RuntimeError):
        await queue.get()
    queue.put_nowait("x")
    assert await asyncio.wait_for(first, 5) == "x"


async def test_the_gate_holds_every_writer_until_it_opens():
    gate = WriteGate()
    assert gate.is_set() and await gate.wait()
    gate.clear()
    writers = [asyncio.ensure_future(gate.wait()) for _ in range(3)]
    await asyncio.sleep(0)
    assert not any(writer.done() for writer in writers)
    gate.set()
    assert await asyncio.wait_for(asyncio.gather(*writers), 5) == [True, True, True]
    assert gate.waiters is None


async def test_a_cancelled_writer_is_forgotten():
    gate = WriteGate()
    gate.clear()
    writer = asyncio.ensure_future(gate.wait())
    await asyncio.sleep(0)
    writer.cancel()
    with pytest.raises(asyncio.CancelledError):
        await writer
    assert gate.waiters is None
    gate.set()
    assert gate.is_set()
