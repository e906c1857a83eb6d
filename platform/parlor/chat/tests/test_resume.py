"""Resume with since_seq, live messages during the catch-up, and gaps filled from storage."""

from __future__ import annotations

import asyncio

import pytest
from channels.layers import get_channel_layer

from parlor.base.db import in_schema
from parlor.base.groups import room_group_name
from parlor.chat import frames, selectors, services
from parlor.chat.consumer import EVENT_ROOM_MESSAGE
from parlor.chat.tests.support import ChatClient, principal_for, unique

pytestmark = pytest.mark.usefixtures("live_db")


async def _collect_seqs(client: ChatClient, room: str, until: int) -> list[int]:
    seqs: list[int] = []
    while not seqs or seqs[-1] < until:
        frame = await client.receive()
        if frame["type"] == "joined" and frame["room"] == room:
            seqs.extend(m["seq"] for m in frame["messages"])
        elif frame["type"] == "message" and frame["room"] == room:
            seqs.append(frame["seq"])
    return seqs


async def test_rejoin_with_since_seq_gets_exactly_the_missed_messages(tenant_alpha):
    room = unique("resume")
    writer = await ChatClient(principal_for(tenant_alpha)).connect()
    reader_principal = principal_for(tenant_alpha)
    try:
        await writer.join(room)
        for number in range(1, 6):
            await writer.say(room, f"m{number}")
        reader = await ChatClient(reader_principal).connect()
        try:
            joined = await reader.join(room, since_seq=2)
            assert [m["seq"] for m in joined["messages"]] == [3, 4, 5]
            assert joined["last_seq"] == 5
            await writer.say(room, "live")
            live = await reader.expect("message")
            assert (live["seq"], live["body"]) == (6, "live")
            await reader.nothing()
        finally:
            await reader.close()
    finally:
        await writer.close()


async def test_catch_up_longer_than_a_page_continues_as_messages(tenant_alpha, settings):
    settings.PARLOR = {**settings.PARLOR, "HISTORY_MAX": 3}
    room = unique("pages")
    writer = await ChatClient(principal_for(tenant_alpha)).connect()
    try:
        await writer.join(room)
        for number in range(1, 9):
            await writer.say(room, f"m{number}")
        reader = await ChatClient(principal_for(tenant_alpha)).connect()
        try:
            await reader.send(type="join", room=room, since_seq=1)
            assert await _collect_seqs(reader, room, until=8) == list(range(2, 9))
            await reader.nothing()
        finally:
            await reader.close()
    finally:
        await writer.close()


async def test_no_gap_and_no_duplicate_when_messages_arrive_during_catch_up(tenant_alpha, settings):
    # Small pages make the catch-up take several storage round trips while writers go on.
    settings.PARLOR = {**settings.PARLOR, "HISTORY_MAX": 5, "RATE_BURST": 1000}
    room = unique("race")
    writers = [await ChatClient(principal_for(tenant_alpha)).connect() for _ in range(3)]
    try:
        for writer in writers:
            await writer.join(room)
        for number in range(20):
            await writers[0].say(room, f"before {number}")

        async def keep_writing(writer: ChatClient, count: int) -> None:
            for number in range(count):
                await writer.say(room, f"during {number}")

        reader = await ChatClient(principal_for(tenant_alpha)).connect()
        try:
            busy = [asyncio.ensure_future(keep_writing(w, 15)) for w in writers[1:]]
            await reader.send(type="join", room=room, since_seq=3)
            await asyncio.gather(*busy)
            assert await _collect_seqs(reader, room, until=50) == list(range(4, 51))
            await reader.nothing()
            # Every acknowledged message is in storage with the id and seq its ack gave.
            stored = await in_schema(
                tenant_alpha.tenant.schema_name,
                selectors.message_list,
                room_id=room,
                after=0,
                limit=100,
            )
            acked = {(f["id"], f["seq"]) for w in writers for f in w.seen if f["type"] == "ack"}
            assert len(acked) == 50
            assert acked == {(m.id, m.seq) for m in stored.messages}
        finally:
            await reader.close()
    finally:
        for writer in writers:
            await writer.close()


async def test_out_of_order_live_messages_are_delivered_in_order(tenant_alpha):
    room = unique("order")
    reader = await ChatClient(principal_for(tenant_alpha)).connect()
    principal = principal_for(tenant_alpha)
    layer = get_channel_layer()
    group = room_group_name(tenant_alpha.tenant.id, room)
    try:
        await reader.join(room)
        sent = [
            await in_schema(
                tenant_alpha.tenant.schema_name,
                services.message_send,
                room_id=room,
                sender=principal,
                body=f"m{number}",
                client_msg_id=f"c{number}",
            )
            for number in (1, 2)
        ]
        # As two processes may publish: the later seq first.
        for result in reversed(sent):
            message = result.message
            text = frames.encode(frames.message_fields(message))
            event = {"type": EVENT_ROOM_MESSAGE, "group": group, "room": room, "seq": message.seq}
            await layer.group_send(group, {**event, "text": text})
        assert [(await reader.expect("message"))["body"] for _ in range(2)] == ["m1", "m2"]
    finally:
        await reader.close()


async def test_a_lost_broadcast_is_filled_from_storage(tenant_alpha, settings):
    settings.PARLOR = {**settings.PARLOR, "GAP_WAIT_SECONDS": 0.05}
    room = unique("lost")
    reader = await ChatClient(principal_for(tenant_alpha)).connect()
    principal = principal_for(tenant_alpha)
    schema = tenant_alpha.tenant.schema_name
    try:
        await reader.join(room)
        for number in (1, 2):
            result = await in_schema(
                schema,
                services.message_send,
                room_id=room,
                sender=principal,
                body=f"m{number}",
                client_msg_id=f"c{number}",
            )
        # Only seq 2 is published; seq 1's broadcast was lost.
        text = frames.encode(frames.message_fields(result.message))
        group = room_group_name(tenant_alpha.tenant.id, room)
        event = {"type": EVENT_ROOM_MESSAGE, "group": group, "room": room, "seq": 2, "text": text}
        await get_channel_layer().group_send(group, event)
        assert [(await reader.expect("message"))["seq"] for _ in range(2)] == [1, 2]
        await reader.nothing()
    finally:
        await reader.close()
