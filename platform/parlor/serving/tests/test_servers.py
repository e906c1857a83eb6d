"""Parlor on both supported servers, started by server_command(): a smoke subset of the suite,
and no refused handshake that echoes a token (issue 9, item 8; issue 11, item 4)."""

from __future__ import annotations

import asyncio
import json
import urllib.request
import uuid

import orjson
import pytest
from websockets.asyncio.client import connect

from parlor.base.db import in_public_schema
from parlor.base.identity import PrincipalKind
from parlor.serving.command import DAPHNE, UVICORN
from parlor.testing.database import database_url_for_tests
from parlor.testing.redis import redis_url_with_db
from parlor.testing.servers import start_server
from tenants.tokens import token_issue

pytestmark = [pytest.mark.redis, pytest.mark.usefixtures("live_db")]
ORIGIN = "https://shop.alpha.example"


@pytest.fixture(scope="module", params=[UVICORN, DAPHNE])
def server(request, redis_url, tmp_path_factory, django_db_setup, django_db_blocker):
    """One Parlor server of each supported kind, on Redis database 3 with a prefix of its own."""
    with django_db_blocker.unblock():
        database_url = database_url_for_tests()
    running = start_server(
        database_url=database_url,
        log_dir=tmp_path_factory.mktemp("serving"),
        redis_url=redis_url_with_db(redis_url, 3),
        extra_env={"LOG_LEVEL": "DEBUG", "PARLOR_CHANNEL_PREFIX": f"srv-{uuid.uuid4().hex[:8]}"},
        server=request.param,
    )
    yield running
    running.stop()


async def user_token(tenant_alpha) -> str:
    issued = await in_public_schema(
        token_issue,
        tenant=tenant_alpha.tenant,
        kind=PrincipalKind.USER,
        subject=f"u-{uuid.uuid4().hex[:8]}",
        name="Smoke",
        rooms=["*"],
    )
    return issued.token


async def expect(websocket, kind: str) -> dict:
    while True:
        frame = orjson.loads(await asyncio.wait_for(websocket.recv(), 10))
        if frame["type"] == kind:
            return frame


def get_json(url: str) -> tuple[int, dict]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, json.loads(response.read())


async def test_smoke_probes_answer(server):
    assert await asyncio.to_thread(get_json, f"{server.http_url}/healthz") == (
        200,
        {"status": "ok"},
    )
    status, body = await asyncio.to_thread(get_json, f"{server.http_url}/readyz")
    assert (status, body["status"]) == (200, "ready")


async def test_smoke_hello_join_send_ack_and_delivery(server, tenant_alpha):
    tokens = [await user_token(tenant_alpha) for _ in range(2)]
    room = f"smoke-{uuid.uuid4().hex[:8]}"
    sockets = [
        await connect(
            f"{server.ws_url}/ws/v1/", subprotocols=["parlor.v1", f"parlor.token.{token}"],
            origin=ORIGIN,
        )
        for token in tokens
    ]  # fmt: skip
    try:
        for websocket in sockets:
            assert websocket.subprotocol == "parlor.v1"
            await expect(websocket, "hello")
            await websocket.send(orjson.dumps({"type": "join", "room": room}).decode())
            await expect(websocket, "joined")
        send = {"type": "send", "room": room, "body": "smoke", "client_msg_id": "s1"}
        await sockets[0].send(orjson.dumps(send).decode())
        await expect(sockets[0], "ack")
        assert (await expect(sockets[1], "message"))["body"] == "smoke"
        # Read before the sockets close: this smoke test is about the way in, not teardown.
        log = server.log()
    finally:
        for websocket in sockets:
            await websocket.close()
    assert "Traceback" not in log, log[-3000:]


def handshake(subprotocols: list[str]) -> bytes:
    lines = [
        "GET /ws/v1/ HTTP/1.1",
        "Host: 127.0.0.1",
        "Upgrade: websocket",
        "Connection: Upgrade",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version: 13",
        f"Origin: {ORIGIN}",
        f"Sec-WebSocket-Protocol: {', '.join(subprotocols)}",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def raw_answer(server, request: bytes) -> bytes:
    """Send `request` on a raw TCP connection; return every byte until the server closes it."""
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(request)
    try:
        return await asyncio.wait_for(reader.read(65536), 10)
    finally:
        writer.close()


@pytest.mark.parametrize(
    "offered",
    [
        ["parlor.v1", "parlor.token.{token}", "parlor.token.{token}"],
        ["parlor.token.{token}", "parlor.token.{token}"],
        ["parlor.v1", "parlor.token.{token}", "parlor.token.{token}x"],
        ["parlor.v1", "parlor.token.{token}", "("],
        ["parlor.v1", "parlor.token.{token}@"],
    ],
    ids=["duplicate", "duplicate-no-v1", "two-tokens", "malformed-list", "bad-character"],
)
async def test_no_refused_handshake_echoes_the_token(server, tenant_alpha, offered):
    token = await user_token(tenant_alpha)
    answer = await raw_answer(server, handshake([item.format(token=token) for item in offered]))
    # Refused (4xx) or, where a lenient server accepts the list, 101 with `parlor.v1` only.
    assert answer.startswith((b"HTTP/1.1 4", b"HTTP/1.1 101")), answer[:40]
    for secret in (token, token.rsplit(".", 1)[1], token.split(".")[1]):
        assert secret.encode() not in answer
        assert secret not in server.log()
