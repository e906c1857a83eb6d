"""Socket, REST API and dashboard post through the one message service, with one set of rules.

For each producer: the same error code for an oversize or blank body and nothing stored; a
good message goes through `parlor.chat.posting` and is stored in the same row shape.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime

import pytest
from asgiref.sync import sync_to_async
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from parlor.base.identity import PrincipalKind
from parlor.chat import posting
from parlor.chat.models import Message, Room, RoomKind
from parlor.chat.tests.support import ChatClient, principal_for, unique
from parlor.dashboard.tests.conftest import login, staff_of

pytestmark = pytest.mark.usefixtures("live_db")

PRODUCERS = ["socket", "rest", "dashboard"]
BAD_BODIES = [("x" * 4097, "body_too_large"), ("é" * 2049, "body_too_large"), (" \n", "body_empty")]


async def socket_answer(created, room: str, body: str, client_msg_id: str) -> str | None:
    client = await ChatClient(principal_for(created, PrincipalKind.AGENT)).connect()
    try:
        await client.join(room)
        await client.send(type="send", room=room, body=body, client_msg_id=client_msg_id, id="p")
        while True:
            frame = await client.receive(5)
            if frame.get("re") == "p":
                return frame["code"] if frame["type"] == "error" else None
    finally:
        await client.close()


def rest_answer(created, room: str, body: str, client_msg_id: str) -> str | None:
    response = Client().post(
        f"/api/v1/rooms/{room}/messages",
        json.dumps({"body": body, "client_msg_id": client_msg_id}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {created.secret_key}",
    )
    connection.set_schema_to_public()
    if response.status_code in (200, 201):
        return None
    return response.json()["code"]


def dashboard_answer(created, room: str, body: str, client_msg_id: str) -> str | None:
    staff = staff_of(created)
    client = login(staff)
    response = client.post(
        f"/dashboard/conversations/{room}/reply",
        {"body": body, "client_msg_id": client_msg_id},
        HTTP_HOST=staff.host,
    )
    connection.set_schema_to_public()
    if response.status_code == 302:
        return None
    errors = response.context["form"].errors.as_data()
    return next(error.code for field in errors.values() for error in field)


async def answer(producer: str, created, room: str, body: str, client_msg_id: str) -> str | None:
    """Post through one producer; return the error code it answered, or None when stored."""
    if producer == "socket":
        return await socket_answer(created, room, body, client_msg_id)
    function = rest_answer if producer == "rest" else dashboard_answer
    return await sync_to_async(function)(created, room, body, client_msg_id)


def rows(created, room: str) -> list[dict]:
    with schema_context(created.tenant.schema_name):
        return list(Message.objects.filter(room_id=room).order_by("seq").values())


def channel_create(created, room: str) -> None:
    with schema_context(created.tenant.schema_name):
        Room.objects.create(id=room, kind=RoomKind.CHANNEL)


@pytest.fixture
def posted(monkeypatch):
    """Every input the one service checked."""
    seen: list[tuple] = []
    check = posting.message_input_check

    def spy(*, body, client_msg_id):
        seen.append((body, client_msg_id))
        return check(body=body, client_msg_id=client_msg_id)

    monkeypatch.setattr(posting, "message_input_check", spy)
    return seen


@pytest.mark.parametrize("producer", PRODUCERS)
async def test_a_bad_body_gets_the_same_code_from_every_producer_and_stores_nothing(
    tenant_alpha, producer
):
    room = unique("bad")
    await sync_to_async(channel_create)(tenant_alpha, room)
    for body, code in BAD_BODIES:
        assert await answer(producer, tenant_alpha, room, body, uuid.uuid4().hex) == code
    assert await sync_to_async(rows)(tenant_alpha, room) == []


@pytest.mark.parametrize("producer", PRODUCERS)
async def test_every_producer_goes_through_the_one_service_into_the_same_row_shape(
    tenant_alpha, producer, posted
):
    room = unique("shape")
    await sync_to_async(channel_create)(tenant_alpha, room)
    client_msg_id = uuid.uuid4().hex
    assert await answer(producer, tenant_alpha, room, "hello there", client_msg_id) is None
    assert posted == [("hello there", client_msg_id)]
    [row] = await sync_to_async(rows)(tenant_alpha, room)
    assert {name: type(value) for name, value in row.items()} == ROW_SHAPE
    assert (row["seq"], row["body"], row["client_msg_id"]) == (1, "hello there", client_msg_id)
    assert (row["sender_kind"], row["sent_at"].tzinfo is not None) == ("agent", True)


ROW_SHAPE = {
    "id": int,
    "room_id": str,
    "seq": int,
    "sender_kind": str,
    "sender_id": str,
    "sender_name": str,
    "body": str,
    "client_msg_id": str,
    "sent_at": datetime,
}
