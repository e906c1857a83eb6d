"""Actor tenant x resource tenant over every WebSocket action, through the whole stack.

The same room id exists in both tenants, each holding a secret; every action of each tenant's
socket must touch and reveal only its own tenant's rows, with the two tenants interleaved.
"""

from __future__ import annotations

import itertools

import pytest
from channels.testing import WebsocketCommunicator

from parlor.asgi import websocket_application
from parlor.base.conversations import conversation_room_id
from parlor.base.db import in_public_schema, in_schema
from parlor.base.identity import PrincipalKind
from parlor.chat.models import Membership, Message
from parlor.chat.tests.support import ChatClient, unique
from parlor.realtime.protocol import CLOSE_FORBIDDEN
from tenants.tokens import token_issue

pytestmark = pytest.mark.usefixtures("live_db")

PAIRS = list(itertools.product(["alpha", "bravo"], repeat=2))


async def stack_client(created, *, kind=PrincipalKind.AGENT, subject=None, host=None) -> ChatClient:
    """Return a connected client whose socket goes through the real middleware and routing."""
    issued = await in_public_schema(
        token_issue, tenant=created.tenant, kind=kind, subject=subject or unique("s"), name="M"
    )
    offered = ["parlor.v1", "parlor.token." + issued.token]
    headers = [(b"sec-websocket-protocol", ", ".join(offered).encode())]
    if host:
        headers.append((b"host", host.encode()))
    client = ChatClient.__new__(ChatClient)
    client.principal = None
    client.hello = {}
    client.seen = []
    client.pending = []
    client.communicator = WebsocketCommunicator(
        websocket_application(), "/ws/v1/", headers=headers, subprotocols=offered
    )
    return client


@pytest.fixture
def tenants(tenant_alpha, tenant_bravo):
    return {"alpha": tenant_alpha, "bravo": tenant_bravo}


@pytest.fixture
async def shared_room(tenants):
    """A channel id present in both tenants, each with a secret only its own tenant may read."""
    room = unique("matrix")
    for slug, created in tenants.items():
        client = await (await stack_client(created)).connect()
        await client.join(room)
        await client.say(room, f"secret-of-{slug}")
        await client.close()
    return room


async def stored_bodies(schema: str, room: str) -> list[str]:
    def bodies() -> list[str]:
        rows = Message.objects.filter(room_id=room).order_by("seq")
        return list(rows.values_list("body", flat=True))

    return await in_schema(schema, bodies)


async def read_positions(schema: str, room: str) -> list[int]:
    def positions() -> list[int]:
        return list(Membership.objects.filter(room_id=room).values_list("read_seq", flat=True))

    return await in_schema(schema, positions)


@pytest.mark.parametrize(("actor", "resource"), PAIRS)
async def test_join_and_history_reveal_only_the_actors_own_rows(
    tenants, shared_room, actor, resource
):
    client = await (await stack_client(tenants[actor])).connect()
    try:
        joined = await client.join(shared_room)
        bodies = [m["body"] for m in joined["messages"]]
        await client.send(type="history", room=shared_room, after=0, limit=100)
        history = await client.expect("history")
        bodies += [m["body"] for m in history["messages"]]
    finally:
        await client.close()
    assert f"secret-of-{actor}" in bodies
    if actor != resource:
        assert f"secret-of-{resource}" not in bodies


@pytest.mark.parametrize(("actor", "resource"), PAIRS)
async def test_send_read_and_typing_touch_only_the_actors_schema(
    tenants, shared_room, actor, resource
):
    watcher = await (await stack_client(tenants[resource])).connect()
    client = await (await stack_client(tenants[actor])).connect()
    try:
        await watcher.join(shared_room)
        await client.join(shared_room)
        reads_before = await read_positions(resource, shared_room)
        body = unique(f"from-{actor}")
        await client.send(type="typing", room=shared_room, active=True)
        ack = await client.say(shared_room, body)
        await client.send(type="read", room=shared_room, seq=ack["seq"])
        await client.send(type="ping", id="sync")
        await client.expect(
            "pong", skip=("presence", "typing", "read", "inbox", "message", "availability")
        )
        if actor == resource:
            message = await watcher.expect("message")
            assert message["body"] == body
        else:
            # `availability` is the watcher's own tenant's (its own agent socket turns it on);
            # that it never crosses tenants is chat/tests/test_workflow.py's stranger check.
            await watcher.nothing(timeout=0.5, skip=("presence", "availability"))
            assert await read_positions(resource, shared_room) == reads_before
    finally:
        await client.close()
        await watcher.close()
    assert body in await stored_bodies(actor, shared_room)
    if actor != resource:
        assert body not in await stored_bodies(resource, shared_room)


@pytest.mark.parametrize(("actor", "resource"), [("alpha", "bravo"), ("bravo", "alpha")])
async def test_a_token_on_another_tenants_domain_is_closed_forbidden(tenants, actor, resource):
    client = await stack_client(tenants[actor], host=tenants[resource].domain)
    connected, _ = await client.communicator.connect(timeout=5)
    assert connected
    assert await client.expect_close() == CLOSE_FORBIDDEN


@pytest.mark.parametrize(("actor", "resource"), PAIRS)
async def test_a_user_cannot_join_someone_elses_conversation(tenants, actor, resource):
    victim = unique("victim")
    room = conversation_room_id(kind=PrincipalKind.USER, subject=victim)
    owner = await (
        await stack_client(tenants[resource], kind=PrincipalKind.USER, subject=victim)
    ).connect()
    intruder = await (await stack_client(tenants[actor], kind=PrincipalKind.USER)).connect()
    try:
        await owner.join(room)
        await owner.say(room, "private")
        await intruder.send(type="join", room=room)
        error = await intruder.expect("error")
        assert error["code"] == "forbidden"
        await intruder.send(type="history", room=room, after=0)
        error = await intruder.expect("error")
        assert error["code"] in {"forbidden", "not_joined"}
    finally:
        await owner.close()
        await intruder.close()
    assert "private" not in [frame.get("body") for frame in intruder.seen]
