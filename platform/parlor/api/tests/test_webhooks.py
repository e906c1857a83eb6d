"""`/api/v1/webhooks`: registration, secrets shown once, bad input refused, tenants kept apart."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone
from django_tenants.utils import schema_context

from parlor.api.tests.helpers import assert_problem
from parlor.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent

pytestmark = pytest.mark.usefixtures("live_db")


@pytest.fixture(autouse=True)
def clean(live_db, tenant_alpha, tenant_bravo):
    yield
    for created in (tenant_alpha, tenant_bravo):
        with schema_context(created.tenant.schema_name):
            WebhookEvent.objects.all().delete()
            WebhookEndpoint.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM public.procrastinate_jobs WHERE queue_name = 'webhooks'")


def call(created, method: str, path: str, body=None):
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {created.secret_key}"}
    if method == "GET":
        return client.get(path, **headers)
    data = json.dumps(body) if body is not None else ""
    return client.generic(method, path, data, content_type="application/json", **headers)


def register(created, url="https://hooks.example/in", events=("message.created",)):
    response = call(created, "POST", "/api/v1/webhooks", {"url": url, "events": list(events)})
    assert response.status_code == 201, response.content
    return response.json()


def stored(created) -> int:
    with schema_context(created.tenant.schema_name):
        return WebhookEndpoint.objects.count()


def test_an_endpoint_is_registered_with_a_secret_shown_once(tenant_alpha):
    created = register(tenant_alpha, events=["message.created", "conversation.created"])
    assert created["secret"].startswith("whsec_")
    assert created["events"] == ["conversation.created", "message.created"]
    listed = call(tenant_alpha, "GET", "/api/v1/webhooks").json()["webhooks"]
    assert [endpoint["id"] for endpoint in listed] == [created["id"]]
    assert "secret" not in listed[0] and created["secret"] not in json.dumps(listed)


def test_rotation_replaces_the_secret_and_delete_removes_the_endpoint(tenant_alpha):
    created = register(tenant_alpha)
    rotated = call(tenant_alpha, "POST", f"/api/v1/webhooks/{created['id']}/rotate-secret").json()
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != created["secret"]
    assert call(tenant_alpha, "DELETE", f"/api/v1/webhooks/{created['id']}").status_code == 204
    assert stored(tenant_alpha) == 0
    missing = call(tenant_alpha, "DELETE", f"/api/v1/webhooks/{created['id']}")
    assert_problem(missing, 404, "webhook_not_found")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"url": "not a url", "events": ["message.created"]}, "url_refused"),
        ({"url": "javascript:alert(1)", "events": ["message.created"]}, "url_refused"),
        ({"url": "file:///etc/passwd", "events": ["message.created"]}, "url_refused"),
        ({"url": "https://hooks.example/in", "events": ["message.deleted"]}, "unknown_event"),
        ({"url": "https://hooks.example/in", "events": []}, "invalid_events"),
        ({"url": "https://hooks.example/in"}, "invalid_field"),
        ({"url": 5, "events": ["message.created"]}, "invalid_field"),
        ({"url": "https://a.example", "events": ["message.created"], "x": 1}, "unknown_field"),
    ],
)
def test_bad_registrations_are_422_problems_and_store_nothing(tenant_alpha, body, code):
    response = call(tenant_alpha, "POST", "/api/v1/webhooks", body)
    assert_problem(response, 422, code)
    assert stored(tenant_alpha) == 0


def test_private_addresses_are_refused_under_production_settings(tenant_alpha):
    with override_settings(PARLOR={"OUTBOUND_ALLOW_LOOPBACK": False}):
        for url in (
            "http://127.0.0.1:9/in",
            "https://10.0.0.1/in",
            "https://169.254.169.254/",
            "https://[::1]/in",
        ):
            body = {"url": url, "events": ["message.created"]}
            response = call(tenant_alpha, "POST", "/api/v1/webhooks", body)
            assert_problem(response, 422, "url_refused")
    assert stored(tenant_alpha) == 0


def test_more_than_twenty_endpoints_are_refused(tenant_alpha):
    for number in range(20):
        register(tenant_alpha, url=f"https://hooks.example/{number}")
    body = {"url": "https://hooks.example/21", "events": ["message.created"]}
    assert_problem(call(tenant_alpha, "POST", "/api/v1/webhooks", body), 422, "too_many_webhooks")
    assert stored(tenant_alpha) == 20


def test_a_tenant_can_neither_see_nor_touch_another_tenants_webhooks(tenant_alpha, tenant_bravo):
    bravo = register(tenant_bravo)
    with schema_context(tenant_bravo.tenant.schema_name):
        event = WebhookEvent.objects.create(
            id="evt_bravo", type="message.created", payload={}, created_at=timezone.now()
        )
        delivery = WebhookDelivery.objects.create(
            event=event, endpoint_id=bravo["id"], created_at=timezone.now()
        )
    assert call(tenant_alpha, "GET", "/api/v1/webhooks").json() == {"webhooks": []}
    for method, path in [
        ("DELETE", f"/api/v1/webhooks/{bravo['id']}"),
        ("POST", f"/api/v1/webhooks/{bravo['id']}/rotate-secret"),
        ("GET", f"/api/v1/webhooks/{bravo['id']}/deliveries"),
        ("POST", f"/api/v1/webhooks/{bravo['id']}/deliveries/{delivery.id}/redeliver"),
    ]:
        assert_problem(call(tenant_alpha, method, path), 404, "webhook_not_found")
    listed = call(tenant_bravo, "GET", "/api/v1/webhooks").json()["webhooks"]
    assert [endpoint["id"] for endpoint in listed] == [bravo["id"]]
    with schema_context(tenant_bravo.tenant.schema_name):
        assert WebhookEndpoint.objects.get().secret == bravo["secret"]
        assert WebhookDelivery.objects.count() == 1


def test_deliveries_are_listed_and_redelivered_with_the_same_event(tenant_alpha):
    created = register(tenant_alpha)
    with schema_context(tenant_alpha.tenant.schema_name):
        event = WebhookEvent.objects.create(
            id="evt_alpha", type="message.created", payload={}, created_at=timezone.now()
        )
        first = WebhookDelivery.objects.create(
            event=event, endpoint_id=created["id"], created_at=timezone.now(), status="failed"
        )
    path = f"/api/v1/webhooks/{created['id']}/deliveries"
    again = call(tenant_alpha, "POST", f"{path}/{first.id}/redeliver")
    assert again.status_code == 202 and again.json()["event_id"] == "evt_alpha"
    listed = call(tenant_alpha, "GET", path).json()["deliveries"]
    assert [(d["event_id"], d["status"]) for d in listed] == [
        ("evt_alpha", "pending"),
        ("evt_alpha", "failed"),
    ]


def test_schema_checked_bodies_are_still_read_by_the_api_parser(tenant_alpha):
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {tenant_alpha.secret_key}"}
    as_text = client.post("/api/v1/webhooks", "{}", content_type="text/plain", **headers)
    assert_problem(as_text, 415, "unsupported_media_type")
    broken = client.post("/api/v1/webhooks", "{", content_type="application/json", **headers)
    assert_problem(broken, 400, "bad_json")
    huge = json.dumps({"url": "https://a.example/" + "x" * 20000, "events": ["message.created"]})
    too_big = client.post("/api/v1/webhooks", huge, content_type="application/json", **headers)
    assert_problem(too_big, 413, "payload_too_large")
    unauthenticated = Client().get("/api/v1/webhooks")
    assert_problem(unauthenticated, 401, "unauthenticated")
    wrong_method = call(tenant_alpha, "PUT", "/api/v1/webhooks", {})
    assert_problem(wrong_method, 405, "method_not_allowed")
    assert wrong_method["Allow"] == "GET, POST"
    assert stored(tenant_alpha) == 0


def test_a_body_over_djangos_own_limit_is_413_not_500(tenant_alpha, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    # Under parlor.api.parsing's 16 KiB, over Django's limit: read by Django before our parser.
    body = json.dumps({"url": "https://a.example/" + "x" * 5000, "events": ["message.created"]})
    response = Client().post(
        "/api/v1/webhooks",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {tenant_alpha.secret_key}",
    )
    assert_problem(response, 413, "payload_too_large")
