"""`/api/v1/rooms`: listing, reading and posting messages with a tenant's secret key."""

from __future__ import annotations

import json
import uuid

import orjson
import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from django_tenants.utils import schema_context

from parlor.asgi import websocket_application
from parlor.base.conversations import conversation_room_id
from parlor.base.identity import Principal, PrincipalKind, TenantRef
from parlor.chat import services
from parlor.chat.models import Message, Room, RoomKind
from tenants.tokens import token_issue

pytestmark = pytest.mark.usefixtures("live_db")


@pytest.fixture(autouse=True)
def public_schema_after():
    """A request to a tenant's host leaves the connection in its schema: go back to public."""
    yield
    from django.db import connection

    connection.set_schema_to_public()


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def call(created, method: str, path: str, body=None, *, raw: bytes | None = None, **headers):
    """Send an API request with `created`'s secret key; return (status, parsed JSON)."""
    client = Client()
    extra = {"HTTP_AUTHORIZATION": f"Bearer {created.secret_key}", **headers}
    if method == "GET":
        response = client.get(path, body or {}, **extra)
    else:
        data = raw if raw is not None else json.dumps(body)
        response = client.generic(method, path, data, content_type="application/json", **extra)
    return response.status_code, json.loads(response.content or b"null")


def room_create(created, room_id: str, kind: RoomKind = RoomKind.CHANNEL) -> None:
    with schema_context(created.tenant.schema_name):
        Room.objects.create(id=room_id, kind=kind)


def person(created, kind=PrincipalKind.USER, subject: str | None = None) -> Principal:
    tenant = created.tenant
    return Principal(
        kind=kind,
        subject=subject or unique(kind.value),
        name="Ada",
        tenant=TenantRef(id=tenant.id, slug=tenant.slug, schema_name=tenant.schema_name),
        token_id="t",
        issued_at=0,
        expires_at=0,
        rooms=("*",),
    )


def say(created, room_id: str, body: str, sender: Principal | None = None) -> None:
    with schema_context(created.tenant.schema_name):
        services.message_send(
            room_id=room_id,
            sender=sender or person(created),
            body=body,
            client_msg_id=unique("m"),
        )


def message_count(created, room_id: str) -> int:
    with schema_context(created.tenant.schema_name):
        return Message.objects.filter(room_id=room_id).count()


# Listing and reading.


