"""The audit log: rows in the tenant's own schema, never public, paged newest first."""

from __future__ import annotations

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from parlor.audit import actions
from parlor.audit.models import AuditEntry
from parlor.audit.selectors import audit_list
from parlor.audit.services import AuditSchemaError, audit_record

pytestmark = pytest.mark.usefixtures("live_db")


def test_a_row_lands_in_the_current_tenant_schema_only(tenant_alpha, tenant_bravo):
    with schema_context("alpha"):
        entry = audit_record(
            actor="api-key", action=actions.API_KEY_CREATED, target="sk_live_ab…", detail={"n": 1}
        )
    with schema_context("bravo"):
        assert not AuditEntry.objects.filter(target="sk_live_ab…").exists()
    with schema_context("alpha"):
        stored = AuditEntry.objects.get(pk=entry.pk)
    assert (stored.actor, stored.action, stored.detail) == ("api-key", "api_key.created", {"n": 1})


def test_it_refuses_the_public_schema_and_unknown_actions(tenant_alpha):
    connection.set_schema_to_public()
    with pytest.raises(AuditSchemaError):
        audit_record(actor="cli", action=actions.API_KEY_CREATED)
    with schema_context("alpha"), pytest.raises(ValueError):
        audit_record(actor="cli", action="made.up")


def test_pages_follow_the_cursor_newest_first_without_gaps(tenant_alpha):
    with schema_context("alpha"):
        made = [
            audit_record(actor="cli", action=actions.RETENTION_CHANGED, target=f"t{n}").pk
            for n in range(5)
        ]
        seen: list[int] = []
        cursor = None
        while True:
            page = audit_list(before=cursor, limit=2)
            seen += [entry.pk for entry in page.entries]
            if page.next_before is None:
                break
            cursor = page.next_before
    assert seen == sorted(seen, reverse=True)
    assert seen[:5] == sorted(made, reverse=True)
