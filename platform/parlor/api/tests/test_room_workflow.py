"""`PATCH /api/v1/rooms/{id}`: a tenant's server changes a conversation's workflow, its own only."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from django_tenants.utils import schema_context

from parlor.api.tests.test_rooms import call, unique
from parlor.chat.models import ConversationEvent, Room, RoomKind

pytestmark = pytest.mark.usefixtures("live_db")


@pytest.fixture(autouse=True)
def public_schema_after():
    yield
    from django.db import connection

    connection.set_schema_to_public()


def conversation(created) -> str:
    room = unique("c-v")
    with schema_context(created.tenant.schema_name):
        Room.objects.create(id=room, kind=RoomKind.CONVERSATION)
    return room


def staff(created, *, active: bool = True) -> int:
    with schema_context(created.tenant.schema_name):
        return (
            get_user_model()
            .objects.create(
                username=f"zz-api-{uuid.uuid4().hex[:10]}", is_staff=True, is_active=active
            )
            .pk
        )


def state(created, room: str) -> tuple:
    with schema_context(created.tenant.schema_name):
        stored = Room.objects.get(id=room)
        events = ConversationEvent.objects.filter(room_id=room).count()
        return stored.status, stored.assignee, stored.snoozed_until, events


def test_patch_resolves_assigns_and_snoozes(tenant_alpha):
    room = conversation(tenant_alpha)
    agent = staff(tenant_alpha)
    status, body = call(
        tenant_alpha, "PATCH", f"/api/v1/rooms/{room}", {"status": "resolved", "assignee": agent}
    )
    assert status == 200, body
    assert (body["status"], body["assignee"], body["snoozed_until"]) == ("resolved", agent, None)
    wake = (timezone.now() + timedelta(days=1)).replace(microsecond=0)
    status, body = call(
        tenant_alpha, "PATCH", f"/api/v1/rooms/{room}", {"snoozed_until": wake.isoformat()}
    )
    assert (status, body["status"]) == (200, "snoozed")
    assert state(tenant_alpha, room)[:3] == ("snoozed", agent, wake)
    status, body = call(tenant_alpha, "PATCH", f"/api/v1/rooms/{room}", {"assignee": None})
    assert (status, body["assignee"], body["status"]) == (200, None, "snoozed")
    with schema_context(tenant_alpha.tenant.schema_name):
        actors = set(ConversationEvent.objects.filter(room_id=room).values_list("actor", flat=True))
    assert actors == {"API"}


@pytest.mark.parametrize(
    ("patch", "code"),
    [
        ({"status": "closed"}, "invalid_status"),
        ({"status": 3}, "invalid_status"),
        ({"status": "snoozed"}, "snooze_time_missing"),
        ({"snoozed_until": "2001-01-01T00:00:00Z"}, "snooze_in_past"),
        ({"snoozed_until": "tomorrow"}, "invalid_time"),
        ({"snoozed_until": "2099-01-01T00:00:00"}, "invalid_time"),
        ({"assignee": 2**40}, "assignee_unknown"),
        ({"assignee": "1"}, "assignee_unknown"),
        ({"owner": "x"}, "unknown_field"),
        ({}, "invalid_field"),
    ],
)
def test_bad_patches_are_refused_and_change_nothing(tenant_alpha, patch, code):
    room = conversation(tenant_alpha)
    before = state(tenant_alpha, room)
    status, body = call(tenant_alpha, "PATCH", f"/api/v1/rooms/{room}", patch)
    assert (status, body["code"]) == (400, code), body
    assert state(tenant_alpha, room) == before


def test_a_deactivated_assignee_is_refused(tenant_alpha):
    room = conversation(tenant_alpha)
    gone = staff(tenant_alpha, active=False)
    status, body = call(tenant_alpha, "PATCH", f"/api/v1/rooms/{room}", {"assignee": gone})
    assert (status, body["code"]) == (400, "assignee_inactive")
    assert state(tenant_alpha, room) == ("open", None, None, 0)


def test_another_tenants_key_cannot_touch_the_conversation(tenant_alpha, tenant_bravo):
    room = conversation(tenant_alpha)
    status, body = call(tenant_bravo, "PATCH", f"/api/v1/rooms/{room}", {"status": "resolved"})
    assert (status, body["code"]) == (404, "room_not_found")
    assert state(tenant_alpha, room) == ("open", None, None, 0)
    # On alpha's own host, bravo's key is refused before anything is looked up.
    status, body = call(
        tenant_bravo,
        "PATCH",
        f"/api/v1/rooms/{room}",
        {"status": "resolved"},
        HTTP_HOST=tenant_alpha.domain,
    )
    assert status in (403, 404)
    assert state(tenant_alpha, room) == ("open", None, None, 0)


def test_a_channel_has_no_workflow(tenant_alpha):
    channel = unique("lobby")
    with schema_context(tenant_alpha.tenant.schema_name):
        Room.objects.create(id=channel, kind=RoomKind.CHANNEL)
    status, body = call(tenant_alpha, "PATCH", f"/api/v1/rooms/{channel}", {"status": "resolved"})
    assert (status, body["code"]) == (404, "room_not_found")
