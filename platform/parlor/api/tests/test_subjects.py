"""`/api/v1/subjects` and `/api/v1/retention` with a tenant's secret key."""

from __future__ import annotations

import json
import uuid

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from parlor.api.tests.helpers import assert_problem
from parlor.base.conversations import conversation_room_id
from parlor.base.identity import Principal, PrincipalKind, TenantRef
from parlor.chat import services as chat
from parlor.chat.models import Room
from parlor.visitors.context import PageIdentity, VisitorContext
from parlor.visitors.services import visitor_profile_record

pytestmark = pytest.mark.usefixtures("live_db")


def call(created, method: str, path: str, body=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {created.secret_key}"}
    data = json.dumps(body) if body is not None else ""
    return Client().generic(method, path, data, content_type="application/json", **headers)


def visitor_with_a_conversation(created) -> str:
    subject = f"v_{uuid.uuid4().hex[:22]}"
    tenant = created.tenant
    sender = Principal(
        kind=PrincipalKind.VISITOR,
        subject=subject,
        name="Visitor",
        tenant=TenantRef(id=tenant.id, slug=tenant.slug, schema_name=tenant.schema_name),
        token_id="t",
        issued_at=0,
        expires_at=0,
    )
    room_id = conversation_room_id(kind=PrincipalKind.VISITOR, subject=subject)
    with schema_context(tenant.schema_name):
        chat.message_send(room_id=room_id, sender=sender, body="hello there", client_msg_id="m1")
    return subject


def test_export_returns_the_subjects_data_and_erase_removes_it(tenant_alpha):
    subject = visitor_with_a_conversation(tenant_alpha)
    export = call(tenant_alpha, "GET", f"/api/v1/subjects/visitor/{subject}/export")
    assert export.status_code == 200
    data = export.json()
    assert data["subject"] == {"kind": "visitor", "id": subject}
    assert [m["body"] for m in data["messages"]] == ["hello there"]
    assert len(data["conversations"]) == 1 and len(data["read_positions"]) == 1
    erased = call(tenant_alpha, "DELETE", f"/api/v1/subjects/visitor/{subject}")
    assert erased.status_code == 200 and erased.json()["erased"]["messages"] == 1
    again = call(tenant_alpha, "GET", f"/api/v1/subjects/visitor/{subject}/export")
    assert_problem(again, 404, "subject_not_found")


def test_a_visitor_who_only_left_a_profile_is_exported_and_erased(tenant_alpha, tenant_bravo):
    tenant = tenant_alpha.tenant
    visitor = Principal(
        kind=PrincipalKind.VISITOR,
        subject=f"v_{uuid.uuid4().hex[:22]}",
        name="Visitor",
        tenant=TenantRef(id=tenant.id, slug=tenant.slug, schema_name=tenant.schema_name),
        token_id="t",
        issued_at=0,
        expires_at=0,
    )
    with schema_context(tenant.schema_name):
        visitor_profile_record(
            principal=visitor,
            context=VisitorContext(page_url="https://shop.alpha.example/", browser="Firefox 121"),
            identity=PageIdentity(name="Ana", email="ana@example.com"),
        )
    path = f"/api/v1/subjects/visitor/{visitor.subject}"
    profile = call(tenant_alpha, "GET", f"{path}/export").json()["profile"]["visitor"]
    assert profile["name"] == "Ana" and profile["name_verified"] is False
    assert profile["email"] == "ana@example.com" and profile["browser"] == "Firefox 121"
    assert profile["page_url"] == "https://shop.alpha.example/" and profile["first_seen"]
    assert_problem(call(tenant_bravo, "GET", f"{path}/export"), 404, "subject_not_found")
    erased = call(tenant_alpha, "DELETE", path)
    assert erased.status_code == 200 and erased.json()["erased"]["profile"] == 1
    assert_problem(call(tenant_alpha, "GET", f"{path}/export"), 404, "subject_not_found")


def test_an_unknown_subject_is_404_naming_nothing_else(tenant_alpha):
    response = call(tenant_alpha, "GET", "/api/v1/subjects/user/nobody-here/export")
    problem = assert_problem(response, 404, "subject_not_found")
    assert "nobody-here" not in json.dumps(problem)
    assert_problem(
        call(tenant_alpha, "GET", "/api/v1/subjects/agent/x/export"), 404, "subject_not_found"
    )


def test_a_tenant_can_neither_see_nor_erase_another_tenants_subject(tenant_alpha, tenant_bravo):
    subject = visitor_with_a_conversation(tenant_bravo)
    export = call(tenant_alpha, "GET", f"/api/v1/subjects/visitor/{subject}/export")
    assert_problem(export, 404, "subject_not_found")
    call(tenant_alpha, "DELETE", f"/api/v1/subjects/visitor/{subject}")
    room_id = conversation_room_id(kind=PrincipalKind.VISITOR, subject=subject)
    with schema_context(tenant_bravo.tenant.schema_name):
        assert Room.objects.filter(id=room_id).exists()
    assert (
        call(tenant_bravo, "GET", f"/api/v1/subjects/visitor/{subject}/export").status_code == 200
    )


def test_retention_is_read_and_set_and_bad_values_are_422(tenant_alpha, tenant_bravo):
    assert call(tenant_alpha, "PUT", "/api/v1/retention", {"conversation_days": 30}).json() == {
        "conversation_days": 30
    }
    assert call(tenant_alpha, "GET", "/api/v1/retention").json() == {"conversation_days": 30}
    assert call(tenant_bravo, "GET", "/api/v1/retention").json() == {"conversation_days": None}
    bad = call(tenant_alpha, "PUT", "/api/v1/retention", {"conversation_days": 0})
    assert_problem(bad, 422, "invalid_field")
    call(tenant_alpha, "PUT", "/api/v1/retention", {"conversation_days": None})
