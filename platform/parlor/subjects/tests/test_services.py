"""Erasure leaves no row naming the subject in the tenant's schema; retention drops old ones."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from parlor.base.conversations import conversation_room_id
from parlor.base.identity import Principal, PrincipalKind, TenantRef
from parlor.chat import services as chat
from parlor.chat.models import Message, Room, RoomKind
from parlor.subjects.models import ErasureRecord
from parlor.subjects.records import Subject
from parlor.subjects.services import retention_apply, retention_set, subject_erase
from parlor.subjects.tasks import retention_tenant
from parlor.visitors.context import PageIdentity, VisitorContext
from parlor.visitors.models import VisitorProfile
from parlor.visitors.services import visitor_profile_record
from parlor.webhooks.models import WebhookEndpoint, WebhookEvent
from parlor.webhooks.services import webhook_endpoint_create

pytestmark = pytest.mark.usefixtures("live_db")


@pytest.fixture(autouse=True)
def clean(live_db, tenant_alpha):
    yield
    with schema_context(tenant_alpha.tenant.schema_name):
        WebhookEvent.objects.all().delete()
        WebhookEndpoint.objects.all().delete()
        retention_set(days=None)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM public.procrastinate_jobs WHERE queue_name = 'webhooks'")


def principal(created, kind: PrincipalKind, subject: str, name: str = "Erin") -> Principal:
    tenant = created.tenant
    return Principal(
        kind=kind,
        subject=subject,
        name=name,
        tenant=TenantRef(id=tenant.id, slug=tenant.slug, schema_name=tenant.schema_name),
        token_id="t",
        issued_at=0,
        expires_at=0,
        rooms=("*",),
    )


def say(sender: Principal, room_id: str, body: str) -> None:
    chat.message_send(room_id=room_id, sender=sender, body=body, client_msg_id=uuid.uuid4().hex)


def rows_naming(schema: str, needle: str) -> list[str]:
    """Return `table.column` of every row in `schema` whose text mentions `needle`."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = %s",
            [schema],
        )
        columns = cursor.fetchall()
        found = []
        for table, column in columns:
            cursor.execute(
                f'SELECT count(*) FROM "{schema}"."{table}" WHERE "{column}"::text LIKE %s',
                [f"%{needle}%"],
            )
            if cursor.fetchone()[0]:
                found.append(f"{table}.{column}")
        return found


def test_erasure_leaves_no_row_naming_the_subject_in_any_table(tenant_alpha):
    schema = tenant_alpha.tenant.schema_name
    subject_id = f"erase-{uuid.uuid4().hex}"
    user = Principal(
        **{
            **principal(tenant_alpha, PrincipalKind.USER, subject_id).__dict__,
            "name": f"Name {subject_id}",
            "email": f"{subject_id}@alpha.example",
            "attributes": (("crm_id", subject_id),),
        }
    )
    agent = principal(tenant_alpha, PrincipalKind.AGENT, "agent-1", name="Ada")
    conversation = conversation_room_id(kind=PrincipalKind.USER, subject=subject_id)
    channel = f"erase-channel-{uuid.uuid4().hex[:8]}"
    with schema_context(schema):
        webhook_endpoint_create(
            url="https://hooks.example/in",
            events=["message.created", "conversation.created", "visitor.identified"],
        )
        visitor_profile_record(
            principal=user,
            context=VisitorContext(page_url=f"https://shop.alpha.example/{subject_id}"),
            identity=PageIdentity(name="Ignored"),
        )
        Room.objects.create(id=channel, kind=RoomKind.CHANNEL)
        say(user, conversation, f"my secret {subject_id}")
        say(agent, conversation, "an agent's reply")
        say(user, channel, "in a shared channel")
        say(agent, channel, "someone else's message stays")
        chat.read_mark(room_id=channel, principal=user, seq=2)
    assert len(rows_naming(schema, subject_id)) >= 5  # the check can see them
    with schema_context(schema):
        assert VisitorProfile.objects.filter(subject=subject_id).exists()
        assert WebhookEvent.objects.filter(type="visitor.identified").exists()

    with schema_context(schema):
        removed = subject_erase(tenant=tenant_alpha.tenant, subject=Subject("user", subject_id))
        assert Message.objects.filter(room_id=channel).count() == 1
        assert ErasureRecord.objects.filter(action="subject_erased").exists()

    assert rows_naming(schema, subject_id) == []
    assert rows_naming(schema, conversation) == []
    assert removed["messages"] == 3 and removed["conversations"] == 1 and removed["profile"] == 1


def test_retention_deletes_only_conversations_inactive_for_longer(tenant_alpha):
    schema = tenant_alpha.tenant.schema_name
    old, recent = (f"ret-{uuid.uuid4().hex}" for _ in range(2))
    with schema_context(schema):
        for subject in (old, recent):
            say(
                principal(tenant_alpha, PrincipalKind.USER, subject),
                conversation_room_id(kind=PrincipalKind.USER, subject=subject),
                "hi",
            )
        old_room = conversation_room_id(kind=PrincipalKind.USER, subject=old)
        Message.objects.filter(room_id=old_room).update(sent_at=timezone.now() - timedelta(days=40))
        Room.objects.filter(id=old_room).update(created_at=timezone.now() - timedelta(days=40))
        retention_set(days=30)
    assert retention_tenant(schema) >= 1
    with schema_context(schema):
        assert not Room.objects.filter(id=old_room).exists()
        assert Room.objects.filter(
            id=conversation_room_id(kind=PrincipalKind.USER, subject=recent)
        ).exists()
        assert retention_apply(days=30) == 0
