"""Admin actions made with a secret API key land in that tenant's audit log, and no other's."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from parlor.api.tests.test_webhooks import call, clean  # noqa: F401 (the cleanup fixture)
from parlor.audit.models import AuditEntry

pytestmark = pytest.mark.usefixtures("live_db")


def _newest(schema: str, count: int) -> list[tuple[str, str, str]]:
    with schema_context(schema):
        rows = AuditEntry.objects.order_by("-id")[:count]
        return [(row.actor, row.action, row.target) for row in reversed(rows)]


def _count(schema: str) -> int:
    with schema_context(schema):
        return AuditEntry.objects.count()


def test_webhook_and_key_changes_by_api_are_audited_in_the_tenants_schema(
    tenant_alpha, tenant_bravo
):
    bravo_before = _count("bravo")
    created = call(
        tenant_alpha,
        "POST",
        "/api/v1/webhooks",
        {"url": "https://hooks.example/in", "events": ["message.created"]},
    )
    endpoint = created.json()["id"]
    assert (
        call(tenant_alpha, "POST", f"/api/v1/webhooks/{endpoint}/rotate-secret").status_code == 200
    )
    assert call(tenant_alpha, "DELETE", f"/api/v1/webhooks/{endpoint}").status_code == 204
    rotated = call(tenant_alpha, "POST", "/api/v1/keys/rotate", {})
    assert rotated.status_code == 201
    assert _newest("alpha", 4) == [
        ("api-key", "webhook_endpoint.added", endpoint),
        ("api-key", "webhook_endpoint.secret_rotated", endpoint),
        ("api-key", "webhook_endpoint.removed", endpoint),
        ("api-key", "signing_key.rotated", rotated.json()["kid"]),
    ]
    assert _count("bravo") == bravo_before


def test_personal_data_erasure_by_api_is_audited_without_the_subjects_id(tenant_alpha):
    response = call(tenant_alpha, "DELETE", "/api/v1/subjects/visitor/v_private_subject_42")
    assert response.status_code == 200
    with schema_context("alpha"):
        entry = AuditEntry.objects.order_by("-id").first()
    assert (entry.action, entry.target) == ("personal_data.erased", "visitor")
    assert "v_private_subject_42" not in str(entry.detail) + entry.target
