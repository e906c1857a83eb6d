"""A WebSocket client of a real Parlor server process, speaking frames as dicts."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

ORIGIN = "http://127.0.0.1:8001"  # one of the test tenant alpha's allowed origins


class LiveSocket:
    """One socket to a server process (`ws_url`), authenticated by `token`."""

    def __init__(self, websocket: ClientConnection) -> None:
        self.websocket = websocket
        self.hello: dict[str, Any] = {}

    @classmethod
    async def open(
        cls, ws_url: str, token: str, *, origin: str = ORIGIN, **options: Any
    ) -> LiveSocket:
        """Connect and read `hello`; raise AssertionError if the server closes instead."""
        websocket = await connect(
            f"{ws_url}/ws/v1/",
            subprotocols=["parlor.v1", f"parlor.token.{token}"],
            origin=origin,
            open_timeout=10,
            **options,
        )
        socket = cls(websocket)
        socket.hello = await socket.next()
        assert socket.hello["type"] == "hello", socket.hello
        return socket

    async def send(self, **frame: Any) -> None:
        """Send one frame."""
        await self.websocket.send(orjson.dumps(frame).decode())

    async def next(self, timeout: float = 10) -> dict[str, Any]:
        """Return the next frame."""
        return orjson.loads(await asyncio.wait_for(self.websocket.recv(), timeout))

    async def expect(self, kind: str, timeout: float = 10) -> dict[str, Any]:
        """Return the next frame of type `kind`, skipping others."""
        async with asyncio.timeout(timeout):
            while True:
                frame = await self.next(timeout)
                if frame["type"] == kind:
                    return frame

    async def join(self, room: str, **fields: Any) -> dict[str, Any]:
        """Join `room` and return `joined`."""
        await self.send(type="join", room=room, **fields)
        return await self.expect("joined")

    async def closed_with(self, timeout: float = 10) -> int | None:
        """Wait for the server to close the socket, skipping frames; return the close code."""
        try:
            async with asyncio.timeout(timeout):
                while True:
                    await self.websocket.recv()
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else 1006
        except TimeoutError:
            return None  # still open

    async def close(self) -> None:
        """Close from the client side."""
        await self.websocket.close()
