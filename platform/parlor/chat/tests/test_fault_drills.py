"""Fault drills with real processes: Redis killed and started again, a client that stops reading."""

from __future__ import annotations

import asyncio
import json
import secrets
import socket
import time
import urllib.error
import urllib.request
import uuid
from urllib.parse import urlsplit

import pytest
from websockets.exceptions import ConnectionClosed

from parlor.base.db import in_public_schema, in_schema
from parlor.base.identity import PrincipalKind
from parlor.chat import selectors
from parlor.testing.database import database_url_for_tests
from parlor.testing.redis import start_redis_server
from parlor.testing.servers import start_server
from parlor.testing.sockets import LiveSocket
from tenants.tokens import token_issue

pytestmark = [pytest.mark.redis, pytest.mark.usefixtures("live_db")]


@pytest.fixture
def own_redis():
    """A redis-server of this test's own, which the test kills and starts again."""
    started = start_redis_server()
    if started is None:
        pytest.skip("no redis-server on PATH")
    url, process = started
    state = {"url": url, "process": process, "port": urlsplit(url).port}
    yield state
    state["process"].kill()
    state["process"].wait(5)


def _token(tenant, subject: str) -> str:
    issued = token_issue(
        tenant=tenant, kind=PrincipalKind.USER, subject=subject, name=subject, rooms=["*"]
    )
    return issued.token


def _status(url: str, *, data: dict | None = None, secret_key: str = "") -> int:
    request = urllib.request.Request(url, method="POST" if data is not None else "GET")
    if data is not None:
        request.data = json.dumps(data).encode()
        request.add_header("Content-Type", "application/json")
        request.add_header("Authorization", f"Bearer {secret_key}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


async def _until_status(url: str, status: int, timeout: float = 15) -> None:
    async with asyncio.timeout(timeout):
        while await asyncio.to_thread(_status, url) != status:
            await asyncio.sleep(0.1)


async def _answers(socket: LiveSocket, re: str) -> list[dict]:
    """Return every frame answering `re`, up to the pong of a ping sent after it."""
    await socket.send(type="ping", id="fence")
    answers = []
    while True:
        frame = await socket.next()
        if frame.get("re") == "fence":
            return answers
        if frame.get("re") == re:
            answers.append(frame)


async def _bodies(socket: LiveSocket, count: int, timeout: float = 20) -> list[tuple[int, str]]:
    received = []
    async with asyncio.timeout(timeout):
        while len(received) < count:
            frame = await socket.expect("message", timeout)
            received.append((frame["seq"], frame["body"]))
    return received


async def test_redis_down_and_back_answers_once_recovers_alone_and_loses_nothing(
    tmp_path, own_redis, tenant_alpha
):
    shared = {
        "database_url": database_url_for_tests(),
        "log_dir": tmp_path,
        "redis_url": own_redis["url"],
        "extra_env": {"PARLOR_CHANNEL_PREFIX": f"test-drill-{uuid.uuid4().hex[:8]}"},
    }
    first, second = start_server(**shared), start_server(**shared)
    tenant = tenant_alpha.tenant
    room = f"drill-{uuid.uuid4().hex[:8]}"
    tokens = [await in_public_schema(_token, tenant, f"u-{n}-{room}") for n in range(3)]
    sockets: list[LiveSocket] = []
    try:
        writer = await LiveSocket.open(first.ws_url, tokens[0])
        reader = await LiveSocket.open(second.ws_url, tokens[1])
        sockets += [writer, reader]
        await writer.join(room)
        await reader.join(room)
        await writer.send(type="send", room=room, body="before", client_msg_id="m0")
        assert await _bodies(reader, 1) == [(1, "before")]

        own_redis["process"].kill()
        own_redis["process"].wait(5)
        await _until_status(f"{first.http_url}/readyz", 503)  # readiness tells the truth

        # A message stored while Redis is down gets its ack and nothing else.
        await writer.send(type="send", room=room, body="while down", client_msg_id="m1", id="s1")
        answers = await _answers(writer, "s1")
        assert [frame["type"] for frame in answers] == ["ack"], answers
        # So does the REST API: the message is stored, so the answer is 201.
        posted = await asyncio.to_thread(
            _status,
            f"{first.http_url}/api/v1/rooms/{room}/messages",
            data={"body": "by rest", "client_msg_id": "m2"},
            secret_key=tenant_alpha.secret_key,
        )
        assert posted == 201
        # A new socket is accepted and can join (HTTP 500 before).
        late = await LiveSocket.open(first.ws_url, tokens[2])
        sockets.append(late)
        await late.join(room)

        restarted = start_redis_server(port=own_redis["port"])
        assert restarted is not None
        own_redis["process"] = restarted[1]
        back = time.monotonic()
        # With no traffic at all, the reader gets what was published while Redis was down.
        assert await _bodies(reader, 2) == [(2, "while down"), (3, "by rest")]
        recovered = time.monotonic() - back
        await _until_status(f"{first.http_url}/readyz", 200)
        await _until_status(f"{second.http_url}/readyz", 200)

        # Live delivery works both ways again, to the sockets opened during the outage too.
        await writer.send(type="send", room=room, body="after", client_msg_id="m3")
        assert await _bodies(reader, 1) == [(4, "after")]
        await reader.send(type="send", room=room, body="reply", client_msg_id="m4")
        assert (await _bodies(writer, 4))[-1] == (5, "reply")
        assert (await _bodies(late, 2))[-2:] == [(4, "after"), (5, "reply")]
    finally:
        for socket in sockets:
            await socket.close()
        first.stop()
        second.stop()
    stored = await in_schema(tenant.schema_name, selectors.message_list, room_id=room, limit=100)
    assert [m.seq for m in stored.messages] == [1, 2, 3, 4, 5]
    print(f"redis drill: recovered {recovered:.2f} s after Redis returned; 5 acked, 5 stored")
    for server in (first, second):
        assert "Internal Server Error" not in server.log()


def _rss(pid: int) -> int:
    """Return the resident memory of process `pid` in bytes."""
    with open(f"/proc/{pid}/status") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1]) * 1024


