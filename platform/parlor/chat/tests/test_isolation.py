"""Two tenants writing and reading alternately through the consumer see only their own rows."""

from __future__ import annotations

import pytest

from parlor.base.db import in_schema
from parlor.chat.models import Message
from parlor.chat.tests.support import ChatClient, principal_for, unique

pytestmark = pytest.mark.usefixtures("live_db")


def _bodies(room_id: str) -> list[str]:
    messages = Message.objects.filter(room_id=room_id).order_by("seq")
    return list(messages.values_list("body", flat=True))


async def test_alpha_and_bravo_interleaved_each_see_only_their_own_rows(tenant_alpha, tenant_bravo):
    room = unique("shared-name")  # the same room id in both tenants
    alpha = await ChatClient(principal_for(tenant_alpha, subject="same-user")).connect()
    bravo = await ChatClient(principal_for(tenant_bravo, subject="same-user")).connect()
    try:
        await alpha.join(room)
        await bravo.join(room)
        for number in range(5):
            alpha_ack = await alpha.say(room, f"alpha {number}", client_msg_id=f"c{number}")
            bravo_ack = await bravo.say(room, f"bravo {number}", client_msg_id=f"c{number}")
            # Each tenant numbers its own room: the other's writes take no seq from it.
            assert alpha_ack["seq"] == bravo_ack["seq"] == number + 1
            await alpha.send(type="history", room=room, limit=100)
            await bravo.send(type="history", room=room, limit=100)
            alpha_history = await alpha.expect("history", skip=("presence", "message"))
            bravo_history = await bravo.expect("history", skip=("presence", "message"))
            assert {m["body"].split()[0] for m in alpha_history["messages"]} == {"alpha"}
            assert {m["body"].split()[0] for m in bravo_history["messages"]} == {"bravo"}
            assert len(alpha_history["messages"]) == len(bravo_history["messages"]) == number + 1
        live_alpha = [f["body"] for f in alpha.seen if f["type"] == "message"]
        live_bravo = [f["body"] for f in bravo.seen if f["type"] == "message"]
        assert all(body.startswith("alpha") for body in live_alpha)
        assert all(body.startswith("bravo") for body in live_bravo)
        assert await in_schema(tenant_alpha.tenant.schema_name, _bodies, room) == [
            f"alpha {n}" for n in range(5)
        ]
        assert await in_schema(tenant_bravo.tenant.schema_name, _bodies, room) == [
            f"bravo {n}" for n in range(5)
        ]
    finally:
        await alpha.close()
        await bravo.close()


async def test_alpha_rejoining_with_since_seq_never_gets_bravo_messages(tenant_alpha, tenant_bravo):
    room = unique("resume-shared")
    alpha = await ChatClient(principal_for(tenant_alpha)).connect()
    bravo = await ChatClient(principal_for(tenant_bravo)).connect()
    try:
        await alpha.join(room)
        await bravo.join(room)
        for number in range(3):
            await bravo.say(room, f"bravo {number}")
            await alpha.say(room, f"alpha {number}")
    finally:
        await alpha.close()
        await bravo.close()
    returning = await ChatClient(alpha.principal).connect()
    try:
        joined = await returning.join(room, since_seq=0)
        assert [m["body"] for m in joined["messages"]] == [f"alpha {n}" for n in range(3)]
    finally:
        await returning.close()
