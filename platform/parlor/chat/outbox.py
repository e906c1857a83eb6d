"""A socket's outgoing frames in order, written by one task so fan-out never waits on a client."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

Send = Callable[[dict[str, Any]], Awaitable[None]]


class Outbox:
    """Queues ASGI send events and writes them in order; refuses more than `max_frames`."""

    def __init__(self, send: Send, *, max_frames: int) -> None:
        self.send = send
        self.max_frames = max_frames
        self.frames: deque[dict[str, Any]] = deque()
        self.wake = asyncio.Event()
        self.closed = False

    def push_text(self, text: str) -> bool:
        """Queue a text frame; return False (and queue nothing) when the client lags too far."""
        if self.closed:
            return True
        if len(self.frames) >= self.max_frames:
            return False
        self.frames.append({"type": "websocket.send", "text": text})
        self.wake.set()
        return True

    def push_close(self, code: int) -> None:
        """Queue the close after what is already queued (or instead of it, when lagging)."""
        if self.closed:
            return
        self.closed = True
        self.frames.append({"type": "websocket.close", "code": code})
        self.wake.set()

    def drop_pending(self) -> None:
        """Forget the frames not yet written (the client lags too far to catch up)."""
        self.frames.clear()

    async def run(self) -> None:
        """Write queued frames until the close is written (or the task is cancelled)."""
        while True:
            await self.wake.wait()
            self.wake.clear()
            while self.frames:
                event = self.frames.popleft()
                await self.send(event)
                if event["type"] == "websocket.close":
                    return
