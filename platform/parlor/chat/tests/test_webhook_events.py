"""Webhook events of the hot path: a socket send enqueues them in the transaction that stores it."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import re

import psycopg
import pytest
from channels.testing import WebsocketCommunicator
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from parlor.asgi import websocket_application
from parlor.base import schemas
from parlor.base.conversations import conversation_room_id
from parlor.base.db import in_public_schema, in_schema
from parlor.base.identity import PrincipalKind
from parlor.base.times import isoformat
from parlor.chat import ingest, posting, statements
from parlor.chat.broadcast import message_item
from parlor.chat.models import Message, Room, RoomKind
from parlor.chat.records import StoredMessage
from parlor.chat.tables import MESSAGE
from parlor.chat.tests.support import ChatClient, principal_for, tenant_ref, unique
from parlor.testing.database import database_url_for_tests
from parlor.testing.receivers import Receiver
from parlor.testing.tenants import COMMIT_FAIL_MARK
from parlor.testing.tenants import failpoint_tenant as failpoint_tenant_created
from parlor.testing.workers import start_worker
from parlor.webhooks.enqueue import DELIVER_TASK, QUEUE
from parlor.webhooks.events import event_id_new, event_payload
from parlor.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from parlor.webhooks.services import webhook_endpoint_create
from tenants.tokens import token_issue

pytestmark = pytest.mark.usefixtures("live_db", "clean_outbox")

BOTH = ["conversation.created", "message.created"]
FAIL_MARK = COMMIT_FAIL_MARK


@pytest.fixture
def clean_outbox(live_db, tenant_alpha, tenant_bravo):
    """Yield, then delete every endpoint, event and webhook job the test left."""
    yield
    for created in (tenant_alpha, tenant_bravo):
        with schema_context(created.tenant.schema_name):
            WebhookEvent.objects.all().delete()
            WebhookEndpoint.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM public.procrastinate_jobs WHERE queue_name = %s", [QUEUE])
    connection.set_schema_to_public()


@pytest.fixture(scope="module")
def failpoint_tenant(django_db_setup, django_db_blocker):
    """A tenant whose COMMIT fails for any message whose body starts with FAIL_MARK."""
    with failpoint_tenant_created("hook_failpoint", django_db_blocker) as created:
        yield created


def endpoint_register(created, events=BOTH, url="https://hooks.example/in") -> WebhookEndpoint:
    with schema_context(created.tenant.schema_name):
        return webhook_endpoint_create(url=url, events=events)


def outbox(created) -> list[tuple[str, int, dict]]:
    """Return (type, seq, payload) of every event of `created`, in the order they were written."""
    with schema_context(created.tenant.schema_name):
        events = WebhookEvent.objects.order_by("created_at", "id")
        return [(event.type, event.payload["seq"], event.payload) for event in events]


def jobs() -> list[dict]:
    """Return the arguments of every webhook delivery job deferred."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT args FROM public.procrastinate_jobs WHERE queue_name = %s AND task_name = %s"
            " ORDER BY id",
            [QUEUE, DELIVER_TASK],
        )
        return [args if isinstance(args, dict) else json.loads(args) for (args,) in cursor]


async def visitor_socket(created, subject: str) -> ChatClient:
    """Return a visitor's connected socket through the real middleware, routing and consumer."""
    issued = await in_public_schema(
        token_issue, tenant=created.tenant, kind=PrincipalKind.VISITOR, subject=subject, name="V"
    )
    offered = ["parlor.v1", "parlor.token." + issued.token]
    client = ChatClient.__new__(ChatClient)
    client.principal, client.hello, client.seen, client.pending = None, {}, [], []
    client.communicator = WebsocketCommunicator(
        websocket_application(),
        "/ws/v1/",
        headers=[
            (b"sec-websocket-protocol", ", ".join(offered).encode()),
            # A visitor's socket comes from a page of one of the tenant's sites.
            (b"origin", created.tenant.allowed_origins[0].encode()),
        ],
        subprotocols=offered,
    )
    return await client.connect()


async def visitor_says(created, bodies: list[str], *, resend_first: bool = False) -> str:
    """A new visitor writes `bodies` into its own conversation; return the conversation's id."""
    subject = unique("visitor")
    room = conversation_room_id(kind=PrincipalKind.VISITOR, subject=subject)
    client = await visitor_socket(created, subject)
    try:
        await client.join(room)
        first_id = unique("m")
        for number, body in enumerate(bodies):
            ack = await client.say(room, body, client_msg_id=first_id if number == 0 else None)
            assert ack["seq"] == number + 1
        if resend_first:
            ack = await client.say(room, bodies[0], client_msg_id=first_id)
            assert ack["seq"] == 1  # the stored one, acked again
    finally:
        await client.close()
    return room


