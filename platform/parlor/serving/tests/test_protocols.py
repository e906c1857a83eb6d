"""The guarded uvicorn protocols, served in-process by a real uvicorn on a real socket."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
import uvicorn
from websockets.asyncio.client import connect

from parlor.base.sweep import monotonic_sweep
from parlor.base.text_frames import TEXT_WRITE_EXTENSION
from parlor.serving import protocols
from parlor.testing.redis import free_port

RUNNING: dict[int, uvicorn.Server] = {}  # by port, for tests that look at its connections
TOKEN = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ2In0.c2lnbmF0dXJlLW5ldmVyLWVjaG9lZA"


async def hello_app(scope, receive, send):
    """Answer every HTTP request with 200; accept every WebSocket."""
    if scope["type"] == "http":
        await send(
            {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"5")]}
        )
        await send({"type": "http.response.body", "body": b"hello"})
    elif scope["type"] == "websocket":
        await receive()
        if scope["path"] == "/direct/":
            await direct_writes_app(scope, receive, send)
            return
        await send({"type": "websocket.accept"})


async def test_an_accepted_socket_keeps_no_handshake_request_response_or_headers(server):
    async with connect(f"ws://127.0.0.1:{server}/direct/") as client:
        async with asyncio.timeout(10):
            await client.recv()
        connections = RUNNING[server].server_state.connections
        [protocol] = [p for p in connections if isinstance(p, protocols.GuardedWebSocketProtocol)]
        assert protocol.request is None and protocol.response is None
        assert protocol.scope["headers"] == []


async def direct_writes_app(scope, receive, send):
    """Write through the direct text writer before and after accepting, then echo until closed."""
    write = scope["extensions"][TEXT_WRITE_EXTENSION]
    before_accept = write("too early")
    await send({"type": "websocket.accept"})
    assert write("short") and write("long " * 30_000)
    await send({"type": "websocket.send", "text": f"refused before accept: {not before_accept}"})
    message = await receive()
    assert message["type"] == "websocket.disconnect"
    assert not write("after the close")


@pytest.fixture
async def server(monkeypatch):
    """uvicorn with Parlor's protocol classes and a short header deadline, on a free port."""
    monkeypatch.setattr(protocols, "HEADER_TIMEOUT_SECONDS", 0.5)
    config = uvicorn.Config(
        hello_app,
        host="127.0.0.1",
        port=free_port(),
        http="parlor.serving.protocols:GuardedHttpToolsProtocol",
        ws="parlor.serving.protocols:GuardedWebSocketProtocol",
        lifespan="off",
        log_level="warning",
    )
    running = uvicorn.Server(config)
    RUNNING[config.port] = running
    task = asyncio.create_task(running.serve())
    async with asyncio.timeout(10):
        while not running.started:
            await asyncio.sleep(0.01)
    yield config.port
    running.should_exit = True
    await asyncio.wait_for(task, 10)
    RUNNING.pop(config.port, None)


async def read_until_closed(reader: asyncio.StreamReader, timeout: float = 5.0) -> bytes:
    """Return every byte the server sends until it closes the connection."""
    return await asyncio.wait_for(reader.read(), timeout)


async def test_a_client_dripping_its_headers_is_disconnected_at_the_deadline(server):
    reader, writer = await asyncio.open_connection("127.0.0.1", server)
    writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n")

    async def drip():
        for _ in range(200):  # 20 s of headers at most, far past the 0.5 s deadline
            writer.write(b"X-Slow: 1\r\n")
            await writer.drain()
            await asyncio.sleep(0.1)

    dripping = asyncio.create_task(drip())
    try:
        assert await read_until_closed(reader) == b""
    finally:
        dripping.cancel()
        with contextlib.suppress(asyncio.CancelledError, ConnectionError):
            await dripping
        writer.close()


async def test_a_silent_connection_is_disconnected_at_the_deadline(server):
    reader, writer = await asyncio.open_connection("127.0.0.1", server)
    try:
        assert await read_until_closed(reader) == b""
    finally:
        writer.close()


async def test_oversized_headers_are_refused_with_400(server):
    reader, writer = await asyncio.open_connection("127.0.0.1", server)
    padding = b"X-Pad: " + b"a" * 1000 + b"\r\n"
    writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n" + padding * 40)
    try:
        answer = await read_until_closed(reader)
    finally:
        writer.close()
    assert answer.startswith(b"HTTP/1.1 400")


async def test_requests_on_a_kept_alive_connection_are_served(server):
    reader, writer = await asyncio.open_connection("127.0.0.1", server)
    try:
        for _ in range(2):
            writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            head = await asyncio.wait_for(reader.readuntil(b"hello"), 5)
            assert head.startswith(b"HTTP/1.1 200")
    finally:
        writer.close()


def handshake(subprotocols: str) -> bytes:
    return (
        "GET /ws/v1/ HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        f"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: {subprotocols}\r\n\r\n"
    ).encode()


@pytest.mark.parametrize(
    "offered",
    [
        f"parlor.v1, parlor.token.{TOKEN}, (",
        f"parlor.v1, parlor.token.{TOKEN}@, x",
        f"parlor.token.{TOKEN};",
    ],
)
async def test_a_malformed_subprotocol_header_is_refused_without_echoing_it(server, offered):
    reader, writer = await asyncio.open_connection("127.0.0.1", server)
    writer.write(handshake(offered))
    try:
        answer = await read_until_closed(reader)
    finally:
        writer.close()
    assert answer.startswith(b"HTTP/1.1 400")
    assert TOKEN.encode() not in answer
    assert TOKEN.rsplit(".", 1)[1].encode() not in answer


async def test_the_direct_text_writer_writes_whole_frames_in_order_only_while_open(server):
    async with connect(f"ws://127.0.0.1:{server}/direct/", max_size=None) as client:
        async with asyncio.timeout(10):
            assert await client.recv() == "short"
            assert await client.recv() == "long " * 30_000
            assert await client.recv() == "refused before accept: True"


async def test_keepalive_pings_come_from_the_sweep_not_a_timer_per_socket(server):
    async with connect(f"ws://127.0.0.1:{server}/direct/") as client:
        async with asyncio.timeout(10):
            await client.recv()
        connections = RUNNING[server].server_state.connections
        [protocol] = [p for p in connections if isinstance(p, protocols.GuardedWebSocketProtocol)]
        assert protocol.ping_timer is None and protocol in monotonic_sweep
        monotonic_sweep.cancel(protocol)  # as the sweep does once the interval has passed
        protocol.sweep_due()
        assert protocol not in monotonic_sweep and protocol.pending_ping_payload is not None
        async with asyncio.timeout(10):
            while protocol.pending_ping_payload is not None:  # the client's pong
                await asyncio.sleep(0.01)
        assert protocol in monotonic_sweep and protocol.pong_timer is None
    async with asyncio.timeout(10):
        while protocol in monotonic_sweep:  # closed: the sweep forgets it
            await asyncio.sleep(0.01)
