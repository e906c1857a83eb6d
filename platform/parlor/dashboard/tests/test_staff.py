"""The staff page and the audit page: add, invite, roles, deactivation; HTML stays text."""

from __future__ import annotations

import asyncio
import re
import time
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django_tenants.utils import schema_context

from parlor.audit.models import AuditEntry
from parlor.dashboard.services import agent_token_issue, staff_create
from parlor.dashboard.tests.conftest import PASSWORD, login, staff_of
from parlor.dashboard.tests.test_pages import XSS
from parlor.team.roles import Role
from parlor.team.selectors import staff_role_get
from parlor.testing.database import database_url_for_tests
from parlor.testing.servers import start_server
from parlor.testing.sockets import LiveSocket

pytestmark = pytest.mark.usefixtures("live_db")

# A deactivated agent's live socket must close within this bound (the revocation watch's).
SOCKET_BOUND_SECONDS = 2.0


def _user(pk: int):
    with schema_context("alpha"):
        return get_user_model().objects.get(pk=pk)


def _last_audit():
    with schema_context("alpha"):
        return AuditEntry.objects.order_by("-id").first()


def test_an_owner_adds_staff_with_a_password_and_they_log_in(tenant_alpha):
    owner = login(staff_of(tenant_alpha, role=Role.OWNER))
    username = f"new-{uuid.uuid4().hex[:8]}"
    response = owner.post(
        "/dashboard/staff",
        {"username": username, "name": "Nia", "role": "agent", "password": "a-long-passphrase"},
    )
    assert response.status_code == 302
    fresh = Client(HTTP_HOST=tenant_alpha.domain)
    assert (
        fresh.post(
            "/dashboard/login", {"username": username, "password": "a-long-passphrase"}
        ).status_code
        == 302
    )
    assert fresh.get("/dashboard/api-keys").status_code == 403  # an agent
    entry = _last_audit()
    assert (entry.action, entry.target, entry.detail["role"]) == (
        "staff.created",
        username,
        "agent",
    )


def test_an_invitation_is_emailed_with_a_link_to_set_a_password(tenant_alpha):
    mail.outbox.clear()
    admin = login(staff_of(tenant_alpha, role=Role.ADMIN))
    username = f"inv-{uuid.uuid4().hex[:8]}"
    email = f"{username}@example.com"
    response = admin.post(
        "/dashboard/staff", {"username": username, "email": email, "role": "agent"}
    )
    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [[email]]
    link = re.search(r"http://alpha\.localhost\S+", mail.outbox[0].body).group(0)
    assert username in mail.outbox[0].body and "Alpha" in mail.outbox[0].subject
    invitee = Client(HTTP_HOST=tenant_alpha.domain)
    form = invitee.get(link, follow=True)
    assert form.status_code == 200 and "Set a new password" in form.content.decode()
    done = invitee.post(
        form.request["PATH_INFO"],
        {"new_password1": "invited-passphrase-9", "new_password2": "invited-passphrase-9"},
    )
    assert done.status_code == 302
    assert (
        Client(HTTP_HOST=tenant_alpha.domain)
        .post("/dashboard/login", {"username": username, "password": "invited-passphrase-9"})
        .status_code
        == 302
    )
    assert _last_audit().action == "staff.invited"


def test_adding_needs_a_password_or_an_email_and_a_weak_password_is_refused(tenant_alpha):
    owner = login(staff_of(tenant_alpha, role=Role.OWNER))
    username = f"bad-{uuid.uuid4().hex[:8]}"
    neither = owner.post("/dashboard/staff", {"username": username, "role": "agent"})
    weak = owner.post(
        "/dashboard/staff", {"username": username, "role": "agent", "password": "password"}
    )
    assert neither.status_code == weak.status_code == 400
    assert "Give a password, or an email address" in neither.content.decode()
    with schema_context("alpha"):
        assert not get_user_model().objects.filter(username=username).exists()


def test_an_admin_cannot_add_an_owner(tenant_alpha):
    admin = login(staff_of(tenant_alpha, role=Role.ADMIN))
    username = f"own-{uuid.uuid4().hex[:8]}"
    owner = staff_of(tenant_alpha, role=Role.OWNER)
    page = admin.get("/dashboard/staff").content.decode()
    assert 'value="owner"' not in page  # not offered
    assert f"/dashboard/staff/{owner.pk}/deactivate" not in page
    assert "Only an owner changes an owner." in page
    response = admin.post(
        "/dashboard/staff", {"username": username, "role": "owner", "password": "a-long-passphrase"}
    )
    assert response.status_code == 400
    assert "only an owner can make someone an owner" in response.content.decode()
    with schema_context("alpha"):
        assert not get_user_model().objects.filter(username=username).exists()


def test_roles_change_from_the_page_and_refusals_say_why(tenant_alpha):
    admin = login(staff_of(tenant_alpha, role=Role.ADMIN))
    agent = staff_of(tenant_alpha, role=Role.AGENT)
    admin.post(f"/dashboard/staff/{agent.pk}/role", {"role": "admin"})
    assert staff_role_get(user=_user(agent.pk)) == Role.ADMIN
    refused = admin.post(f"/dashboard/staff/{agent.pk}/role", {"role": "owner"}, follow=True)
    assert "Only an owner can make someone an owner." in refused.content.decode()
    assert staff_role_get(user=_user(agent.pk)) == Role.ADMIN
    entry = _last_audit()
    assert (entry.action, entry.detail["from"], entry.detail["to"]) == (
        "staff.role_changed",
        "agent",
        "admin",
    )


