"""`/api/v1/messages/search` and the exports: secret key only, one tenant's rows, streamed,
audited, and described by the OpenAPI schema."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from asgiref.sync import sync_to_async
from django.test import AsyncClient, Client
from django_tenants.utils import schema_context

from parlor.api.tests.helpers import assert_problem
from parlor.audit.models import AuditEntry
from parlor.base.db import in_schema
from parlor.chat.tests.seeding import room_seed

pytestmark = pytest.mark.usefixtures("live_db")

DAY = datetime(2018, 5, 6, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def public_schema_after():
    yield
    from django.db import connection

    connection.set_schema_to_public()


def word() -> str:
    return f"zq{uuid.uuid4().hex[:10]}"


def get(created, path: str, **query):
    return Client().get(path, query, HTTP_AUTHORIZATION=f"Bearer {created.secret_key}")


async def download(created, path: str) -> tuple[object, bytes]:
    headers = {"Authorization": f"Bearer {created.secret_key}"}
    response = await AsyncClient().get(path, headers=headers)
    assert response.streaming and response.is_async, "exports stream from an async iterator"
    return response, b"".join([chunk async for chunk in response.streaming_content])


def newest_audit(schema: str) -> tuple[str, str, str, dict]:
    with schema_context(schema):
        entry = AuditEntry.objects.order_by("-id").first()
        return entry.actor, entry.action, entry.target, entry.detail


def test_search_finds_this_tenants_messages_only_with_a_link_to_their_place(
    tenant_alpha, tenant_bravo
):
    term = word()
    with schema_context("alpha"):
        room = room_seed(created_at=DAY, lines=[("visitor", "owner", f"<b>{term}</b> hi", DAY)])
    with schema_context("bravo"):
        room_seed(created_at=DAY, lines=[("visitor", "owner", f"bravo {term}", DAY)])
    response = get(tenant_alpha, "/api/v1/messages/search", q=term)
    assert response.status_code == 200, response.content
    (result,) = response.json()["results"]
    assert result["message"]["room"] == room and result["message"]["body"] == f"<b>{term}</b> hi"
    assert result["snippet"] == f"<b>{term}</b> hi"
    assert result["dashboard_path"] == f"/dashboard/conversations/{room}?seq=1#m-1"
    assert result["message"]["sent_at"].endswith("Z")
    bravo = get(tenant_bravo, "/api/v1/messages/search", q=term).json()["results"]
    assert [hit["message"]["body"] for hit in bravo] == [f"bravo {term}"]


def test_search_needs_the_secret_key_and_a_query(tenant_alpha):
    assert_problem(Client().get("/api/v1/messages/search", {"q": "x"}), 401, "unauthenticated")
    assert_problem(get(tenant_alpha, "/api/v1/messages/search", q="  "), 400, "invalid_query")
    assert_problem(get(tenant_alpha, "/api/v1/messages/search"), 400, "invalid_parameter")
    too_many = get(tenant_alpha, "/api/v1/messages/search", q="a", limit="51")
    assert_problem(too_many, 400, "invalid_parameter")


async def test_a_room_exports_as_json_and_csv_and_each_export_is_audited(tenant_alpha):
    lines = [("visitor", "owner", "=1+1", DAY), ("agent", "agent-1", "hello", DAY)]
    room = await in_schema("alpha", room_seed, created_at=DAY, lines=lines)
    response, body = await download(tenant_alpha, f"/api/v1/rooms/{room}/export")
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == f'attachment; filename="conversation-{room}.json"'
    document = json.loads(body)
    assert document["export"]["room"] == room
    assert [m["body"] for m in document["messages"]] == ["=1+1", "hello"]
    audit = await sync_to_async(newest_audit)("alpha")
    assert audit == (
        "api-key",
        "conversation.exported",
        room,
        {"format": "json", "scope": "transcript"},
    )

    response, body = await download(tenant_alpha, f"/api/v1/rooms/{room}/export?format=csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(body.decode())))
    assert [row["body"] for row in rows] == ["'=1+1", "hello"]
    assert (await sync_to_async(newest_audit)("alpha"))[3]["format"] == "csv"


def test_another_tenants_room_is_not_found_and_nothing_is_audited(tenant_alpha, tenant_bravo):
    with schema_context("alpha"):
        room = room_seed(created_at=DAY, lines=[("visitor", "owner", "alpha only", DAY)])
    with schema_context("bravo"):
        before = AuditEntry.objects.count()
    assert_problem(get(tenant_bravo, f"/api/v1/rooms/{room}/export"), 404, "room_not_found")
    with schema_context("bravo"):
        assert AuditEntry.objects.count() == before


async def test_a_date_range_exports_every_room_of_the_tenant_and_no_other(
    tenant_alpha, tenant_bravo
):
    day = DAY + timedelta(days=40)
    await in_schema("alpha", room_seed, created_at=day, lines=[("visitor", "owner", "a1", day)])
    await in_schema("alpha", room_seed, created_at=day, lines=[("visitor", "owner", "a2", day)])
    await in_schema("bravo", room_seed, created_at=day, lines=[("visitor", "owner", "b1", day)])
    path = f"/api/v1/exports/conversations?from={day.date()}&to={day.date()}&format=csv"
    response, body = await download(tenant_alpha, path)
    rows = list(csv.DictReader(io.StringIO(body.decode())))
    assert sorted(row["body"] for row in rows) == ["a1", "a2"]
    name = f"conversations-{day.date()}-{day.date()}.csv"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    audit = await sync_to_async(newest_audit)("alpha")
    assert audit[1:] == (
        "conversation.exported",
        f"{day.date()}..{day.date()}",
        {"format": "csv", "scope": "range"},
    )


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("from=2024-02-01&to=2024-01-01", "invalid_range"),
        ("from=2024-02-01", "invalid_parameter"),
        ("from=yesterday&to=2024-01-01", "invalid_parameter"),
        ("from=2024-01-01&to=2024-01-02&format=xml", "invalid_parameter"),
        ("from=1990-01-01&to=2024-01-02", "invalid_range"),
    ],
)
def test_bad_ranges_and_formats_are_refused(tenant_alpha, query, code):
    assert_problem(get(tenant_alpha, f"/api/v1/exports/conversations?{query}"), 400, code)


def test_the_schema_documents_both_formats_of_the_exports():
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/rooms/{room_id}/export", "/api/v1/exports/conversations"):
        answer = paths[path]["get"]["responses"]["200"]
        assert set(answer["content"]) == {"application/json", "text/csv"}
        assert paths[path]["get"]["security"] == [{"SecretKeyAuth": []}]
    names = {p["name"] for p in paths["/api/v1/exports/conversations"]["get"]["parameters"]}
    assert names == {"from", "to", "format"}
