"""The conversation workflow through the real protocol: status frames, reopening, notes that
never reach a visitor, bad changes that change nothing, availability and round robin."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from parlor.base.db import in_schema
from parlor.base.errors import NotFound, ValidationFailed
from parlor.base.identity import PrincipalKind
from parlor.chat import selectors
from parlor.chat.assignment import auto_assign_set
from parlor.chat.models import ConversationEvent, Room, RoomKind
from parlor.chat.tasks import snoozed_wake
from parlor.chat.tests.support import EPHEMERAL, ChatClient, principal_for, unique
from parlor.chat.workflow import Actor, conversation_note_add, conversation_update
from parlor.webhooks.enqueue import QUEUE
from parlor.webhooks.models import WebhookEndpoint, WebhookEvent
from parlor.webhooks.services import webhook_endpoint_create

pytestmark = pytest.mark.usefixtures("live_db")

# What a visitor's socket may see besides what a test waits for: never `conversation.event`.
VISITOR_SKIP = ("presence", "typing", "read", "availability")


@pytest.fixture
def clean_outbox(live_db, tenant_alpha):
    yield
    with schema_context(tenant_alpha.tenant.schema_name):
        WebhookEvent.objects.all().delete()
        WebhookEndpoint.objects.all().delete()
        Room.objects.filter(kind=RoomKind.CONVERSATION, assignee__isnull=False).update(
            assignee=None
        )
    auto_assign_off(tenant_alpha)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM public.procrastinate_jobs WHERE queue_name = %s", [QUEUE])
    connection.set_schema_to_public()


def auto_assign_off(created) -> None:
    with schema_context(created.tenant.schema_name):
        auto_assign_set(enabled=False)


def staff_user(created, name: str = "Dana", *, active: bool = True) -> int:
    with schema_context(created.tenant.schema_name):
        user = get_user_model().objects.create(
            username=f"zz-wf-{uuid.uuid4().hex[:10]}",
            first_name=name,
            is_staff=True,
            is_active=active,
        )
        return user.pk


def room_state(created, room_id: str) -> tuple:
    with schema_context(created.tenant.schema_name):
        room = Room.objects.get(id=room_id)
        events = list(
            ConversationEvent.objects.filter(room_id=room_id)
            .order_by("id")
            .values_list("kind", "actor", "detail")
        )
        return room.status, room.assignee, room.snoozed_until, events


def updated_events(created) -> list[dict]:
    with schema_context(created.tenant.schema_name):
        rows = WebhookEvent.objects.filter(type="conversation.updated").order_by("created_at")
        return [event.payload for event in rows]


async def conversation_with_visitor(created) -> tuple[ChatClient, str]:
    visitor = await ChatClient(principal_for(created, PrincipalKind.VISITOR, name="Ada")).connect()
    room = visitor.hello["conversation"]
    await visitor.join(room)
    await visitor.say(room, "I need help")
    await visitor.expect("message")  # its own, as every member gets it
    return visitor, room


async def test_resolve_reaches_the_room_as_the_pinned_frame_and_a_visitor_reopens_it(
    tenant_alpha, clean_outbox
):
    schema = tenant_alpha.tenant.schema_name
    await in_schema(
        schema,
        webhook_endpoint_create,
        url="https://hooks.example/in",
        events=["conversation.updated"],
    )
    dana = await in_schema(schema, staff_user, tenant_alpha)
    visitor, room = await conversation_with_visitor(tenant_alpha)
    agent = await ChatClient(principal_for(tenant_alpha, PrincipalKind.AGENT)).connect()
    try:
        await in_schema(
            schema,
            conversation_update,
            tenant=tenant_alpha.tenant,
            room_id=room,
            actor=Actor(name="Dana", user_id=dana),
            status="resolved",
        )
        frame = await visitor.expect("conversation", skip=(*VISITOR_SKIP, "message"))
        assert frame == {"type": "conversation", "room": room, "status": "resolved"}
        event = (await agent.expect("conversation.event", skip=("availability", "inbox")))["event"]
        assert (event["kind"], event["text"]) == ("status_changed", "Dana resolved this")
        assert event["detail"] == {"from": "open", "to": "resolved"}

        await visitor.say(room, "one more thing")
        frame = await visitor.expect("conversation", skip=(*VISITOR_SKIP, "message"))
        assert frame == {"type": "conversation", "room": room, "status": "open"}
        reopened = await agent.expect("conversation.event", skip=("availability", "inbox"))
        assert reopened["event"]["text"] == "Ada reopened this"
        status, _, _, events = await in_schema(schema, room_state, tenant_alpha, room)
        assert status == "open"
        assert [(kind, detail) for kind, _, detail in events] == [
            ("created", {}),
            ("status_changed", {"from": "open", "to": "resolved"}),
            ("status_changed", {"from": "resolved", "to": "open"}),
        ]
        hooks = await in_schema(schema, updated_events, tenant_alpha)
        assert [hook["data"]["conversation"]["status"] for hook in hooks] == ["resolved", "open"]
        assert hooks[0]["data"]["changes"] == {"status": {"from": "open", "to": "resolved"}}
        assert hooks[1]["data"]["changes"] == {"status": {"from": "resolved", "to": "open"}}
        assert hooks[1]["seq"] == 2 and hooks[1]["room"] == room
        assert hooks[1]["data"]["conversation"].keys() == hooks[0]["data"]["conversation"].keys()
    finally:
        await visitor.close()
        await agent.close()


async def test_an_agents_message_does_not_reopen_and_a_pending_one_stays(tenant_alpha):
    schema = tenant_alpha.tenant.schema_name
    visitor, room = await conversation_with_visitor(tenant_alpha)
    agent = await ChatClient(principal_for(tenant_alpha, PrincipalKind.AGENT)).connect()
    try:
        await agent.join(room)
        for status in ("resolved", "pending"):
            await in_schema(
                schema,
                conversation_update,
                tenant=tenant_alpha.tenant,
                room_id=room,
                actor=Actor(name="Dana"),
                status=status,
            )
            await agent.send(
                type="send", room=room, body=f"note {status}", client_msg_id=unique("m")
            )
            await agent.expect("ack", skip=(*EPHEMERAL, "message", "conversation"))
            assert (await in_schema(schema, room_state, tenant_alpha, room))[0] == status
        await visitor.send(type="send", room=room, body="still?", client_msg_id=unique("m"))
        await visitor.expect("ack", skip=(*VISITOR_SKIP, "message", "conversation"))
        assert (await in_schema(schema, room_state, tenant_alpha, room))[0] == "pending"
    finally:
        await visitor.close()
        await agent.close()


async def test_an_internal_note_never_reaches_the_visitor_by_socket_or_history(tenant_alpha):
    schema = tenant_alpha.tenant.schema_name
    visitor, room = await conversation_with_visitor(tenant_alpha)
    agent = await ChatClient(principal_for(tenant_alpha, PrincipalKind.AGENT)).connect()
    secret = f"<b>refund {unique('n')}</b>"
    try:
        await agent.join(room)
        await in_schema(
            schema,
            conversation_note_add,
            tenant=tenant_alpha.tenant,
            room_id=room,
            actor=Actor(name="Dana"),
            body=secret,
        )
        note = await agent.expect("conversation.event", skip=("availability", "inbox"))
        assert (note["event"]["kind"], note["event"]["detail"]) == ("note", {"body": secret})
        await visitor.nothing(timeout=0.5, skip=VISITOR_SKIP)
        await visitor.send(type="history", room=room, id="h")
        history = await visitor.expect("history", skip=VISITOR_SKIP)
        assert secret not in str(history)
        again = await ChatClient(visitor.principal).connect()
        try:
            assert secret not in str(await again.join(room))
        finally:
            await again.close()
        page = await in_schema(schema, selectors.message_list, room_id=room, limit=100)
        assert all(secret not in message.body for message in page.messages)
        assert all(secret not in str(frame) for frame in visitor.seen)
    finally:
        await visitor.close()
        await agent.close()


def test_bad_changes_change_nothing(tenant_alpha, tenant_bravo, clean_outbox):
    schema = tenant_alpha.tenant.schema_name
    room = unique("c-v")
    with schema_context(schema):
        Room.objects.create(id=room, kind=RoomKind.CONVERSATION)
        alpha_max = get_user_model().objects.order_by("-pk").values_list("pk", flat=True).first()
    inactive = staff_user(tenant_alpha, "Gone", active=False)
    # Another tenant's staff member, by an id that names nobody in alpha's schema.
    stranger = staff_user(tenant_bravo, "Bruno")
    while stranger <= max(alpha_max or 0, inactive):
        stranger = staff_user(tenant_bravo, "Bruno")
    before = room_state(tenant_alpha, room)
    dana = Actor(name="Dana")
    cases = [
        (
            {"status": "snoozed", "snoozed_until": timezone.now() - timedelta(minutes=1)},
            "snooze_in_past",
        ),
        ({"snoozed_until": timezone.now() - timedelta(seconds=1)}, "snooze_in_past"),
        ({"status": "snoozed"}, "snooze_time_missing"),
        ({"status": "closed"}, "invalid_status"),
        ({"assignee": inactive}, "assignee_inactive"),
        ({"assignee": stranger}, "assignee_unknown"),
        ({"status": "resolved", "assignee": stranger}, "assignee_unknown"),
    ]
    for changes, code in cases:
        with pytest.raises(ValidationFailed) as raised:
            conversation_update(tenant=tenant_alpha.tenant, room_id=room, actor=dana, **changes)
        assert raised.value.code == code
        assert room_state(tenant_alpha, room) == before
    channel = unique("chan")
    with schema_context(schema):
        Room.objects.create(id=channel, kind=RoomKind.CHANNEL)
    for room_id in (channel, "no-such-room", "bad id!"):
        with pytest.raises(NotFound):
            conversation_update(
                tenant=tenant_alpha.tenant, room_id=room_id, actor=dana, status="resolved"
            )
    with pytest.raises(NotFound):
        conversation_update(tenant=tenant_bravo.tenant, room_id=room, actor=dana, status="resolved")
    assert room_state(tenant_alpha, room) == before


def test_snooze_assign_and_unassign_are_stored_events(tenant_alpha, clean_outbox):
    room = unique("c-v")
    with schema_context(tenant_alpha.tenant.schema_name):
        Room.objects.create(id=room, kind=RoomKind.CONVERSATION)
    dana = staff_user(tenant_alpha, "Dana")
    until_at = timezone.now() + timedelta(hours=2)
    actor = Actor(name="Dana", user_id=dana)
    conversation_update(
        tenant=tenant_alpha.tenant, room_id=room, actor=actor, snoozed_until=until_at
    )
    conversation_update(tenant=tenant_alpha.tenant, room_id=room, actor=actor, assignee=dana)
    conversation_update(tenant=tenant_alpha.tenant, room_id=room, actor=actor, assignee=dana)
    conversation_update(tenant=tenant_alpha.tenant, room_id=room, actor=actor, assignee=None)
    status, assignee, snoozed, events = room_state(tenant_alpha, room)
    assert (status, assignee, snoozed) == ("snoozed", None, until_at)
    assert [(kind, detail.get("to")) for kind, _, detail in events] == [
        ("status_changed", "snoozed"),
        ("assigned", dana),
        ("assigned", None),
    ]


async def test_availability_reaches_visitors_and_drops_with_the_last_socket(tenant_alpha):
    schema = tenant_alpha.tenant.schema_name
    dana = await in_schema(schema, staff_user, tenant_alpha)
    visitor = await ChatClient(principal_for(tenant_alpha, PrincipalKind.VISITOR)).connect()
    staff = principal_for(tenant_alpha, PrincipalKind.AGENT, f"staff-{dana}", name="Dana")
    assert visitor.hello["agents_available"] is False
    first = await ChatClient(staff).connect()
    second = await ChatClient(staff).connect()
    try:
        assert first.hello["agents_available"] is True
        assert (await visitor.expect("availability", skip=()))["available"] is True
        await first.send(type="availability", status="away", id="a")
        answer = await first.expect("availability", skip=())
        while "re" not in answer:  # the tenant-wide announcement may come first
            answer = await first.expect("availability", skip=())
        assert (answer["re"], answer["status"], answer["available"]) == ("a", "away", False)
        assert (await visitor.expect("availability", skip=()))["available"] is False
        await second.send(type="availability", status="online")
        assert (await visitor.expect("availability", skip=()))["available"] is True
        await first.close()
        await visitor.nothing(timeout=0.3, skip=())  # one tab closed: still online
        await second.close()
        assert (await visitor.expect("availability", skip=()))["available"] is False
        stranger = await ChatClient(principal_for(tenant_alpha, PrincipalKind.VISITOR)).connect()
        await stranger.send(type="availability", status="online")
        assert (await stranger.expect("error"))["code"] == "forbidden"
        await stranger.close()
    finally:
        await visitor.close()
        await first.close()
        await second.close()


async def test_round_robin_assigns_new_conversations_among_available_agents(
    tenant_alpha, clean_outbox
):
    schema = tenant_alpha.tenant.schema_name
    ids = [await in_schema(schema, staff_user, tenant_alpha, name) for name in ("Ann", "Ben")]
    await in_schema(schema, auto_assign_set, enabled=True)
    agents = [
        await ChatClient(principal_for(tenant_alpha, PrincipalKind.AGENT, f"staff-{pk}")).connect()
        for pk in ids
    ]
    visitors = []
    try:
        assigned = []
        for _ in range(4):
            visitor, room = await conversation_with_visitor(tenant_alpha)
            visitors.append(visitor)
            assignee = None
            deadline = asyncio.get_running_loop().time() + 5
            while assignee is None:
                assert asyncio.get_running_loop().time() < deadline, "never assigned"
                await asyncio.sleep(0.02)
                assignee = (await in_schema(schema, room_state, tenant_alpha, room))[1]
            assigned.append(assignee)
        assert sorted(assigned[:2]) == sorted(ids)
        assert assigned[2:] == assigned[:2]
    finally:
        for client in (*agents, *visitors):
            await client.close()


def test_a_snoozed_conversation_wakes_up_when_its_time_comes(tenant_alpha, clean_outbox):
    due, later = unique("c-v"), unique("c-v")
    with schema_context(tenant_alpha.tenant.schema_name):
        now = timezone.now()
        Room.objects.create(id=due, kind=RoomKind.CONVERSATION, status="snoozed", snoozed_until=now)
        Room.objects.create(
            id=later,
            kind=RoomKind.CONVERSATION,
            status="snoozed",
            snoozed_until=now + timedelta(hours=1),
        )
    assert snoozed_wake(tenant_alpha.tenant) >= 1
    status, _, until_at, events = room_state(tenant_alpha, due)
    assert (status, until_at) == ("open", None)
    assert events == [("status_changed", "Snooze", {"from": "snoozed", "to": "open"})]
    assert room_state(tenant_alpha, later)[0] == "snoozed"
