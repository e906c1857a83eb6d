"""Every malformed frame gets an error frame with a code; floods and oversize close the socket."""

from __future__ import annotations

import orjson
import pytest

from parlor.base.db import in_schema
from parlor.chat import consumer as consumer_module
from parlor.chat.models import Message
from parlor.chat.tests.support import ChatClient, principal_for, unique

pytestmark = pytest.mark.usefixtures("live_db")


def _stored(room_id: str) -> int:
    return Message.objects.filter(room_id=room_id).count()


BAD_FRAMES = [
    ("{not json", "bad_json", None),
    ("[1, 2]", "bad_json", None),
    ('"join"', "bad_json", None),
    ("{}", "bad_frame", None),
    ('{"type": 7}', "bad_frame", None),
    ('{"type": "dance", "id": "q"}', "unknown_type", "q"),
    ('{"type": "join", "id": "q"}', "bad_frame", "q"),
    ('{"type": "join", "room": "has space"}', "bad_frame", None),
    ('{"type": "join", "room": "a.b"}', "bad_frame", None),
    ('{"type": "join", "room": "' + "x" * 65 + '"}', "bad_frame", None),
    ('{"type": "join", "room": 5}', "bad_frame", None),
    ('{"type": "join", "room": "ok", "since_seq": -1}', "bad_frame", None),
    ('{"type": "join", "room": "ok", "since_seq": "3"}', "bad_frame", None),
    ('{"type": "join", "room": "ok", "since_seq": true}', "bad_frame", None),
    ('{"type": "join", "room": "ok", "since_seq": 1.5}', "bad_frame", None),
    ('{"type": "ping", "id": 5}', "bad_frame", None),
    ('{"type": "ping", "id": "' + "i" * 65 + '"}', "bad_frame", None),
    ('{"type": "typing", "room": "ok", "active": "yes"}', "bad_frame", None),
    ('{"type": "history", "room": "ok", "limit": 101}', "bad_frame", None),
    ('{"type": "history", "room": "ok", "limit": 0}', "bad_frame", None),
    ('{"type": "history", "room": "ok", "before": 3, "after": 1}', "bad_frame", None),
    ('{"type": "auth.refresh", "token": ""}', "bad_frame", None),
    ('{"type": "read", "room": "ok", "seq": null}', "bad_frame", None),
]


async def test_each_malformed_frame_gets_one_error_and_the_socket_survives(tenant_alpha):
    client = await ChatClient(principal_for(tenant_alpha)).connect()
    try:
        for text, code, re in BAD_FRAMES:
            await client.send_text(text)
            error = await client.expect("error")
            assert error["code"] == code, text
            assert error.get("re") == re, text
            assert error["detail"] and "\n" not in error["detail"], text
            assert "Traceback" not in error["detail"]
        await client.send(type="ping")
        await client.expect("pong")
    finally:
        await client.close()


async def test_bad_sends_store_nothing(tenant_alpha):
    room = unique("badsend")
    client = await ChatClient(principal_for(tenant_alpha)).connect()
    try:
        await client.join(room)
        bad_sends = [
            ({"body": "x" * 4097, "client_msg_id": "a"}, "body_too_large"),
            ({"body": "é" * 2049, "client_msg_id": "a"}, "body_too_large"),  # 4098 bytes
            ({"body": "   \n", "client_msg_id": "a"}, "body_empty"),
            ({"body": "", "client_msg_id": "a"}, "body_empty"),
            ({"body": "nul \x00 inside", "client_msg_id": "a"}, "bad_frame"),
            ({"body": 5, "client_msg_id": "a"}, "bad_frame"),
            ({"body": "ok", "client_msg_id": ""}, "bad_frame"),
            ({"body": "ok", "client_msg_id": "x" * 65}, "bad_frame"),
            ({"body": "ok"}, "bad_frame"),
        ]
        for fields, code in bad_sends:
            await client.send(type="send", room=room, **fields)
            error = await client.expect("error")
            assert (error["code"], error["room"]) == (code, room), fields
        assert await in_schema(tenant_alpha.tenant.schema_name, _stored, room) == 0
        ack = await client.say(room, "é" * 2048)  # exactly 4096 bytes is allowed
        assert ack["seq"] == 1
    finally:
        await client.close()


async def test_body_limit_is_configurable(tenant_alpha, settings):
    settings.PARLOR = {**settings.PARLOR, "BODY_MAX_BYTES": 10}
    room = unique("small")
    client = await ChatClient(principal_for(tenant_alpha)).connect()
    try:
        assert client.hello["limits"]["body_bytes"] == 10
        await client.join(room)
        await client.send(type="send", room=room, body="x" * 11, client_msg_id="a")
        assert (await client.expect("error"))["code"] == "body_too_large"
    finally:
        await client.close()


async def test_oversized_frame_closes_with_4413(tenant_alpha):
    client = await ChatClient(principal_for(tenant_alpha)).connect()
    try:
        await client.send_text(orjson.dumps({"type": "ping", "pad": "x" * 40000}).decode())
        assert await client.expect_close() == 4413
    finally:
        await client.close()


async def test_oversized_multibyte_frame_closes_with_4413(tenant_alpha):
    client = await ChatClient(principal_for(tenant_alpha)).connect()
    try:
        # Under the limit in characters, over it in UTF-8 bytes.
        await client.send_text(orjson.dumps({"type": "ping", "pad": "€" * 12000}).decode())
        assert await client.expect_close() == 4413
    finally:
        await client.close()


async def test_binary_frame_closes_with_4400(tenant_alpha):
    client = await ChatClient(principal_for(tenant_alpha)).connect()
    try:
        await client.communicator.send_to(bytes_data=b'{"type": "ping"}')
        assert await client.expect_close() == 4400
    finally:
        await client.close()


async def test_flood_gets_rate_limited_errors_then_closes_with_4429(tenant_alpha, settings):
    settings.PARLOR = {
        **settings.PARLOR,
        "RATE_PER_SECOND": 0.001,
        "RATE_BURST": 3,
        "RATE_STRIKES_BEFORE_CLOSE": 4,
    }
    client = await ChatClient(principal_for(tenant_alpha)).connect()
    try:
        for _ in range(10):
            await client.send(type="ping")
        assert await client.expect_close() == 4429
        kinds = [frame["type"] for frame in client.seen[1:]]
        codes = [frame.get("code") for frame in client.seen[1:]]
        assert kinds == ["pong"] * 3 + ["error"] * 4
        assert codes[3:] == ["rate_limited"] * 4
    finally:
        await client.close()


async def test_internal_failure_is_one_generic_line_and_nothing_leaks(tenant_alpha, monkeypatch):
    async def explode(**kwargs):
        raise RuntimeError("password=hunter2 in /srv/parlor/services.py")

    monkeypatch.setattr(consumer_module.posting, "message_post_async", explode)
    room = unique("boom")
    client = await ChatClient(principal_for(tenant_alpha)).connect()
    try:
        await client.join(room)
        await client.send(type="send", room=room, body="x", client_msg_id="a", id="s")
        error = await client.expect("error")
        assert (error["code"], error["re"]) == ("internal", "s")
        assert "hunter2" not in error["detail"] and "services.py" not in error["detail"]
        await client.send(type="ping")
        await client.expect("pong")
    finally:
        await client.close()
