"""Lean stand-ins for the asyncio.Queue and asyncio.Event uvicorn keeps for every WebSocket.

An idle socket's `asyncio.Queue` holds four deques (its items, getters, putters and the
`_finished` event's waiters) and the `writable` Event a fifth: about 2.3 KiB per socket doing
nothing (issue 11, idle memory). These keep a list or a future only while something waits, and
offer exactly the methods uvicorn's sans-I/O protocol calls.
"""

from __future__ import annotations

import asyncio
from typing import Any


class ReceiveQueue:
    """The ASGI receive queue of one socket: one reader, any number of writers, unbounded."""

    __slots__ = ("items", "waiter")

    def __init__(self) -> None:
        self.items: list[Any] | None = None
        self.waiter: asyncio.Future | None = None

    def put_nowait(self, item: Any) -> None:
        """Add an event and wake the reader."""
        if self.items is None:
            self.items = [item]
        else:
            self.items.append(item)
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def empty(self) -> bool:
        """Whether no event waits."""
        return not self.items

    async def get(self) -> Any:
        """Return the oldest event, waiting for one."""
        while not self.items:
            if self.waiter is not None:
                # ASGI's receive has one caller at a time; two would steal each other's events.
                raise RuntimeError("receive() is already being awaited on this socket.")
            self.waiter = asyncio.get_running_loop().create_future()
            try:
                await self.waiter
            finally:
                self.waiter = None
        items = self.items
        item = items.pop(0)
        if not items:
            self.items = None
        return item


class WriteGate:
    """Whether the transport takes writes now (asyncio.Event's interface, waiters made lazily)."""

    __slots__ = ("flag", "waiters")

    def __init__(self) -> None:
        self.flag = True
        self.waiters: list[asyncio.Future] | None = None

    def is_set(self) -> bool:
        """Whether writes may proceed."""
        return self.flag

    def set(self) -> None:
        """Open the gate and wake every waiting writer."""
        if self.flag:
            return
        self.flag = True
        for waiter in self.waiters or ():
            if not waiter.done():
                waiter.set_result(True)

    def clear(self) -> None:
        """Close the gate (the transport's buffer is full)."""
        self.flag = False

    async def wait(self) -> bool:
        """Return once the gate is open."""
        if self.flag:
            return True
        waiter = asyncio.get_running_loop().create_future()
        if self.waiters is None:
            self.waiters = []
        self.waiters.append(waiter)
        try:
            await waiter
            return True
        finally:
            self.waiters.remove(waiter)
            if not self.waiters:
                self.waiters = None
