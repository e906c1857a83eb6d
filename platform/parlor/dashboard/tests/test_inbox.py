"""The inbox page and its JSON, the workflow controls, notes and canned responses: per tenant,
by role, with bad input changing nothing and HTML shown as text."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from parlor.audit.actions import AUTO_ASSIGN_CHANGED
from parlor.audit.models import AuditEntry
from parlor.base.identity import TenantRef
from parlor.chat import assignment
from parlor.chat import selectors as chat_selectors
from parlor.chat.models import CannedResponse, ConversationEvent, Room
from parlor.dashboard.tests.conftest import login, staff_of
from parlor.dashboard.tests.test_pages import visitor_writes
from parlor.team.roles import Role

pytestmark = pytest.mark.usefixtures("live_db")
HTML = '<img src=x onerror="alert(1)">'


def room_state(room: str, schema: str = "alpha") -> tuple:
    with schema_context(schema):
        stored = Room.objects.get(id=room)
        events = list(
            ConversationEvent.objects.filter(room_id=room)
            .order_by("id")
            .values_list("kind", flat=True)
        )
        return stored.status, stored.assignee, stored.snoozed_until, events


def test_the_inbox_shows_this_tenants_conversations_with_unread_counts(alpha_staff, tenant_bravo):
    room = visitor_writes(alpha_staff.created, "where is my order?")
    bravo_room = visitor_writes(tenant_bravo, "bravo's secret")
    client = login(alpha_staff)
    page = client.get("/dashboard/").content.decode()
    assert room in page and bravo_room not in page and "bravo&#x27;s secret" not in page
    data = client.get("/dashboard/inbox.json?view=all&status=open").json()
    row = next(item for item in data["conversations"] if item["id"] == room)
    assert (row["unread"], row["preview"], row["status"]) == (1, "where is my order?", "open")
    assert all(item["id"] != bravo_room for item in data["conversations"])
    assert data["unread_total"] >= 1
    mine = client.get("/dashboard/inbox.json?view=mine").json()["conversations"]
    assert all(item["assignee"] == alpha_staff.pk for item in mine)


def test_another_tenants_staff_gets_neither_the_inbox_nor_its_json(alpha_staff, bravo_staff):
    bravo_session = login(bravo_staff)
    for path in ("/dashboard/", "/dashboard/inbox.json"):
        response = bravo_session.get(path, HTTP_HOST=alpha_staff.host)
        assert response.status_code in (302, 401, 403), path
        assert b"conversations" not in response.content or response.status_code == 302
    assert Client(HTTP_HOST=alpha_staff.host).get("/dashboard/inbox.json").status_code in (
        302,
        401,
        403,
    )


def test_resolve_shows_who_resolved_it_and_reopen_works(alpha_staff):
    room = visitor_writes(alpha_staff.created, "help")
    client = login(alpha_staff)
    form = {"action": "status", "status": "resolved"}
    response = client.post(f"/dashboard/conversations/{room}/workflow", form)
    assert response.status_code == 302
    assert room_state(room)[0] == "resolved"
    page = client.get(f"/dashboard/conversations/{room}").content.decode()
    assert "Dana resolved this" in page
    client.post(f"/dashboard/conversations/{room}/workflow", {"action": "status", "status": "open"})
    assert room_state(room)[0] == "open"
    assert "Dana reopened this" in client.get(f"/dashboard/conversations/{room}").content.decode()


def test_bad_workflow_changes_show_an_error_and_change_nothing(alpha_staff, bravo_staff):
    room = visitor_writes(alpha_staff.created, "help")
    client = login(alpha_staff)
    before = room_state(room)
    past = (timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    gone = staff_of(alpha_staff.created, name="Gone")
    with schema_context("alpha"):
        get_user_model().objects.filter(pk=gone.pk).update(is_active=False)
    cases = [
        ({"action": "snooze", "snoozed_until": past}, "in the past"),
        ({"action": "snooze", "snoozed_until": ""}, "time to wake up"),
        ({"action": "assign", "assignee": str(gone.pk)}, "deactivated"),
        ({"action": "assign", "assignee": "999999"}, "no such staff member"),
        ({"action": "status", "status": "closed"}, "status must be"),
        ({"action": "bogus"}, "choose a change"),
    ]
    for form, words in cases:
        response = client.post(f"/dashboard/conversations/{room}/workflow", form, follow=True)
        page = response.content.decode()
        assert "Nothing changed" in page and words in page, (form, page[-2000:])
        assert room_state(room) == before
    # Another tenant's conversation: not found, nothing changes there either.
    bravo_room = visitor_writes(bravo_staff.created, "bravo help")
    response = client.post(
        f"/dashboard/conversations/{bravo_room}/workflow",
        {"action": "status", "status": "resolved"},
    )
    assert response.status_code == 404
    assert room_state(bravo_room, "bravo")[0] == "open"


def test_snooze_takes_the_browsers_utc_time_and_refuses_a_past_one(alpha_staff):
    room = visitor_writes(alpha_staff.created, "help")
    client = login(alpha_staff)
    before = room_state(room)
    url = f"/dashboard/conversations/{room}/workflow"
    local_future = (timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    # The agent's local pick is in the future, its UTC instant is not (or has no zone): refused.
    for utc, words in [
        ((timezone.now() - timedelta(minutes=5)).isoformat(), "in the past"),
        ("2099-01-01T08:00:00", "time to wake up"),
        ("not a time", "time to wake up"),
    ]:
        form = {"action": "snooze", "snoozed_until": local_future, "snoozed_until_utc": utc}
        page = client.post(url, form, follow=True).content.decode()
        assert "Nothing changed" in page and words in page, utc
        assert room_state(room) == before
    # 09:00 in Paris in January is 08:00 UTC: the browser sends the instant, the server keeps it.
    form = {
        "action": "snooze",
        "snoozed_until": "2099-01-01T09:00",
        "snoozed_until_utc": "2099-01-01T08:00:00.000Z",
    }
    client.post(url, form)
    status, _, until, _ = room_state(room)
    assert (status, until.isoformat()) == ("snoozed", "2099-01-01T08:00:00+00:00")
    page = client.get(f"/dashboard/conversations/{room}").content.decode()
    assert 'Snooze until (<span id="snooze-zone">UTC</span>)' in page


def test_assign_to_me_then_to_nobody(alpha_staff):
    room = visitor_writes(alpha_staff.created, "help")
    client = login(alpha_staff)
    client.post(f"/dashboard/conversations/{room}/workflow", {"action": "assign", "assignee": "me"})
    assert room_state(room)[1] == alpha_staff.pk
    mine = client.get("/dashboard/inbox.json?view=mine").json()["conversations"]
    assert room in [item["id"] for item in mine]
    client.post(
        f"/dashboard/conversations/{room}/workflow", {"action": "assign", "assignee": "none"}
    )
    assert room_state(room)[1] is None


def test_a_note_with_html_shows_as_text_and_never_in_the_messages(alpha_staff):
    room = visitor_writes(alpha_staff.created, "help")
    client = login(alpha_staff)
    client.post(f"/dashboard/conversations/{room}/note", {"body": HTML})
    page = client.get(f"/dashboard/conversations/{room}").content.decode()
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page and HTML not in page
    with schema_context("alpha"):
        bodies = [m.body for m in chat_selectors.message_list(room_id=room, limit=100).messages]
    assert bodies == ["help"]
    response = client.post(f"/dashboard/conversations/{room}/note", {"body": "   "}, follow=True)
    assert "Note not saved" in response.content.decode()


def test_canned_responses_are_managed_by_admins_and_shown_as_text(alpha_staff):
    admin = login(alpha_staff)
    ava = staff_of(alpha_staff.created, name="Ava", role=Role.AGENT)
    agent = login(ava)
    shortcut = f"x{timezone.now().strftime('%H%M%S%f')}"
    assert agent.post("/dashboard/canned", {"shortcut": shortcut, "text": "no"}).status_code == 403
    admin.post("/dashboard/canned", {"shortcut": shortcut, "text": HTML})
    response = admin.post("/dashboard/canned", {"shortcut": shortcut, "text": "again"}, follow=True)
    assert "exists already" in response.content.decode()
    for client in (admin, agent):
        page = client.get("/dashboard/canned").content.decode()
        assert f"/{shortcut}" in page and HTML not in page
    room = visitor_writes(alpha_staff.created, "help")
    page = agent.get(f"/dashboard/conversations/{room}").content.decode()
    script = page.split('id="canned-responses"', 1)[1].split("</script>", 1)[0]
    assert "<img" not in script and "\\u003Cimg" in script
    admin.post("/dashboard/canned", {"delete": shortcut})
    with schema_context("alpha"):
        assert not CannedResponse.objects.filter(shortcut=shortcut).exists()
        # Other tests walk alpha's team page by keyboard: leave it as it was.
        get_user_model().objects.filter(pk=ava.pk).delete()


def test_there_is_one_agent_ui_the_old_demo_agent_page_is_gone(alpha_staff):
    client = login(alpha_staff)
    assert client.get("/demo/agent/").status_code == 404
    assert Client().get("/demo/agent/").status_code in (400, 404)


def test_owners_and_admins_switch_auto_assignment_agents_only_see_it(alpha_staff, monkeypatch):
    tenant = alpha_staff.created.tenant
    admin = login(staff_of(alpha_staff.created, role=Role.ADMIN))
    agent_staff = staff_of(alpha_staff.created, role=Role.AGENT)
    agent = login(agent_staff)
    audited = _audit_count()
    try:
        assert agent.post("/dashboard/auto-assign", {"auto_assign": "on"}).status_code == 403
        assert not _auto_assign_on() and _audit_count() == audited
        page = agent.get("/dashboard/canned").content.decode()
        assert 'id="auto-assign-state"' in page and 'id="auto-assign-on"' not in page
        response = admin.post("/dashboard/auto-assign", {"auto_assign": "on"}, follow=True)
        assert "Auto-assignment is on." in response.content.decode()
        assert 'id="auto-assign-on" name="auto_assign" value="on" checked' in (
            response.content.decode()
        )
        assert _auto_assign_on() and _audit_count() == audited + 1
        # It takes effect: a new conversation goes to an available agent.
        online = [{"id": f"staff-{agent_staff.pk}"}]

        async def agents_online(**_):
            return online

        monkeypatch.setattr(assignment, "agents_online", agents_online)
        room = visitor_writes(alpha_staff.created, "anyone there?")
        ref = TenantRef(id=tenant.id, slug=tenant.slug, schema_name=tenant.schema_name)
        assigned = async_to_sync(assignment.conversation_auto_assign)(tenant=ref, room_id=room)
        assert assigned == agent_staff.pk and room_state(room)[1] == agent_staff.pk
        admin.post("/dashboard/auto-assign", {})  # the box unticked
        assert not _auto_assign_on() and _audit_count() == audited + 2
        later = visitor_writes(alpha_staff.created, "hello?")
        assert async_to_sync(assignment.conversation_auto_assign)(tenant=ref, room_id=later) is None
    finally:
        with schema_context("alpha"):
            assignment.auto_assign_set(enabled=False)
            Room.objects.filter(assignee=agent_staff.pk).update(assignee=None)


def _auto_assign_on() -> bool:
    with schema_context("alpha"):
        return assignment.auto_assign_enabled()


def _audit_count() -> int:
    with schema_context("alpha"):
        return AuditEntry.objects.filter(action=AUTO_ASSIGN_CHANGED).count()


def test_the_visitor_panel_counts_a_conversation_resolved_before_this_one(alpha_staff):
    subject = f"v_{uuid.uuid4().hex[:22]}"
    room = visitor_writes(alpha_staff.created, "first question", subject=subject)
    client = login(alpha_staff)

    def earlier() -> str:
        page = client.get(f"/dashboard/conversations/{room}").content.decode()
        return page.split('<dd class="visitor-conversations">', 1)[1].split("</dd>", 1)[0]

    assert earlier() == "0"
    client.post(
        f"/dashboard/conversations/{room}/workflow", {"action": "status", "status": "resolved"}
    )
    assert earlier() == "0", "resolving ends the conversation on screen, it is not an earlier one"
    visitor_writes(alpha_staff.created, "second question", subject=subject)
    assert room_state(room)[0] == "open" and earlier() == "1"