def stored_messages(created, room: str) -> list[StoredMessage]:
    with schema_context(created.tenant.schema_name):
        rows = Message.objects.filter(room_id=room).order_by("seq")
        return [StoredMessage(*(getattr(row, name) for name in MESSAGE.columns)) for row in rows]


def payload_expected(created, event: dict, data: dict) -> dict:
    """Return the payload parlor.webhooks.events builds for the event's id, type, room and seq."""
    with schema_context(created.tenant.schema_name):
        at = WebhookEvent.objects.get(id=event["id"]).created_at
    return event_payload(
        event_id=event["id"],
        event_type=event["type"],
        tenant=created.tenant.slug,
        room=event["room"],
        seq=event["seq"],
        data=data,
        at=at,
    )


async def test_a_visitors_socket_sends_enqueue_the_conversation_then_each_message_once(
    tenant_alpha, tenant_bravo
):
    tenants = (tenant_alpha, tenant_bravo)
    for created in tenants:
        await in_public_schema(endpoint_register, created)
    # Both tenants' visitors write at once: their sends share the writer's batches.
    rooms = await asyncio.gather(
        *(
            visitor_says(created, ["hello", "<b>are you there?</b>"], resend_first=True)
            for created in tenants
        )
    )
    deferred = await in_public_schema(jobs)
    for created, room in zip(tenants, rooms, strict=True):
        events = await in_public_schema(outbox, created)
        assert [(kind, seq) for kind, seq, _ in events] == [
            ("conversation.created", 0),
            ("message.created", 1),
            ("message.created", 2),
        ]
        assert {(p["tenant"], p["room"]) for _, _, p in events} == {(created.tenant.slug, room)}
        # Each event has one delivery to the tenant's endpoint and one job naming its schema.
        schema = created.tenant.schema_name
        delivery_ids = await in_schema(
            schema, lambda: sorted(WebhookDelivery.objects.values_list("id", flat=True))
        )
        named = [job["delivery_id"] for job in deferred if job["schema_name"] == schema]
        assert sorted(named) == delivery_ids and len(delivery_ids) == 3
    assert len(deferred) == 6


async def test_hot_path_payloads_are_the_envelope_of_parlor_webhooks_events(tenant_alpha):
    await in_public_schema(endpoint_register, tenant_alpha)
    room = await visitor_says(tenant_alpha, ["first", 'a "quoted" \\ body ✓'])
    events = [payload for _, _, payload in await in_public_schema(outbox, tenant_alpha)]
    messages = await in_public_schema(stored_messages, tenant_alpha, room)
    visitor = messages[0].sender_id
    conversation = {"conversation": {"id": room, "owner": {"kind": "visitor", "id": visitor}}}
    expected = [await in_public_schema(payload_expected, tenant_alpha, events[0], conversation)]
    for event, message in zip(events[1:], messages, strict=True):
        item = {**message_item(message), "sent_at": isoformat(message.sent_at)}
        data = {"message": item}
        expected.append(await in_public_schema(payload_expected, tenant_alpha, event, data))
    assert events == expected
    assert [event["tenant"] for event in events] == ["alpha"] * 3
    # Event ids are spelled as event_id_new spells them, and each is new.
    shape = re.compile(r"evt_[A-Za-z0-9_-]{24}")
    assert shape.fullmatch(event_id_new())
    assert all(shape.fullmatch(event["id"]) for event in events)
    assert len({event["id"] for event in events}) == 3


async def test_a_tenant_without_endpoints_gets_no_events_and_no_jobs(tenant_alpha, tenant_bravo):
    # Alpha listens; bravo, with no endpoint, writes.
    await in_public_schema(endpoint_register, tenant_alpha)
    await visitor_says(tenant_bravo, ["hi"])
    assert await in_public_schema(outbox, tenant_bravo) == []
    assert await in_public_schema(outbox, tenant_alpha) == []
    assert await in_public_schema(jobs) == []


async def test_only_the_subscribed_types_of_enabled_endpoints_are_enqueued(tenant_alpha):
    await in_public_schema(endpoint_register, tenant_alpha, events=["message.created"])
    disabled = await in_public_schema(endpoint_register, tenant_alpha)
    await in_schema(
        tenant_alpha.tenant.schema_name,
        lambda: WebhookEndpoint.objects.filter(id=disabled.id).update(disabled_at=timezone.now()),
    )
    await visitor_says(tenant_alpha, ["one"])
    events = await in_public_schema(outbox, tenant_alpha)
    assert [(kind, seq) for kind, seq, _ in events] == [("message.created", 1)]
    assert len(await in_public_schema(jobs)) == 1


