"""Conversations, transcripts, replies and the live agent token, each within one tenant."""

from __future__ import annotations

import json
import re
import uuid

import orjson
import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django_tenants.utils import schema_context

from parlor.asgi import websocket_application
from parlor.base.conversations import conversation_room_id
from parlor.base.identity import Principal, PrincipalKind, TenantRef
from parlor.chat import services as chat_services
from parlor.chat.models import Message, Room, RoomKind
from parlor.dashboard.tests.conftest import login
from tenants.tokens import TokenError, token_issue, token_verify

XSS = "<img src=x onerror=alert(1)>"


def visitor_writes(created, body: str, subject: str | None = None) -> str:
    """Store a visitor's message in their conversation (created on the first); return its id."""
    tenant = created.tenant
    subject = subject or f"v_{uuid.uuid4().hex[:22]}"
    visitor = Principal(
        kind=PrincipalKind.VISITOR,
        subject=subject,
        name="Visitor",
        tenant=TenantRef(id=tenant.id, slug=tenant.slug, schema_name=tenant.schema_name),
        token_id="t",
        issued_at=0,
        expires_at=0,
    )
    room_id = conversation_room_id(kind=PrincipalKind.VISITOR, subject=subject)
    with schema_context(tenant.schema_name):
        chat_services.message_send(
            room_id=room_id, sender=visitor, body=body, client_msg_id=uuid.uuid4().hex
        )
    return room_id


def test_conversations_list_newest_activity_first_with_the_last_message(alpha_staff, tenant_bravo):
    older = visitor_writes(alpha_staff.created, "first question")
    newer = visitor_writes(alpha_staff.created, "second question")
    bravo_room = visitor_writes(tenant_bravo, "bravo's private question")
    # The older conversation gets a new message: it moves to the top.
    with schema_context("alpha"):
        owner = Room.objects.get(id=older).owner_id
    visitor_writes(alpha_staff.created, "older one is active again", subject=owner)
    page = login(alpha_staff).get("/dashboard/").content.decode()
    assert page.index(older) < page.index(newer)
    assert "older one is active again" in page
    assert "first question" not in page  # only the last message is previewed
    assert bravo_room not in page
    assert "bravo&#x27;s private question" not in page and "bravo's private" not in page


def test_channels_tab_lists_channels_only(alpha_staff):
    channel = f"lobby-{uuid.uuid4().hex[:8]}"
    with schema_context("alpha"):
        Room.objects.create(id=channel, kind=RoomKind.CHANNEL)
    conversation = visitor_writes(alpha_staff.created, "hello")
    client = login(alpha_staff)
    channels = client.get("/dashboard/?show=channels").content.decode()
    assert channel in channels and conversation not in channels
    conversations = client.get("/dashboard/").content.decode()
    assert conversation in conversations and channel not in conversations


def test_the_transcript_shows_messages_in_order_with_html_escaped(alpha_staff):
    room = visitor_writes(alpha_staff.created, "hello there")
    owner = _owner(room)
    visitor_writes(alpha_staff.created, XSS, subject=owner)
    response = login(alpha_staff).get(f"/dashboard/conversations/{room}")
    page = response.content.decode()
    assert response.status_code == 200
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<img src=x" not in page
    assert page.index("hello there") < page.index("&lt;img src=x")
    assert 'data-last-seq="2"' in page
    assert re.search(r'src="/widget/dashboard\.[0-9a-f]{16}\.js"', page), "the shared client"


def test_another_tenants_conversation_is_not_found(alpha_staff, tenant_bravo):
    bravo_room = visitor_writes(tenant_bravo, "bravo only")
    client = login(alpha_staff)
    assert client.get(f"/dashboard/conversations/{bravo_room}").status_code == 404
    response = client.post(
        f"/dashboard/conversations/{bravo_room}/reply",
        {"body": "intrusion", "client_msg_id": "x1"},
    )
    assert response.status_code == 404
    with schema_context("bravo"):
        assert Message.objects.filter(room_id=bravo_room).count() == 1
    with schema_context("alpha"):
        assert not Room.objects.filter(id=bravo_room).exists()


@pytest.mark.parametrize("room_id", ["no-such-room", "bad.room", "x" * 70])
def test_unknown_rooms_are_404(alpha_staff, room_id):
    assert login(alpha_staff).get(f"/dashboard/conversations/{room_id}").status_code == 404


def test_a_reply_without_javascript_is_stored_once_as_the_staff_member(alpha_staff):
    room = visitor_writes(alpha_staff.created, "help?")
    client = login(alpha_staff)
    reply = {"body": "On it!", "client_msg_id": uuid.uuid4().hex}
    for _ in range(2):  # a double submit
        response = client.post(f"/dashboard/conversations/{room}/reply", reply)
        assert response.status_code == 302
    with schema_context("alpha"):
        replies = list(Message.objects.filter(room_id=room, sender_kind="agent"))
    assert len(replies) == 1
    assert (replies[0].body, replies[0].seq) == ("On it!", 2)
    assert replies[0].sender_id == f"staff-{alpha_staff.pk}"
    assert replies[0].sender_name == "Dana"


@pytest.mark.parametrize(
    "body, error", [("   ", "The reply is empty."), ("x" * 4097, "over 4096 bytes")]
)
def test_a_bad_reply_is_refused_with_the_reason_and_stores_nothing(alpha_staff, body, error):
    room = visitor_writes(alpha_staff.created, "help?")
    response = login(alpha_staff).post(
        f"/dashboard/conversations/{room}/reply", {"body": body, "client_msg_id": "abc"}
    )
    assert response.status_code == 400
    assert error in response.content.decode()
    with schema_context("alpha"):
        assert Message.objects.filter(room_id=room).count() == 1


