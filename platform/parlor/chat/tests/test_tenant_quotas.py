"""A tenant's socket and message quotas through the real socket stack; bravo unaffected."""

from __future__ import annotations

import asyncio
import contextlib
import uuid

import orjson
import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.utils import timezone
from django_tenants.utils import schema_context

from parlor.asgi import websocket_application
from parlor.base.identity import PrincipalKind
from parlor.chat.models import Message, Room, RoomKind
from parlor.realtime.protocol import CLOSE_QUOTA_EXCEEDED
from parlor.realtime.socket_caps import SOCKET_CAPS
from parlor.testing.tenants import quotas_overridden
from tenants.models import QuotaRefusal
from tenants.quota_refusals import quota_refusals_flush
from tenants.tokens import token_issue

pytestmark = pytest.mark.usefixtures("live_db")


@contextlib.asynccontextmanager
async def overridden(created, **overrides: int):
    """quotas_overridden, entered and left off the event loop (it writes the tenant row)."""
    manager = quotas_overridden(created, **overrides)
    await sync_to_async(manager.__enter__)()
    try:
        yield
    finally:
        await sync_to_async(manager.__exit__)(None, None, None)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


async def connect(created) -> tuple[WebsocketCommunicator, dict]:
    """Open a user socket of `created`; return it and its first frame (or close message)."""
    issued = await sync_to_async(token_issue)(
        tenant=created.tenant, kind=PrincipalKind.USER, subject=unique("u"), name="U", rooms=["*"]
    )
    ws = WebsocketCommunicator(
        websocket_application(),
        "/ws/v1/",
        subprotocols=["parlor.v1", "parlor.token." + issued.token],
    )
    connected, _ = await ws.connect(timeout=5)
    assert connected
    return ws, await ws.receive_output(timeout=5)


async def frame_of(ws: WebsocketCommunicator, kind: str) -> dict:
    while True:
        frame = orjson.loads(await ws.receive_from(timeout=5))
        if frame["type"] == kind:
            return frame


def refusals(created, quota: str) -> int:
    quota_refusals_flush()
    row = QuotaRefusal.objects.filter(
        tenant_id=created.tenant.id, day=timezone.now().date(), quota=quota
    ).first()
    return row.count if row else 0


async def refusals_reach(created, quota: str, count: int) -> None:
    async with asyncio.timeout(5):
        while await sync_to_async(refusals)(created, quota) < count:
            await asyncio.sleep(0.05)


async def test_a_socket_over_the_tenants_quota_closes_4423_and_bravo_still_connects(
    tenant_alpha, tenant_bravo
):
    before = await sync_to_async(refusals)(tenant_alpha, "sockets")
    held = []
    async with overridden(tenant_alpha, sockets=2):
        try:
            for _ in range(2):
                ws, first = await connect(tenant_alpha)
                held.append(ws)
                assert orjson.loads(first["text"])["type"] == "hello"
            ws, first = await connect(tenant_alpha)
            held.append(ws)
            assert first["type"] == "websocket.close"
            assert (first["code"], first["reason"]) == (CLOSE_QUOTA_EXCEEDED, "quota_exceeded")
            ws, first = await connect(tenant_bravo)
            held.append(ws)
            assert orjson.loads(first["text"])["type"] == "hello", "bravo has its own quota"
            await refusals_reach(tenant_alpha, "sockets", before + 1)
            assert await sync_to_async(refusals)(tenant_bravo, "sockets") == 0
        finally:
            for ws in held:
                await ws.disconnect()
    assert SOCKET_CAPS.tenant_open(tenant_alpha.tenant.id) == 0


async def test_a_closed_socket_frees_its_place_in_the_quota(tenant_alpha):
    async with overridden(tenant_alpha, sockets=1):
        ws, first = await connect(tenant_alpha)
        assert orjson.loads(first["text"])["type"] == "hello"
        await ws.disconnect()
        ws, first = await connect(tenant_alpha)
        try:
            assert orjson.loads(first["text"])["type"] == "hello"
        finally:
            await ws.disconnect()


def room_create(created) -> str:
    room_id = unique("quota")
    with schema_context(created.tenant.schema_name):
        Room.objects.create(id=room_id, kind=RoomKind.CHANNEL)
    return room_id


def stored(created, room_id: str) -> int:
    with schema_context(created.tenant.schema_name):
        return Message.objects.filter(room_id=room_id).count()


async def send(ws, room: str, number: int) -> dict:
    await ws.send_to(
        text_data=orjson.dumps(
            {
                "type": "send",
                "id": f"r{number}",
                "room": room,
                "body": "hi",
                "client_msg_id": unique("m"),
            }
        ).decode()
    )
    while True:
        frame = orjson.loads(await ws.receive_from(timeout=5))
        if frame.get("re") == f"r{number}":
            return frame


async def test_messages_over_the_tenants_minute_are_refused_rate_limited_not_stored(
    tenant_alpha, tenant_bravo
):
    alpha_room = await sync_to_async(room_create)(tenant_alpha)
    bravo_room = await sync_to_async(room_create)(tenant_bravo)
    before = await sync_to_async(refusals)(tenant_alpha, "messages_per_minute")
    async with overridden(tenant_alpha, messages_per_minute=3):
        alpha, _ = await connect(tenant_alpha)
        bravo, _ = await connect(tenant_bravo)
        try:
            for ws, room in ((alpha, alpha_room), (bravo, bravo_room)):
                await ws.send_to(text_data=orjson.dumps({"type": "join", "room": room}).decode())
                await frame_of(ws, "joined")
            answers = [(await send(alpha, alpha_room, n))["type"] for n in range(4)]
            assert answers == ["ack", "ack", "ack", "error"]
            refused = await send(alpha, alpha_room, 9)
            assert (refused["code"], refused["room"]) == ("rate_limited", alpha_room)
            bravo_answers = [(await send(bravo, bravo_room, n))["type"] for n in range(6)]
            assert bravo_answers == ["ack"] * 6, "alpha's overage costs bravo nothing"
            await refusals_reach(tenant_alpha, "messages_per_minute", before + 2)
        finally:
            await alpha.disconnect()
            await bravo.disconnect()
    assert await sync_to_async(stored)(tenant_alpha, alpha_room) == 3
    assert await sync_to_async(stored)(tenant_bravo, bravo_room) == 6
