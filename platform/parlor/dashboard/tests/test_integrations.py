"""Dashboard pages for webhooks (deliveries, redeliver, disabled endpoints) and personal data."""

from __future__ import annotations

import json
import uuid

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from parlor.base.conversations import conversation_room_id
from parlor.base.identity import Principal, PrincipalKind, TenantRef
from parlor.chat import services as chat
from parlor.chat.models import Room
from parlor.dashboard.tests.conftest import login
from parlor.subjects.services import retention_set
from parlor.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent


@pytest.fixture(autouse=True)
def clean(live_db, tenant_alpha, tenant_bravo):
    yield
    for created in (tenant_alpha, tenant_bravo):
        with schema_context(created.tenant.schema_name):
            WebhookEvent.objects.all().delete()
            WebhookEndpoint.objects.all().delete()
            retention_set(days=None)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM public.procrastinate_jobs WHERE queue_name = 'webhooks'")
    connection.set_schema_to_public()


def delivery_of(created, *, disabled: bool = False) -> WebhookDelivery:
    with schema_context(created.tenant.schema_name):
        endpoint = WebhookEndpoint.objects.create(
            id=f"ep_{uuid.uuid4().hex[:12]}",
            url="https://hooks.example/in",
            events=["message.created"],
            secret="whsec_c2VjcmV0",
            disabled_at=timezone.now() if disabled else None,
        )
        event = WebhookEvent.objects.create(
            id=f"evt_{uuid.uuid4().hex[:12]}",
            type="message.created",
            payload={},
            created_at=timezone.now(),
        )
        return WebhookDelivery.objects.create(
            event=event, endpoint=endpoint, created_at=timezone.now(), status="failed"
        )


def test_the_webhooks_page_lists_deliveries_says_what_is_disabled_and_redelivers(
    alpha_staff, tenant_alpha
):
    delivery = delivery_of(tenant_alpha, disabled=True)
    client = login(alpha_staff)
    page = client.get("/dashboard/webhooks", HTTP_HOST=alpha_staff.host).content.decode()
    assert delivery.event_id in page and "1 endpoint disabled" in page
    conversations = client.get("/dashboard/", HTTP_HOST=alpha_staff.host).content.decode()
    assert "1 webhook endpoint disabled" in conversations
    path = f"/dashboard/webhooks/{delivery.endpoint_id}/deliveries/{delivery.id}/redeliver"
    assert client.post(path, HTTP_HOST=alpha_staff.host).status_code == 302
    enable = f"/dashboard/webhooks/{delivery.endpoint_id}/enable"
    assert client.post(enable, HTTP_HOST=alpha_staff.host).status_code == 302
    with schema_context(tenant_alpha.tenant.schema_name):
        assert WebhookDelivery.objects.filter(event_id=delivery.event_id).count() == 2
        assert WebhookEndpoint.objects.get().disabled_at is None
    conversations = client.get("/dashboard/", HTTP_HOST=alpha_staff.host).content.decode()
    assert "webhook endpoint disabled" not in conversations


def test_staff_of_one_tenant_cannot_redeliver_anothers(bravo_staff, tenant_alpha):
    delivery = delivery_of(tenant_alpha)
    client = login(bravo_staff)
    path = f"/dashboard/webhooks/{delivery.endpoint_id}/deliveries/{delivery.id}/redeliver"
    assert client.post(path, HTTP_HOST=bravo_staff.host).status_code == 404
    page = client.get("/dashboard/webhooks", HTTP_HOST=bravo_staff.host).content.decode()
    assert delivery.event_id not in page
    with schema_context(tenant_alpha.tenant.schema_name):
        assert WebhookDelivery.objects.count() == 1


def test_personal_data_is_exported_and_erased_from_the_dashboard(alpha_staff, tenant_alpha):
    subject = f"u-{uuid.uuid4().hex[:10]}"
    tenant = tenant_alpha.tenant
    sender = Principal(
        kind=PrincipalKind.USER,
        subject=subject,
        name="Uma",
        tenant=TenantRef(id=tenant.id, slug=tenant.slug, schema_name=tenant.schema_name),
        token_id="t",
        issued_at=0,
        expires_at=0,
    )
    room_id = conversation_room_id(kind=PrincipalKind.USER, subject=subject)
    with schema_context(tenant.schema_name):
        chat.message_send(room_id=room_id, sender=sender, body="my data", client_msg_id="m1")
    client = login(alpha_staff)
    export = client.get(
        "/dashboard/data", {"kind": "user", "id": subject}, HTTP_HOST=alpha_staff.host
    )
    assert json.loads(export.content)["messages"][0]["body"] == "my data"
    erase = client.post(
        "/dashboard/data",
        {"action": "erase", "kind": "user", "id": subject},
        HTTP_HOST=alpha_staff.host,
    )
    assert erase.status_code == 302
    with schema_context(tenant.schema_name):
        assert not Room.objects.filter(id=room_id).exists()
    client.post(
        "/dashboard/data",
        {"action": "retention", "conversation_days": "90"},
        HTTP_HOST=alpha_staff.host,
    )
    assert (
        'value="90"' in client.get("/dashboard/data", HTTP_HOST=alpha_staff.host).content.decode()
    )