@pytest.mark.parametrize("begins_conversation", [True, False])
def test_statements_rolled_back_enqueue_nothing(tenant_alpha, begins_conversation):
    endpoint_register(tenant_alpha)
    visitor = principal_for(tenant_alpha, PrincipalKind.VISITOR)
    room = conversation_room_id(kind=PrincipalKind.VISITOR, subject=visitor.subject)
    if not begins_conversation:
        with schema_context(tenant_alpha.tenant.schema_name):
            Room.objects.create(id=room, kind=RoomKind.CONVERSATION)
    schema = schemas.tenant_schema(tenant_ref(tenant_alpha))
    params = statements.send_params(
        room_id=room, sender=visitor, body="hi", client_msg_id=unique("m"), sent_at=timezone.now()
    )
    # As the group commit runs them: a connection of its own, in a transaction.
    with psycopg.connect(database_url_for_tests()) as raw, raw.transaction(force_rollback=True):
        if begins_conversation:
            raw.execute(statements.statement(statements.CONVERSATION_BEGIN, schema), params)
        raw.execute(statements.statement(statements.INSERT_MESSAGE, schema), params)
        written = raw.execute(
            f'SELECT count(*) FROM "{schema.name}".webhooks_webhookevent'
        ).fetchone()
        assert written == (2 if begins_conversation else 1,)  # inside the transaction
    assert outbox(tenant_alpha) == []
    assert jobs() == []


async def test_a_failed_batch_enqueues_nothing_and_its_good_sends_enqueue_once(
    failpoint_tenant, monkeypatch
):
    sizes: list[int] = []
    commit = ingest._commit

    async def counted(batch):
        sizes.append(len(batch))
        return await commit(batch)

    monkeypatch.setattr(ingest, "_commit", counted)
    await in_public_schema(endpoint_register, failpoint_tenant, events=["message.created"])
    room = unique("batch")
    schema_name = failpoint_tenant.tenant.schema_name
    await in_schema(schema_name, Room.objects.create, id=room, kind=RoomKind.CHANNEL)
    agent = principal_for(failpoint_tenant, PrincipalKind.AGENT)
    bodies = [f"{FAIL_MARK} {n}" if n % 3 == 0 else f"fine {n}" for n in range(9)]
    sends = [
        posting.message_post_async(sender=agent, room_id=room, body=body, client_msg_id=unique("m"))
        for body in bodies
    ]
    results = await asyncio.gather(*sends, return_exceptions=True)
    try:
        assert sizes[0] == len(bodies)  # one batch held them all, and it failed
        stored = sorted(r.message.body for r in results if not isinstance(r, BaseException))
        assert stored == sorted(body for body in bodies if body.startswith("fine"))
        events = await in_public_schema(outbox, failpoint_tenant)
        announced = sorted(payload["data"]["message"]["body"] for _, _, payload in events)
        assert announced == stored  # once each; none for the failed sends or the failed batch
        assert len(await in_public_schema(jobs)) == len(stored)
    finally:
        await in_schema(schema_name, WebhookEvent.objects.all().delete)
        await in_schema(schema_name, WebhookEndpoint.objects.all().delete)


def valid_signature(secret: str, headers: dict[str, str], body: bytes) -> bool:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return headers["webhook-signature"] == f"v1,{expected}"


async def test_a_widget_message_reaches_a_real_receiver_signed(tenant_alpha, tmp_path):
    receiver = Receiver()
    url = receiver.start()
    worker = start_worker(database_url=database_url_for_tests(), log_dir=tmp_path)
    try:
        endpoint = await in_public_schema(
            endpoint_register, tenant_alpha, events=["message.created"], url=url
        )
        room = await visitor_says(tenant_alpha, ["from the widget"])
        received = (await asyncio.to_thread(receiver.wait_for, 1, 60))[0]
    finally:
        worker.stop()
        receiver.stop()
    assert valid_signature(endpoint.secret, received.headers, received.body)
    payload = json.loads(received.body)
    assert (payload["type"], payload["tenant"], payload["room"], payload["seq"]) == (
        "message.created",
        "alpha",
        room,
        1,
    )
    assert payload["data"]["message"]["body"] == "from the widget"
    assert received.headers["webhook-id"] == payload["id"]
