"""Two real server processes sharing rooms through a real Redis (channels-redis pub/sub)."""

from __future__ import annotations

import asyncio
import uuid

import orjson
import pytest
from websockets.asyncio.client import connect

from parlor.base.db import in_public_schema
from parlor.base.identity import PrincipalKind
from parlor.chat.tests.conftest import redis_db_url
from parlor.chat.tests.support import unique
from parlor.testing.database import database_url_for_tests
from parlor.testing.servers import start_server
from tenants.tokens import token_issue

pytestmark = [pytest.mark.redis, pytest.mark.usefixtures("live_db")]

ORIGIN = "http://127.0.0.1:8001"  # one of tenant alpha's allowed origins


@pytest.fixture
def two_servers(tmp_path, redis_url):
    """Two daphne processes on one test database and one Redis (DB 2, a prefix of their own)."""
    shared = {
        "database_url": database_url_for_tests(),
        "log_dir": tmp_path,
        "redis_url": redis_db_url(redis_url),
        "extra_env": {"PARLOR_CHANNEL_PREFIX": f"test-mp-{uuid.uuid4().hex[:8]}"},
    }
    servers = []
    try:
        servers.append(start_server(**shared))
        servers.append(start_server(**shared))
        yield servers
    finally:
        for server in servers:
            server.stop()


class Socket:
    """A real WebSocket client speaking Parlor frames."""

    def __init__(self, websocket) -> None:
        self.websocket = websocket

    async def send(self, **frame) -> None:
        await self.websocket.send(orjson.dumps(frame).decode())

    async def expect(self, kind: str, timeout: float = 10) -> dict:
        while True:
            frame = orjson.loads(await asyncio.wait_for(self.websocket.recv(), timeout))
            if frame["type"] == kind:
                return frame


def _token(tenant, name: str) -> str:
    issued = token_issue(
        tenant=tenant, kind=PrincipalKind.USER, subject=unique(name), name=name, rooms=["*"]
    )
    return issued.token


async def test_message_from_process_one_reaches_process_two_in_the_same_order(
    two_servers, tenant_alpha
):
    room = unique("across")
    first_server, second_server = two_servers
    tokens = [await in_public_schema(_token, tenant_alpha.tenant, name) for name in ("Ada", "Bob")]
    sockets = []
    try:
        for server, token in zip(two_servers, tokens, strict=True):
            websocket = await connect(
                f"{server.ws_url}/ws/v1/",
                subprotocols=["parlor.v1", f"parlor.token.{token}"],
                origin=ORIGIN,
            )
            assert websocket.subprotocol == "parlor.v1"
            sockets.append(Socket(websocket))
        for socket in sockets:
            assert (await socket.expect("hello"))["principal"]["kind"] == "user"
            await socket.send(type="join", room=room)
            await socket.expect("joined")

        await sockets[0].send(type="send", room=room, body="from process 1", client_msg_id="a")
        for socket in sockets:
            first = await socket.expect("message")
            assert (first["body"], first["seq"]) == ("from process 1", 1)

        # Both processes write at once; each reader still sees one order, without gaps.
        count = 20
        for number in range(count):
            for index, socket in enumerate(sockets):
                body = f"p{index + 1} {number}"
                await socket.send(type="send", room=room, body=body, client_msg_id=body)
        received = [[], []]
        for index, socket in enumerate(sockets):
            while len(received[index]) < 2 * count:
                frame = await socket.expect("message")
                received[index].append((frame["seq"], frame["body"]))
        assert [seq for seq, _ in received[0]] == list(range(2, 2 * count + 2))
        assert received[0] == received[1]
    finally:
        for socket in sockets:
            await socket.websocket.close()
    assert "Traceback" not in first_server.log() + second_server.log()