def test_the_agent_token_names_the_staff_member_of_this_tenant(alpha_staff):
    response = login(alpha_staff).post("/dashboard/agent-token")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    verified = token_verify(response.json()["token"])
    assert verified.tenant.slug == "alpha"
    assert verified.principal.kind is PrincipalKind.AGENT
    assert verified.principal.subject == f"staff-{alpha_staff.pk}"
    assert verified.principal.name == "Dana"
    assert response.json()["expires_at"].endswith("Z")


def test_logging_out_revokes_the_staff_members_agent_tokens(alpha_staff):
    client = login(alpha_staff)
    token = client.post("/dashboard/agent-token").json()["token"]
    assert token_verify(token).principal.subject == f"staff-{alpha_staff.pk}"
    client.post("/dashboard/logout")
    with pytest.raises(TokenError) as refused:
        token_verify(token)
    assert refused.value.code == "token_revoked"
    assert client.post("/dashboard/agent-token").status_code == 401


def test_the_agent_token_needs_post(alpha_staff):
    assert login(alpha_staff).get("/dashboard/agent-token").status_code == 405


def _owner(room_id: str) -> str:
    with schema_context("alpha"):
        return Room.objects.get(id=room_id).owner_id


async def _socket(token: str, origin: str, host: str) -> tuple[WebsocketCommunicator, bool]:
    communicator = WebsocketCommunicator(
        websocket_application(),
        "/ws/v1/",
        headers=[(b"origin", origin.encode()), (b"host", host.encode())],
        subprotocols=["parlor.v1", "parlor.token." + token],
    )
    connected, _ = await communicator.connect(timeout=5)
    return communicator, connected


async def _frame(communicator: WebsocketCommunicator, kind: str) -> dict:
    while True:
        frame = orjson.loads(await communicator.receive_from(timeout=5))
        if frame["type"] == kind:
            return frame


@pytest.mark.parametrize(
    "origin, host, accepted",
    [
        ("http://alpha.localhost:8000", "alpha.localhost:8000", True),
        ("https://alpha.localhost", "alpha.localhost", True),
        ("http://bravo.localhost:8000", "bravo.localhost:8000", False),
        ("http://alpha.localhost:8000", "bravo.localhost:8000", False),
        ("http://evil.example", "alpha.localhost:8000", False),
        ("http://alpha.localhost.evil.example", "alpha.localhost.evil.example", False),
    ],
)
async def test_the_dashboards_agent_socket_is_accepted_from_its_own_host_only(
    memory_layer, alpha_staff, origin, host, accepted
):
    client = await sync_to_async(login)(alpha_staff)
    response = await sync_to_async(client.post)("/dashboard/agent-token")
    communicator, connected = await _socket(response.json()["token"], origin, host)
    try:
        if accepted:
            assert connected
            hello = await _frame(communicator, "hello")
            assert hello["principal"]["id"] == f"staff-{alpha_staff.pk}"
        else:
            assert not connected or (await communicator.receive_output(5))["type"] == (
                "websocket.close"
            )
    finally:
        await communicator.disconnect()


async def test_visitor_tokens_do_not_get_the_dashboard_origin(memory_layer, alpha_staff):
    issued = await sync_to_async(token_issue)(
        tenant=alpha_staff.created.tenant,
        kind=PrincipalKind.VISITOR,
        subject=f"v_{uuid.uuid4().hex[:22]}",
        name="Visitor",
    )
    communicator, connected = await _socket(
        issued.token, "http://alpha.localhost:8000", "alpha.localhost:8000"
    )
    assert not connected
    await communicator.disconnect()


async def test_a_reply_reaches_the_visitor_live_and_the_live_box_joins_with_its_token(
    memory_layer, alpha_staff
):
    subject = f"v_{uuid.uuid4().hex[:22]}"
    room = await sync_to_async(visitor_writes)(alpha_staff.created, "anyone?", subject)
    visitor_token = await sync_to_async(token_issue)(
        tenant=alpha_staff.created.tenant, kind=PrincipalKind.VISITOR, subject=subject, name="V"
    )
    visitor, connected = await _socket(
        visitor_token.token, "https://shop.alpha.example", "127.0.0.1:8000"
    )
    assert connected
    client = await sync_to_async(login)(alpha_staff)
    token = (await sync_to_async(client.post)("/dashboard/agent-token")).json()["token"]
    agent, agent_connected = await _socket(
        token, "http://alpha.localhost:8000", "alpha.localhost:8000"
    )
    assert agent_connected
    try:
        await visitor.send_to(text_data=json.dumps({"type": "join", "room": room}))
        await _frame(visitor, "joined")
        await agent.send_to(text_data=json.dumps({"type": "join", "room": room, "since_seq": 1}))
        assert (await _frame(agent, "joined"))["messages"] == []
        # The plain form post (no JavaScript) is delivered live as well.
        reply = {"body": "Hello from the dashboard", "client_msg_id": uuid.uuid4().hex}
        response = await sync_to_async(client.post)(f"/dashboard/conversations/{room}/reply", reply)
        assert response.status_code == 302
        for socket in (visitor, agent):
            message = await _frame(socket, "message")
            assert (message["body"], message["seq"]) == ("Hello from the dashboard", 2)
            assert message["sender"] == {
                "kind": "agent",
                "id": f"staff-{alpha_staff.pk}",
                "name": "Dana",
            }
        # And the live box's own send, as transcript.js sends it.
        await agent.send_to(
            text_data=json.dumps(
                {"type": "send", "room": room, "body": "Live reply", "client_msg_id": "live-1"}
            )
        )
        assert (await _frame(visitor, "message"))["body"] == "Live reply"
    finally:
        await visitor.disconnect()
        await agent.disconnect()
