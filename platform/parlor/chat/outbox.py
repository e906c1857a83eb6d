"""A socket's outgoing frames in order, written at once when the socket keeps up.

ASGI servers write a frame without suspending unless the client's socket is backed up, so a
push first runs the server's `send` to completion right there: no task, no wake-up. Only a
`send` that suspends starts a writer task, which finishes it and writes what queued meanwhile,
so fan-out never waits on a slow client. The queue is bounded twice: past `max_frames`
waiting, or once one write has waited `max_stall` seconds, the client is told to resume later
(the consumer closes with 4408). The time bound matters because the kernel's socket buffers
(megabytes) hide a client that stopped reading: without it the server's keepalive (1011, after
20 s + 20 s) would end the socket first. The close is written as soon as the client reads.

Under Parlor's uvicorn protocol a text skips ASGI altogether while nothing waits: the server's
direct writer (`parlor.base.text_frames`) writes the frame framed once for every socket.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Generator
from typing import Any

Send = Callable[[dict[str, Any]], Awaitable[None]]
# Writes a text frame at once and returns True, or returns False when `send` must be used.
TextWrite = Callable[[str], bool]
# An idle socket's queue: an empty deque costs 760 bytes, so one is made only while a write waits.
NO_FRAMES: tuple = ()

logger = logging.getLogger(__name__)


class Outbox:
    """Writes ASGI send events in order; refuses more than `max_frames` waiting."""

    __slots__ = (
        "closed",
        "frames",
        "max_frames",
        "max_stall",
        "send",
        "stalled_since",
        "text_write",
        "writer",
    )

    def __init__(
        self,
        send: Send,
        *,
        max_frames: int,
        max_stall: float = 10.0,
        text_write: TextWrite | None = None,
    ) -> None:
        self.send = send
        self.text_write = text_write
        self.max_frames = max_frames
        self.max_stall = max_stall
        self.frames: deque[dict[str, Any]] | tuple = NO_FRAMES
        self.writer: asyncio.Task | None = None
        self.stalled_since = 0.0
        self.closed = False

    def push_text(self, text: str) -> bool:
        """Write or queue a text frame; return False (doing nothing) when the client lags."""
        if self.closed:
            return True
        if self.writer is not None:
            if self.lagging:
                return False
        elif self.text_write is not None and self.text_write(text):
            return True
        self._push({"type": "websocket.send", "text": text})
        return True

    def push_close(self, code: int) -> None:
        """Close after what is already queued (or instead of it, when lagging)."""
        if self.closed:
            return
        self.closed = True
        self._push({"type": "websocket.close", "code": code})

    def drop_pending(self) -> None:
        """Forget the frames not yet written (the client lags too far to catch up)."""
        if self.frames:
            self.frames.clear()

    def stop(self) -> None:
        """Stop writing (the socket is gone)."""
        self.closed = True
        self.drop_pending()
        if self.writer is not None:
            self.writer.cancel()

    @property
    def lagging(self) -> bool:
        """Whether too many frames wait, or the write in progress has waited too long."""
        if len(self.frames) >= self.max_frames:
            return True
        return asyncio.get_running_loop().time() - self.stalled_since > self.max_stall

    @property
    def backlog(self) -> int:
        """The number of frames waiting behind a write in progress."""
        return len(self.frames)

    def _push(self, event: dict[str, Any]) -> None:
        if self.writer is not None:
            self.frames.append(event)
            return
        sending = self.send(event).__await__()
        try:
            suspended_on = sending.send(None)
        except StopIteration:
            return
        except Exception:
            self._fail()
            return
        self.stalled_since = asyncio.get_running_loop().time()
        self.frames = deque()
        self.writer = asyncio.ensure_future(self._write(sending, suspended_on))

    async def _write(self, sending: Generator, suspended_on: Any) -> None:
        """Finish the suspended `sending`, then write the queue until it is empty."""
        try:
            await _finish(sending, suspended_on)
            while self.frames:
                self.stalled_since = asyncio.get_running_loop().time()
                await self.send(self.frames.popleft())
        except asyncio.CancelledError:
            raise
        except Exception:
            self._fail()
        finally:
            self.writer = None
            self.frames = NO_FRAMES

    def _fail(self) -> None:
        # The server refuses to write (the client went away): the disconnect event follows.
        logger.debug("outbox send failed; dropping the socket's frames", exc_info=True)
        self.closed = True
        self.drop_pending()


async def _finish(coroutine: Generator, suspended_on: Any) -> None:
    """Run an awaitable's iterator that suspended on `suspended_on` (what it yielded) to its end."""
    while True:
        try:
            if suspended_on is None:
                await asyncio.sleep(0)  # a bare `yield`: the coroutine only gave up its turn
            else:
                # A task resets this flag when it takes the future; no task took this one yet.
                suspended_on._asyncio_future_blocking = False
                await suspended_on
        except BaseException as error:
            # The coroutine sees the outcome where it suspended, as under a task.
            step = coroutine.throw
            argument: Any = error
        else:
            step = coroutine.send
            argument = None
        try:
            suspended_on = step(argument)
        except StopIteration:
            return
