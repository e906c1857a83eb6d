"""Test support for the chat consumer: principals from the test tenants and a frame-level client."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import orjson
from channels.testing import WebsocketCommunicator

from parlor.base.identity import Principal, PrincipalKind, TenantRef
from parlor.chat.consumer import ChatConsumer

# Frames that arrive on their own schedule; most tests look past them.
EPHEMERAL = ("presence", "typing", "read", "inbox", "availability", "conversation.event")


def tenant_ref(created) -> TenantRef:
    """Return the TenantRef of a conftest tenant (a TenantCreated)."""
    tenant = created.tenant
    return TenantRef(id=tenant.id, slug=tenant.slug, schema_name=tenant.schema_name)


def unique(prefix: str) -> str:
    """Return an id no other test uses (the live database keeps rows between tests)."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def principal_for(
    created,
    kind: PrincipalKind = PrincipalKind.USER,
    subject: str | None = None,
    *,
    name: str = "",
    rooms: tuple[str, ...] = ("*",),
    ttl: int = 3600,
) -> Principal:
    """Return a principal of a conftest tenant as the auth middleware would put it in scope."""
    now = int(time.time())
    subject = subject or unique(kind.value)
    return Principal(
        kind=kind,
        subject=subject,
        name=name or subject,
        tenant=tenant_ref(created),
        token_id=uuid.uuid4().hex,
        issued_at=now,
        expires_at=now + ttl,
        rooms=rooms,
        key_id="test",
    )


class StalledClientApp:
    """The consumer behind a server whose writes wait while the client has stopped reading.

    An ASGI server's `send` suspends while the client's socket is backed up; `stall()` makes
    every write wait like that until `resume()`. `handled` counts the client frames the
    consumer has finished with (it asks for the next one only then).
    """

    def __init__(self) -> None:
        self.application = ChatConsumer.as_asgi()
        self.writable = asyncio.Event()
        self.writable.set()
        self.receives = 0

    @property
    def handled(self) -> int:
        return self.receives - 1

    def stall(self) -> None:
        self.writable.clear()

    def resume(self) -> None:
        self.writable.set()

    async def __call__(self, scope, receive, send) -> None:
        async def counted_receive():
            self.receives += 1
            return await receive()

        async def waiting_send(event):
            await self.writable.wait()
            await send(event)

        await self.application(scope, counted_receive, waiting_send)


async def until(condition, timeout: float = 5) -> None:
    """Wait until `condition()` is true; fail after `timeout` seconds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


class ChatClient:
    """One socket to the consumer, speaking frames as dicts."""

    def __init__(self, principal: Principal, application: Any = None) -> None:
        self.principal = principal
        self.communicator = WebsocketCommunicator(
            application or ChatConsumer.as_asgi(), "/ws/v1/", subprotocols=["parlor.v1"]
        )
        self.communicator.scope["tenant"] = principal.tenant
        self.communicator.scope["principal"] = principal
        self.hello: dict[str, Any] = {}
        self.seen: list[dict[str, Any]] = []
        self.pending: list[dict[str, Any]] = []

    async def connect(self) -> ChatClient:
        """Open the socket and read `hello`."""
        connected, subprotocol = await self.communicator.connect(timeout=5)
        assert connected and subprotocol == "parlor.v1"
        self.hello = await self.expect("hello")
        return self

    async def send(self, **frame: Any) -> None:
        """Send one frame (the keyword arguments as a JSON object)."""
        await self.communicator.send_to(text_data=orjson.dumps(frame).decode())

    async def send_text(self, text: str) -> None:
        """Send one raw text frame."""
        await self.communicator.send_to(text_data=text)

    async def receive(self, timeout: float = 5) -> dict[str, Any]:
        """Return the next frame; fail if the socket closes instead."""
        output = await self.communicator.receive_output(timeout)
        assert output["type"] == "websocket.send", f"socket closed: {output}"
        frame = orjson.loads(output["text"])
        self.seen.append(frame)
        return frame

    async def expect(
        self, kind: str, *, skip: tuple[str, ...] = EPHEMERAL, timeout: float = 5
    ) -> dict[str, Any]:
        """Return the next frame of type `kind`, looking past `skip` types.

        Skipped frames that are not ephemeral (a `message` that came before an `ack`) are kept
        and handed to a later `expect` of their type, so no test loses a frame by waiting.
        """
        for index, frame in enumerate(self.pending):
            if frame["type"] == kind:
                return self.pending.pop(index)
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            left = deadline - asyncio.get_running_loop().time()
            frame = await self.receive(max(left, 0.01))
            if frame["type"] == kind:
                return frame
            assert frame["type"] in skip, f"expected {kind}, got {frame}"
            if frame["type"] not in EPHEMERAL:
                self.pending.append(frame)

    async def join(self, room: str, **fields: Any) -> dict[str, Any]:
        """Join a room and return the `joined` frame."""
        await self.send(type="join", room=room, **fields)
        return await self.expect("joined")

    async def say(self, room: str, body: str, client_msg_id: str | None = None) -> dict[str, Any]:
        """Send a message and return its `ack`."""
        await self.send(
            type="send", room=room, body=body, client_msg_id=client_msg_id or unique("m")
        )
        return await self.expect("ack", skip=(*EPHEMERAL, "message"))

    async def collect(self, kind: str, count: int, timeout: float = 5) -> list[dict[str, Any]]:
        """Return the first `count` frames of type `kind` received, reading more if needed."""
        while sum(frame["type"] == kind for frame in self.seen) < count:
            await self.receive(timeout)
        return [frame for frame in self.seen if frame["type"] == kind][:count]

    async def expect_close(self, timeout: float = 5) -> int:
        """Read past frames until the server closes the socket; return the close code."""
        while True:
            output = await self.communicator.receive_output(timeout)
            if output["type"] == "websocket.close":
                return output.get("code", 1000)
            self.seen.append(orjson.loads(output["text"]))

    async def nothing(self, timeout: float = 0.3, skip: tuple[str, ...] = EPHEMERAL) -> None:
        """Assert that no frame other than `skip` types arrives within `timeout` seconds."""
        while not await self.communicator.receive_nothing(timeout):
            frame = await self.receive()
            assert frame["type"] in skip, f"unexpected frame {frame}"

    async def close(self) -> None:
        """Disconnect (always called, so the consumer leaves its groups)."""
        await self.communicator.disconnect(timeout=5)
