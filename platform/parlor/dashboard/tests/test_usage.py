"""Staff seats through the staff page, and the usage page showing quotas and refusals."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth import get_user_model
from django_tenants.utils import schema_context

from parlor.dashboard.tests.conftest import login, staff_of
from parlor.team.roles import Role
from parlor.testing.tenants import quotas_overridden

pytestmark = pytest.mark.usefixtures("live_db")
PASSWORD = "a-long-passphrase"


def active_staff(created) -> int:
    with schema_context(created.tenant.schema_name):
        return get_user_model().objects.filter(is_staff=True, is_active=True).count()


def add(client, username: str):
    form = {"username": username, "name": "N", "role": "agent", "password": PASSWORD}
    return client.post("/dashboard/staff", form)


def test_a_full_plan_refuses_another_staff_user_with_a_form_error(tenant_alpha, tenant_bravo):
    owner = login(staff_of(tenant_alpha, role=Role.OWNER))
    bravo_owner = login(staff_of(tenant_bravo, role=Role.OWNER))
    seats = active_staff(tenant_alpha)
    with quotas_overridden(tenant_alpha, agents=seats):
        username = f"extra-{uuid.uuid4().hex[:6]}"
        response = add(owner, username)
        assert response.status_code == 400
        assert b"staff seats" in response.content and b'class="errors"' in response.content
        with schema_context("alpha"):
            assert not get_user_model().objects.filter(username=username).exists()
        assert add(bravo_owner, f"b-{uuid.uuid4().hex[:6]}").status_code == 302
        usage = owner.get("/dashboard/usage").content.decode()
    row = usage.split('data-quota="agents"')[1].split("</tr>")[0]
    assert f"<td>{seats}</td>" in row and '<td class="refused">1</td>' in row
    assert "Staff seats" in usage.split("Refusals, last 7 days")[1]


def test_reactivating_over_the_plan_is_refused(tenant_alpha):
    owner_staff = staff_of(tenant_alpha, role=Role.OWNER)
    owner = login(owner_staff)
    agent = staff_of(tenant_alpha, role=Role.AGENT)
    assert owner.post(f"/dashboard/staff/{agent.pk}/deactivate").status_code == 302
    with quotas_overridden(tenant_alpha, agents=active_staff(tenant_alpha)):
        page = owner.post(f"/dashboard/staff/{agent.pk}/reactivate", follow=True)
        assert b"staff seats" in page.content
        with schema_context("alpha"):
            assert not get_user_model().objects.get(pk=agent.pk).is_active


def test_the_usage_page_is_for_owners_and_admins(tenant_alpha):
    agent = login(staff_of(tenant_alpha, role=Role.AGENT))
    assert agent.get("/dashboard/usage").status_code == 403
    admin = login(staff_of(tenant_alpha, role=Role.ADMIN))
    page = admin.get("/dashboard/usage")
    assert page.status_code == 200 and b"enterprise" in page.content