def test_deactivation_ends_the_session_at_once(tenant_alpha):
    owner = login(staff_of(tenant_alpha, role=Role.OWNER))
    agent = staff_of(tenant_alpha, role=Role.AGENT)
    agent_client = login(agent)
    assert agent_client.get("/dashboard/").status_code == 200
    assert owner.post(f"/dashboard/staff/{agent.pk}/deactivate").status_code == 302
    response = agent_client.get("/dashboard/")
    assert response.status_code == 302 and response["Location"].startswith("/dashboard/login")
    assert agent_client.post("/dashboard/agent-token").status_code == 401
    again = Client(HTTP_HOST=tenant_alpha.domain).post(
        "/dashboard/login", {"username": agent.username, "password": PASSWORD}
    )
    assert again.status_code == 200  # refused, with the login form
    # Reactivated, they log in again.
    owner.post(f"/dashboard/staff/{agent.pk}/reactivate")
    login(agent)


@pytest.fixture
def server(tmp_path):
    running = start_server(database_url=database_url_for_tests(), log_dir=tmp_path)
    yield running
    running.stop()


async def test_deactivation_closes_a_live_agent_socket(server, tenant_alpha):
    owner = await asyncio.to_thread(staff_of, tenant_alpha, "Olive", Role.OWNER)
    agent = await asyncio.to_thread(staff_of, tenant_alpha, "Ari", Role.AGENT)
    bystander = await asyncio.to_thread(staff_of, tenant_alpha, "Bea", Role.AGENT)
    tokens = [
        await asyncio.to_thread(_agent_token, tenant_alpha, staff) for staff in (agent, bystander)
    ]
    agent_socket = await LiveSocket.open(server.ws_url, tokens[0])
    bystander_socket = await LiveSocket.open(server.ws_url, tokens[1])
    try:
        owner_client = await asyncio.to_thread(login, owner)
        started = time.monotonic()
        response = await asyncio.to_thread(
            owner_client.post, f"/dashboard/staff/{agent.pk}/deactivate"
        )
        assert response.status_code == 302
        code = await agent_socket.closed_with(timeout=SOCKET_BOUND_SECONDS)
        assert code == 4401, f"closed with {code} after {time.monotonic() - started:.2f} s"
        assert await bystander_socket.closed_with(timeout=0.5) is None  # still open
    finally:
        await agent_socket.close()
        await bystander_socket.close()


def _agent_token(created, staff) -> str:
    return agent_token_issue(tenant=created.tenant, user=_user(staff.pk)).token


def test_html_in_names_and_audit_rows_shows_as_text(tenant_alpha):
    owner = login(staff_of(tenant_alpha, role=Role.OWNER))
    hostile = staff_of(tenant_alpha, name=XSS, role=Role.AGENT, email="x@example.com")
    owner.post(f"/dashboard/staff/{hostile.pk}/role", {"role": "admin"})
    with schema_context("alpha"):
        AuditEntry.objects.create(actor="cli", actor_name=XSS, action="made.up", target=XSS)
    for path in ("/dashboard/staff", "/dashboard/audit"):
        page = owner.get(path).content.decode()
        assert XSS not in page
        assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_the_audit_page_pages_by_cursor(tenant_alpha):
    owner = login(staff_of(tenant_alpha, role=Role.OWNER))
    with schema_context("alpha"):
        for n in range(55):
            AuditEntry.objects.create(actor="cli", action="retention.changed", target=f"row-{n}")
    first = owner.get("/dashboard/audit").content.decode()
    assert "row-54" in first and "row-4<" not in first
    older = re.search(r'href="(/dashboard/audit\?before=\d+)"', first).group(1)
    second = owner.get(older).content.decode()
    assert "row-4<" in second and "row-54" not in second
    assert owner.get("/dashboard/audit?before=not-a-number").status_code == 200


@pytest.mark.usefixtures("alpha_settings_kept")
def test_every_dashboard_admin_action_is_audited_with_its_actor(tenant_alpha):
    admin = staff_of(tenant_alpha, name="Ada", role=Role.ADMIN)
    client = login(admin)
    with schema_context("alpha"):
        start = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    client.post("/dashboard/api-keys")
    with schema_context("public"):
        from tenants.models import ApiKey

        key = ApiKey.objects.filter(tenant=tenant_alpha.tenant).order_by("-id").first()
    client.post(f"/dashboard/api-keys/{key.id}/revoke")
    client.post("/dashboard/signing-keys/rotate")
    client.post("/dashboard/settings", {"form": "look", "title": "Help desk"})
    client.post("/dashboard/data", {"action": "retention", "conversation_days": "30"})
    client.post("/dashboard/data", {"action": "retention", "conversation_days": ""})
    client.post("/dashboard/data", {"action": "erase", "kind": "visitor", "id": "v_gone_1"})
    with schema_context("alpha"):
        rows = list(AuditEntry.objects.filter(id__gt=start).order_by("id"))
    assert [row.action for row in rows] == [
        "api_key.created",
        "api_key.revoked",
        "signing_key.rotated",
        "widget_settings.changed",
        "retention.changed",
        "retention.changed",
        "personal_data.erased",
    ]
    assert {(row.actor, row.actor_name) for row in rows} == {(f"staff-{admin.pk}", "Ada")}
    assert rows[0].target == rows[1].target == f"{key.prefix}…"
    assert all("v_gone_1" not in row.target + str(row.detail) for row in rows)


def test_the_first_staff_user_of_a_tenant_owns_it_and_later_ones_are_agents(tenant_alpha):
    User = get_user_model()
    with schema_context("alpha"):
        existing = User.objects.exists()
    user = staff_create(
        tenant=tenant_alpha.tenant, username=f"f-{uuid.uuid4().hex[:8]}", password="x" * 12
    )
    with schema_context("alpha"):
        assert staff_role_get(user=user) == (Role.AGENT if existing else Role.OWNER)