def _stalling_socket(port: int) -> socket.socket:
    """A client TCP socket with a tiny receive buffer: once it stops reading, TCP backs up."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    return sock


async def test_a_client_that_stops_reading_is_closed_4408_and_its_backlog_stays_bounded(
    tmp_path, tenant_alpha
):
    # The shipped server (uvicorn): its `send` waits while the client's socket is backed up.
    server = start_server(
        database_url=database_url_for_tests(),
        log_dir=tmp_path,
        server="uvicorn",
        extra_env={"DJANGO_SETTINGS_MODULE": "parlor.testing.drill_settings"},
    )
    room = f"stall-{uuid.uuid4().hex[:8]}"
    tenant = tenant_alpha.tenant
    tokens = [await in_public_schema(_token, tenant, f"u-{n}-{room}") for n in range(2)]
    # Past the kernel's buffers on both ends (up to 4 MiB for the server's socket) and the outbox.
    # Incompressible, as compression would shrink a repetitive flood to nothing.
    flood, body = 800, secrets.token_hex(15_000)
    try:
        # The client's library stops reading the TCP socket after 16 unread frames.
        stalled = await LiveSocket.open(
            server.ws_url, tokens[0], sock=_stalling_socket(server.port), max_queue=16
        )
        sender = await LiveSocket.open(server.ws_url, tokens[1], max_queue=None)
        await stalled.join(room)
        await sender.join(room)
        rss_before = _rss(server.process.pid)
        started = time.monotonic()
        for number in range(flood):
            await sender.send(type="send", room=room, body=body, client_msg_id=f"m{number}")
        await sender.send(type="ping", id="flushed")
        await sender.expect("pong", timeout=120)  # the server has handled the whole flood
        flooded = time.monotonic() - started
        grown = _rss(server.process.pid) - rss_before

        # Reading again before any keepalive timeout (20 s + 20 s): what was queued, then 4408.
        received = 0
        try:
            while True:
                await stalled.next(timeout=10)
                received += 1
        except TimeoutError:
            raise AssertionError(f"no close after {received} frames") from None
        except ConnectionClosed as closed:
            code = closed.rcvd.code if closed.rcvd else None
        assert code == 4408
        # The server kept at most its outbox (100 frames) beyond what the TCP buffers held,
        # and its memory did not grow by the flood offered to the stalled socket (24 MB).
        assert received < flood / 2, received
        assert grown < flood * len(body) / 2, grown
        await sender.send(type="ping")
        await sender.expect("pong")  # the room and the server live on
        print(
            f"slow reader: {received} of {flood} frames ({flood * len(body) >> 20} MiB offered"
            f" in {flooded:.1f} s) reached it before 4408; server RSS grew {grown >> 20} MiB"
        )
        await sender.close()
    finally:
        server.stop()
    assert "Traceback" not in server.log()


async def test_a_stalled_client_under_a_trickle_is_closed_4408_by_the_stall_bound(
    tmp_path, tenant_alpha
):
    # Few frames, never 100 queued: only the time a write has waited (2 s here) can tell.
    server = start_server(
        database_url=database_url_for_tests(),
        log_dir=tmp_path,
        server="uvicorn",
        extra_env={"DJANGO_SETTINGS_MODULE": "parlor.testing.drill_settings"},
    )
    room = f"trickle-{uuid.uuid4().hex[:8]}"
    tokens = [
        await in_public_schema(_token, tenant_alpha.tenant, f"u-{n}-{room}") for n in range(2)
    ]
    body = secrets.token_hex(15_000)
    try:
        stalled = await LiveSocket.open(
            server.ws_url, tokens[0], sock=_stalling_socket(server.port), max_queue=16
        )
        sender = await LiveSocket.open(server.ws_url, tokens[1], max_queue=None)
        await stalled.join(room)
        await sender.join(room)
        # Enough to fill the kernel's buffers (about 4 MiB), then a trickle for 4 s.
        for number in range(180):
            await sender.send(type="send", room=room, body=body, client_msg_id=f"m{number}")
        for number in range(40):
            await sender.send(type="send", room=room, body=body, client_msg_id=f"t{number}")
            await sender.expect("ack", timeout=30)
            await asyncio.sleep(0.1)  # the trickle's pace, not a wait for an outcome
        received = 0
        try:
            while True:
                await stalled.next(timeout=10)
                received += 1
        except TimeoutError:
            raise AssertionError(f"no close after {received} frames") from None
        except ConnectionClosed as closed:
            code = closed.rcvd.code if closed.rcvd else None
        assert code == 4408
        assert received < 220, received
        await sender.close()
    finally:
        server.stop()


class Drain:
    """Reads a socket continuously (so it never backs up): acks by client_msg_id, messages."""

    def __init__(self, socket: LiveSocket) -> None:
        self.socket = socket
        self.acked: dict[str, int] = {}
        self.messages: list[tuple[int, str]] = []
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            while True:
                frame = await self.socket.next(timeout=120)
                if frame["type"] == "ack":
                    self.acked[frame["client_msg_id"]] = frame["seq"]
                elif frame["type"] == "message":
                    self.messages.append((frame["seq"], frame["body"]))
        except ConnectionClosed:
            return

    async def until(self, condition, timeout: float = 30) -> None:
        """Wait until `condition()` holds."""
        async with asyncio.timeout(timeout):
            while not condition():
                await asyncio.sleep(0.02)


async def _send(socket: LiveSocket, room: str, ids: list[str]) -> None:
    for client_msg_id in ids:
        await socket.send(
            type="send", room=room, body=f"body {client_msg_id}", client_msg_id=client_msg_id
        )


async def test_a_process_killed_mid_stream_loses_and_doubles_nothing(
    tmp_path, redis_url, tenant_alpha
):
    shared = {
        "database_url": database_url_for_tests(),
        "log_dir": tmp_path,
        "redis_url": redis_url,
        "extra_env": {
            "PARLOR_CHANNEL_PREFIX": f"test-kill-{uuid.uuid4().hex[:8]}",
            # No flood limit: the writer streams all its sends at once.
            "DJANGO_SETTINGS_MODULE": "parlor.testing.drill_settings",
        },
    }
    doomed, survivor = start_server(**shared), start_server(**shared)
    tenant = tenant_alpha.tenant
    room = f"kill-{uuid.uuid4().hex[:8]}"
    tokens = [await in_public_schema(_token, tenant, f"u-{n}-{room}") for n in range(2)]
    ids = [f"k{number:03d}" for number in range(300)]
    try:
        reader = await LiveSocket.open(survivor.ws_url, tokens[1])
        await reader.join(room)
        reading = Drain(reader)
        writer = await LiveSocket.open(doomed.ws_url, tokens[0])
        await writer.join(room)
        before = Drain(writer)
        await _send(writer, room, ids)  # every send streamed, none waited for
        await before.until(lambda: len(before.acked) >= 50)
        doomed.process.kill()  # SIGKILL mid-stream: sends in flight, no goodbye
        doomed.process.wait(5)
        await before.task
        acked = dict(before.acked)
        at_kill = await in_schema(
            tenant.schema_name, selectors.message_list, room_id=room, limit=1000
        )

        # The client reconnects to the other process, resumes after what it saw, and resends
        # what it has no ack for under the same client_msg_id, as the widget's outbox does.
        writer = await LiveSocket.open(survivor.ws_url, tokens[0])
        await writer.join(room, since_seq=max(acked.values()))
        after = Drain(writer)
        unacked = [client_msg_id for client_msg_id in ids if client_msg_id not in acked]
        await _send(writer, room, unacked)
        await after.until(lambda: set(after.acked) >= set(unacked))
        acked.update(after.acked)
        await reading.until(lambda: len(reading.messages) >= len(ids))
        await writer.close()
        await reader.close()
    finally:
        doomed.stop()
        survivor.stop()

    stored = await in_schema(tenant.schema_name, selectors.message_list, room_id=room, limit=1000)
    by_id = {message.client_msg_id: message.seq for message in stored.messages}
    assert [message.seq for message in stored.messages] == list(range(1, len(ids) + 1))
    assert len(by_id) == len(ids)  # each stored exactly once
    assert acked == by_id  # every ack names the seq its message is stored at
    in_order = sorted(by_id, key=by_id.get)
    assert reading.messages == [(by_id[i], f"body {i}") for i in in_order]  # each once, in order
    print(
        f"kill drill: {len(before.acked)} acked and {len(at_kill.messages)} stored at SIGKILL,"
        f" {len(unacked)} resent, {len(ids)} acked and stored once each, seq 1..{len(ids)}"
        " with no gap, the reader got each once in order"
    )
