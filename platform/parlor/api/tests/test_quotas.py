"""Quotas through the real API: token mints (429) and webhook endpoints (422); bravo unaffected."""

from __future__ import annotations

import json
import uuid

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from parlor.api.tests.helpers import assert_problem, post
from parlor.testing.tenants import quotas_overridden
from parlor.webhooks.models import WebhookEndpoint
from tenants.models import QuotaRefusal
from tenants.quota_refusals import quota_refusals_flush

pytestmark = pytest.mark.usefixtures("live_db")


@pytest.fixture(autouse=True)
def fresh_buckets(settings):
    """Buckets of this test alone: Redis outlives a test run, and tenant ids repeat."""
    settings.PARLOR = {**settings.PARLOR, "THROTTLE_PREFIX": f"test:{uuid.uuid4().hex}"}


@pytest.fixture(autouse=True)
def no_endpoints_left(live_db, tenant_alpha, tenant_bravo):
    yield
    for created in (tenant_alpha, tenant_bravo):
        with schema_context(created.tenant.schema_name):
            WebhookEndpoint.objects.all().delete()


def refused(created, quota: str) -> int:
    quota_refusals_flush()
    row = QuotaRefusal.objects.filter(
        tenant_id=created.tenant.id, day=timezone.now().date(), quota=quota
    ).first()
    return row.count if row else 0


def mint(created):
    body = {"user_id": "u-1", "name": "U"}
    return post(Client(), "/api/v1/tokens", body, secret_key=created.secret_key)


def endpoint_add(created, number: int):
    body = json.dumps({"url": f"https://hooks.example/{number}", "events": ["message.created"]})
    return Client().post(
        "/api/v1/webhooks",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {created.secret_key}",
    )


def test_token_mints_over_the_plans_minute_get_429_quota_exceeded(tenant_alpha, tenant_bravo):
    before = refused(tenant_alpha, "tokens_per_minute")
    with quotas_overridden(tenant_alpha, tokens_per_minute=3):
        assert [mint(tenant_alpha).status_code for _ in range(3)] == [201] * 3
        problem = assert_problem(mint(tenant_alpha), 429, "quota_exceeded")
        assert "token mints" in problem["detail"]
        assert int(mint(tenant_alpha)["Retry-After"]) >= 1
        assert [mint(tenant_bravo).status_code for _ in range(5)] == [201] * 5
    assert refused(tenant_alpha, "tokens_per_minute") == before + 2
    assert refused(tenant_bravo, "tokens_per_minute") == 0


def test_a_raised_quota_applies_at_once(tenant_alpha):
    with quotas_overridden(tenant_alpha, tokens_per_minute=1):
        assert mint(tenant_alpha).status_code == 201
        assert mint(tenant_alpha).status_code == 429
    with quotas_overridden(tenant_alpha, tokens_per_minute=2):
        assert mint(tenant_alpha).status_code == 201


def test_webhook_endpoints_over_the_plan_get_422_quota_exceeded(tenant_alpha, tenant_bravo):
    before = refused(tenant_alpha, "webhook_endpoints")
    with quotas_overridden(tenant_alpha, webhook_endpoints=2):
        assert [endpoint_add(tenant_alpha, n).status_code for n in range(2)] == [201, 201]
        problem = assert_problem(endpoint_add(tenant_alpha, 3), 422, "quota_exceeded")
        assert "2 webhook endpoints" in problem["detail"]
        assert [endpoint_add(tenant_bravo, n).status_code for n in range(3)] == [201] * 3
    with schema_context(tenant_alpha.tenant.schema_name):
        assert WebhookEndpoint.objects.count() == 2
    assert refused(tenant_alpha, "webhook_endpoints") == before + 1
