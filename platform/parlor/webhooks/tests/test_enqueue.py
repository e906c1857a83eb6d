"""The outbox: an event and its jobs exist exactly when the cause committed."""

from __future__ import annotations

import dataclasses

import psycopg
import pytest
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from parlor.chat import services
from parlor.testing.database import database_url_for_tests
from parlor.webhooks.enqueue import EventToSend, webhook_event_enqueue_sql
from parlor.webhooks.models import WebhookDelivery, WebhookEvent
from parlor.webhooks.services import webhook_endpoint_create
from parlor.webhooks.tests.conftest import agent, channel_create, unique, webhook_jobs

pytestmark = pytest.mark.usefixtures("clean_webhooks")


class Rollback(Exception):
    pass


def send(created, room_id: str) -> None:
    services.message_send(
        room_id=room_id, sender=agent(created), body="hello", client_msg_id=unique("m")
    )


def test_a_send_with_a_subscribed_endpoint_writes_the_event_its_delivery_and_its_job(
    tenant_alpha,
):
    room_id = channel_create(tenant_alpha)
    schema = tenant_alpha.tenant.schema_name
    with schema_context(schema):
        endpoint = webhook_endpoint_create(
            url="https://hooks.example/in", events=["message.created"]
        )
        send(tenant_alpha, room_id)
        event = WebhookEvent.objects.get()
        delivery = WebhookDelivery.objects.get()
    assert event.type == "message.created"
    assert event.payload["tenant"] == "alpha" and event.payload["room"] == room_id
    assert event.payload["seq"] == 1 and event.payload["id"] == event.id
    assert event.payload["data"]["message"]["body"] == "hello"
    assert delivery.endpoint_id == endpoint.id and delivery.status == "pending"
    assert webhook_jobs() == [("todo", {"schema_name": schema, "delivery_id": delivery.id})]


def test_a_rolled_back_send_enqueues_nothing(tenant_alpha):
    room_id = channel_create(tenant_alpha)
    with schema_context(tenant_alpha.tenant.schema_name):
        webhook_endpoint_create(url="https://hooks.example/in", events=["message.created"])
        with pytest.raises(Rollback), transaction.atomic():
            send(tenant_alpha, room_id)
            assert WebhookEvent.objects.count() == 1  # written, inside the transaction
            raise Rollback
        assert WebhookEvent.objects.count() == 0
        assert WebhookDelivery.objects.count() == 0
    assert webhook_jobs() == []


def test_nothing_is_written_when_no_endpoint_subscribes(tenant_alpha, tenant_bravo):
    room_id = channel_create(tenant_alpha)
    with schema_context(tenant_alpha.tenant.schema_name):
        webhook_endpoint_create(url="https://hooks.example/in", events=["conversation.created"])
    with schema_context(tenant_bravo.tenant.schema_name):
        # Another tenant's endpoint for the very type: not alpha's.
        webhook_endpoint_create(url="https://hooks.example/in", events=["message.created"])
    with schema_context(tenant_alpha.tenant.schema_name):
        send(tenant_alpha, room_id)
        assert WebhookEvent.objects.count() == 0
    with schema_context(tenant_bravo.tenant.schema_name):
        assert WebhookEvent.objects.count() == 0
    assert webhook_jobs() == []


@pytest.mark.parametrize("commit", [True, False])
def test_the_statement_enqueues_from_a_raw_psycopg_transaction_only_if_it_commits(
    tenant_alpha, commit
):
    schema = tenant_alpha.tenant.schema_name
    with schema_context(schema):
        webhook_endpoint_create(url="https://hooks.example/in", events=["message.created"])
    event = EventToSend(
        type="message.created", tenant="alpha", room="r", seq=7, data={}, at=timezone.now()
    )
    statement, params = webhook_event_enqueue_sql(schema_name=schema, event=event)
    # A connection of its own, with the default search_path, as the async message store has.
    with (
        psycopg.connect(database_url_for_tests()) as raw,
        raw.transaction(force_rollback=not commit),
    ):
        raw.execute(statement, params)
    with schema_context(schema):
        assert WebhookEvent.objects.filter(room="r").count() == (1 if commit else 0)
    assert len(webhook_jobs()) == (1 if commit else 0)


def test_a_conversations_first_message_also_announces_the_conversation(tenant_alpha):
    from parlor.base.conversations import conversation_room_id
    from parlor.base.identity import PrincipalKind

    schema = tenant_alpha.tenant.schema_name
    visitor = dataclasses.replace(agent(tenant_alpha), kind=PrincipalKind.VISITOR, rooms=())
    room_id = conversation_room_id(kind=PrincipalKind.VISITOR, subject=visitor.subject)
    with schema_context(schema):
        webhook_endpoint_create(
            url="https://hooks.example/in", events=["conversation.created", "message.created"]
        )
        for number in range(2):
            services.message_send(
                room_id=room_id, sender=visitor, body=f"m{number}", client_msg_id=unique("m")
            )
        events = list(
            WebhookEvent.objects.order_by("created_at").values_list("type", "payload__seq")
        )
        owner = WebhookEvent.objects.get(type="conversation.created").payload["data"]
    assert events == [("conversation.created", 0), ("message.created", 1), ("message.created", 2)]
    assert owner == {
        "conversation": {"id": room_id, "owner": {"kind": "visitor", "id": visitor.subject}}
    }