def test_rooms_pages_newest_first_by_kind_without_gaps_or_repeats(tenant_alpha):
    mine = [unique("page") for _ in range(3)]
    for room_id in mine:
        room_create(tenant_alpha, room_id)
    room_create(
        tenant_alpha,
        conversation_room_id(kind=PrincipalKind.USER, subject=unique("u")),
        RoomKind.CONVERSATION,
    )
    seen, cursor = [], None
    while True:
        query = {"kind": "channel", "limit": 2, **({"cursor": cursor} if cursor else {})}
        status, page = call(tenant_alpha, "GET", "/api/v1/rooms", query)
        assert status == 200
        assert len(page["rooms"]) <= 2
        seen += page["rooms"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    ids = [room["id"] for room in seen]
    assert len(ids) == len(set(ids))
    assert all(room["kind"] == "channel" for room in seen)
    with schema_context(tenant_alpha.tenant.schema_name):
        assert len(ids) == Room.objects.filter(kind="channel").count()
    # Newest first: the three rooms created last come first, last-created leading.
    assert ids[:3] == mine[::-1]
    stamps = [room["created_at"] for room in seen]
    assert stamps == sorted(stamps, reverse=True)


def test_room_detail_shows_kind_owner_and_last_seq(tenant_alpha):
    visitor = person(tenant_alpha, PrincipalKind.VISITOR)
    room_id = conversation_room_id(kind=PrincipalKind.VISITOR, subject=visitor.subject)
    say(tenant_alpha, room_id, "hello", sender=visitor)
    say(tenant_alpha, room_id, "again", sender=visitor)
    status, room = call(tenant_alpha, "GET", f"/api/v1/rooms/{room_id}")
    assert status == 200
    assert room["id"] == room_id
    assert room["kind"] == "conversation"
    assert room["owner"] == {"kind": "visitor", "id": visitor.subject}
    assert room["last_seq"] == 2
    assert room["created_at"].endswith("Z")


def test_messages_page_in_seq_order_with_before_after_and_has_more(tenant_alpha):
    room_id = unique("history")
    room_create(tenant_alpha, room_id)
    for number in range(1, 6):
        say(tenant_alpha, room_id, f"message {number}")
    path = f"/api/v1/rooms/{room_id}/messages"
    status, newest = call(tenant_alpha, "GET", path, {"limit": 2})
    assert status == 200
    assert [m["seq"] for m in newest["messages"]] == [4, 5]
    assert newest["has_more"] is True
    assert newest["messages"][0]["body"] == "message 4"
    assert newest["messages"][0]["sent_at"].endswith("Z")
    _, older = call(tenant_alpha, "GET", path, {"before": 4, "limit": 2})
    assert [m["seq"] for m in older["messages"]] == [2, 3]
    assert older["has_more"] is True
    _, oldest = call(tenant_alpha, "GET", path, {"before": 2})
    assert [m["seq"] for m in oldest["messages"]] == [1]
    assert oldest["has_more"] is False
    _, later = call(tenant_alpha, "GET", path, {"after": 3})
    assert [m["seq"] for m in later["messages"]] == [4, 5]
    assert later["has_more"] is False


# Tenant isolation.


def test_a_room_id_in_both_tenants_answers_each_its_own(tenant_alpha, tenant_bravo):
    room_id = unique("shared")
    room_create(tenant_alpha, room_id)
    room_create(tenant_bravo, room_id)
    say(tenant_alpha, room_id, "alpha's secret")
    say(tenant_bravo, room_id, "bravo's secret")
    say(tenant_bravo, room_id, "bravo again")
    _, alpha = call(tenant_alpha, "GET", f"/api/v1/rooms/{room_id}/messages")
    _, bravo = call(tenant_bravo, "GET", f"/api/v1/rooms/{room_id}/messages")
    assert [m["body"] for m in alpha["messages"]] == ["alpha's secret"]
    assert [m["body"] for m in bravo["messages"]] == ["bravo's secret", "bravo again"]
    assert call(tenant_alpha, "GET", f"/api/v1/rooms/{room_id}")[1]["last_seq"] == 1
    assert call(tenant_bravo, "GET", f"/api/v1/rooms/{room_id}")[1]["last_seq"] == 2


def test_alphas_key_never_sees_bravos_rooms_or_messages(tenant_alpha, tenant_bravo):
    room_id = unique("bravo-only")
    room_create(tenant_bravo, room_id)
    say(tenant_bravo, room_id, "for bravo only")
    for path in (f"/api/v1/rooms/{room_id}", f"/api/v1/rooms/{room_id}/messages"):
        status, problem = call(tenant_alpha, "GET", path)
        assert status == 404
        assert problem["code"] == "room_not_found"
        assert "bravo" not in json.dumps(problem)
    status, _ = call(
        tenant_alpha,
        "POST",
        f"/api/v1/rooms/{room_id}/messages",
        {"body": "intrusion", "client_msg_id": unique("m")},
    )
    assert status == 404
    assert message_count(tenant_bravo, room_id) == 1
    listed, cursor = [], None
    while True:
        _, page = call(tenant_alpha, "GET", "/api/v1/rooms", {"limit": 100, "cursor": cursor or ""})
        listed += [room["id"] for room in page["rooms"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert room_id not in listed


def test_alphas_key_on_bravos_host_is_refused(tenant_alpha, tenant_bravo):
    room_id = unique("hosted")
    room_create(tenant_alpha, room_id)
    status, problem = call(
        tenant_alpha, "GET", f"/api/v1/rooms/{room_id}", HTTP_HOST="bravo.localhost"
    )
    assert status == 403
    assert problem["code"] == "tenant_mismatch"


def test_a_cursor_from_one_tenant_pages_only_the_other_tenants_own_rooms(
    tenant_alpha, tenant_bravo
):
    for _ in range(2):
        room_create(tenant_alpha, unique("cursor"))
    _, page = call(tenant_alpha, "GET", "/api/v1/rooms", {"limit": 1})
    status, bravo_page = call(
        tenant_bravo, "GET", "/api/v1/rooms", {"limit": 100, "cursor": page["next_cursor"]}
    )
    assert status == 200
    with schema_context(tenant_bravo.tenant.schema_name):
        bravo_ids = set(Room.objects.values_list("id", flat=True))
    assert {room["id"] for room in bravo_page["rooms"]} <= bravo_ids


# Bad input.


@pytest.mark.parametrize("limit", ["0", "101", "x", "-1", "1.5", "٣"])
def test_room_list_limit_out_of_range_is_refused(tenant_alpha, limit):
    status, problem = call(tenant_alpha, "GET", "/api/v1/rooms", {"limit": limit})
    assert status == 400
    assert problem["code"] == "invalid_parameter"
    assert "limit" in problem["detail"]


@pytest.mark.parametrize(
    "query, code",
    [
        ({"limit": "0"}, "invalid_parameter"),
        ({"limit": "101"}, "invalid_parameter"),
        ({"limit": "x"}, "invalid_parameter"),
        ({"before": "-3"}, "invalid_parameter"),
        ({"before": "2", "after": "1"}, "invalid_parameter"),
    ],
)
def test_message_list_bad_query_is_refused(tenant_alpha, query, code):
    room_id = unique("query")
    room_create(tenant_alpha, room_id)
    status, problem = call(tenant_alpha, "GET", f"/api/v1/rooms/{room_id}/messages", query)
    assert (status, problem["code"]) == (400, code)


@pytest.mark.parametrize("query", [{"kind": "dm"}, {"cursor": "!!"}, {"cursor": "W10"}])
def test_room_list_bad_kind_or_cursor_is_refused(tenant_alpha, query):
    status, problem = call(tenant_alpha, "GET", "/api/v1/rooms", query)
    assert status == 400
    assert problem["code"] in {"invalid_parameter", "invalid_cursor"}


@pytest.mark.parametrize("room_id", ["nope-" + "0" * 10, "bad.id", "x" * 65])
def test_unknown_room_is_404(tenant_alpha, room_id):
    for path in (f"/api/v1/rooms/{room_id}", f"/api/v1/rooms/{room_id}/messages"):
        status, problem = call(tenant_alpha, "GET", path)
        assert (status, problem["code"]) == (404, "room_not_found")


def test_requests_without_a_valid_secret_key_are_401(tenant_alpha):
    room_id = unique("auth")
    room_create(tenant_alpha, room_id)
    for authorization in ("", "Bearer sk_wrong", f"Basic {tenant_alpha.secret_key}"):
        response = Client().get(f"/api/v1/rooms/{room_id}", HTTP_AUTHORIZATION=authorization)
        assert response.status_code == 401
        assert response.json()["code"] == "unauthenticated"


@pytest.mark.parametrize(
    "body, status, code",
    [
        ({"body": "x" * 4097, "client_msg_id": "a"}, 400, "body_too_large"),
        ({"body": "é" * 2049, "client_msg_id": "a"}, 400, "body_too_large"),
        ({"body": "   ", "client_msg_id": "a"}, 400, "body_empty"),
        ({"body": "nul\x00", "client_msg_id": "a"}, 400, "invalid_field"),
        ({"body": 5, "client_msg_id": "a"}, 400, "invalid_field"),
        ({"body": "hi"}, 400, "invalid_field"),
        ({"body": "hi", "client_msg_id": "x" * 65}, 400, "invalid_field"),
        ({"body": "hi", "client_msg_id": "a", "sender_name": ""}, 400, "invalid_field"),
        ({"body": "hi", "client_msg_id": "a", "sender_name": "n" * 101}, 400, "invalid_field"),
        ({"body": "hi", "client_msg_id": "a", "seq": 7}, 400, "unknown_field"),
        (["body"], 400, "bad_json"),
    ],
)
def test_bad_message_posts_are_refused_and_store_nothing(tenant_alpha, body, status, code):
    room_id = unique("bad-post")
    room_create(tenant_alpha, room_id)
    answer = call(tenant_alpha, "POST", f"/api/v1/rooms/{room_id}/messages", body)
    assert answer == (status, answer[1])
    assert answer[1]["code"] == code
    assert message_count(tenant_alpha, room_id) == 0


def test_an_oversized_request_is_413_and_stores_nothing(tenant_alpha):
    room_id = unique("huge")
    room_create(tenant_alpha, room_id)
    raw = json.dumps({"body": "x" * 20000, "client_msg_id": "a"}).encode()
    status, problem = call(tenant_alpha, "POST", f"/api/v1/rooms/{room_id}/messages", raw=raw)
    assert (status, problem["code"]) == (413, "payload_too_large")
    assert message_count(tenant_alpha, room_id) == 0


def test_posting_to_an_unknown_room_is_404_and_creates_nothing(tenant_alpha):
    room_id = unique("ghost")
    status, problem = call(
        tenant_alpha,
        "POST",
        f"/api/v1/rooms/{room_id}/messages",
        {"body": "hi", "client_msg_id": "a"},
    )
    assert (status, problem["code"]) == (404, "room_not_found")
    with schema_context(tenant_alpha.tenant.schema_name):
        assert not Room.objects.filter(id=room_id).exists()


def test_other_methods_are_405(tenant_alpha):
    status, problem = call(tenant_alpha, "DELETE", "/api/v1/rooms", {})
    assert (status, problem["code"]) == (405, "method_not_allowed")


# Posting.


def test_posts_get_the_next_seq_and_repeat_idempotently(tenant_alpha):
    room_id = unique("post")
    room_create(tenant_alpha, room_id)
    say(tenant_alpha, room_id, "from a person")
    path = f"/api/v1/rooms/{room_id}/messages"
    post = {"body": "Hello from the shop", "client_msg_id": "order-1", "sender_name": "Shop bot"}
    status, first = call(tenant_alpha, "POST", path, post)
    assert status == 201
    assert first["seq"] == 2
    assert first["sender"] == {"kind": "agent", "id": "api", "name": "Shop bot"}
    assert first["client_msg_id"] == "order-1"
    status, again = call(tenant_alpha, "POST", path, {**post, "body": "changed"})
    assert status == 200
    assert again == first
    status, second = call(tenant_alpha, "POST", path, {"body": "next", "client_msg_id": "order-2"})
    assert (status, second["seq"]) == (201, 3)
    assert second["sender"]["name"] == tenant_alpha.tenant.name
    assert message_count(tenant_alpha, room_id) == 3
    _, page = call(tenant_alpha, "GET", path)
    assert [m["body"] for m in page["messages"]] == ["from a person", "Hello from the shop", "next"]


# Live delivery.


@pytest.fixture
def memory_layer(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


async def _socket(created, kind: PrincipalKind, subject: str) -> WebsocketCommunicator:
    issued = await sync_to_async(token_issue)(
        tenant=created.tenant, kind=kind, subject=subject, name=subject, rooms=["*"]
    )
    communicator = WebsocketCommunicator(
        websocket_application(),
        "/ws/v1/",
        subprotocols=["parlor.v1", "parlor.token." + issued.token],
    )
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    assert (await _frame(communicator, "hello"))["type"] == "hello"
    return communicator


async def _frame(communicator: WebsocketCommunicator, kind: str) -> dict:
    while True:
        frame = orjson.loads(await communicator.receive_from(timeout=5))
        if frame["type"] == kind:
            return frame


async def _no_message(communicator: WebsocketCommunicator) -> None:
    while not await communicator.receive_nothing(timeout=0.3):
        frame = orjson.loads(await communicator.receive_from())
        assert frame["type"] != "message", frame


async def test_a_posted_message_reaches_live_sockets_of_its_room_only(
    memory_layer, tenant_alpha, tenant_bravo
):
    room_id = unique("live")
    await sync_to_async(room_create)(tenant_alpha, room_id)
    await sync_to_async(room_create)(tenant_bravo, room_id)
    alpha = await _socket(tenant_alpha, PrincipalKind.USER, unique("reader"))
    bravo = await _socket(tenant_bravo, PrincipalKind.USER, unique("reader"))
    try:
        for socket in (alpha, bravo):
            await socket.send_to(text_data=json.dumps({"type": "join", "room": room_id}))
            await _frame(socket, "joined")
        post = {"body": "pushed from the backend", "client_msg_id": unique("m")}
        status, stored = await sync_to_async(call)(
            tenant_alpha, "POST", f"/api/v1/rooms/{room_id}/messages", post
        )
        assert status == 201
        live = await _frame(alpha, "message")
        assert live["body"] == "pushed from the backend"
        assert (live["id"], live["seq"], live["room"]) == (stored["id"], 1, room_id)
        assert live["sender"]["kind"] == "agent"
        await _no_message(bravo)
    finally:
        await alpha.disconnect()
        await bravo.disconnect()


async def test_a_post_to_a_conversation_reaches_its_owner_and_the_agents_inbox(
    memory_layer, tenant_alpha
):
    subject = unique("visitor")
    room_id = conversation_room_id(kind=PrincipalKind.USER, subject=subject)
    owner = person(tenant_alpha, PrincipalKind.USER, subject)
    await sync_to_async(say)(tenant_alpha, room_id, "I need help", sender=owner)
    user = await _socket(tenant_alpha, PrincipalKind.USER, subject)
    agent = await _socket(tenant_alpha, PrincipalKind.AGENT, unique("agent"))
    try:
        await user.send_to(text_data=json.dumps({"type": "join", "room": room_id}))
        await _frame(user, "joined")
        post = {"body": "We are on it", "client_msg_id": unique("m"), "sender_name": "Helpdesk"}
        status, _ = await sync_to_async(call)(
            tenant_alpha, "POST", f"/api/v1/rooms/{room_id}/messages", post
        )
        assert status == 201
        message = await _frame(user, "message")
        assert (message["body"], message["seq"]) == ("We are on it", 2)
        assert message["sender"]["name"] == "Helpdesk"
        inbox = await _frame(agent, "inbox")
        assert inbox["room"] == room_id
        assert inbox["message"]["body"] == "We are on it"
    finally:
        await user.disconnect()
        await agent.disconnect()
