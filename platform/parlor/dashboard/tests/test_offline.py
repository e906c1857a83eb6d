"""The Offline page: hours and follow-up saved by owners and admins for their tenant only,
refused for agents, errors named; an agent's own notification choice, and its email."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_tenants.utils import schema_context

from parlor.dashboard.tests.conftest import login, staff_of
from parlor.followup.models import AgentPreference, FollowupSettings
from parlor.followup.tasks import followup_sweep
from parlor.followup.tests.support import followup_jobs_run
from parlor.hours.models import BusinessHours
from parlor.team.roles import Role

HOURS = {
    "form": "hours",
    "enabled": "on",
    "timezone": "Europe/Berlin",
    "monday": "09:00-12:00, 13:00-17:00",
    "tuesday": "09:00-17:00",
    "holidays": "2026-12-25\n2026-12-26",
    "reply_time": "a few hours",
}


@pytest.fixture
def offline_reset(live_db, tenant_alpha, tenant_bravo):
    yield
    for created in (tenant_alpha, tenant_bravo):
        with schema_context(created.tenant.schema_name):
            BusinessHours.objects.all().delete()
            FollowupSettings.objects.all().delete()
            AgentPreference.objects.all().delete()


def test_an_admin_saves_hours_for_this_tenant_only(alpha_staff, offline_reset, tenant_bravo):
    client = login(alpha_staff)
    assert client.get("/dashboard/offline").status_code == 200
    response = client.post("/dashboard/offline", HOURS)
    assert response.status_code == 302, response.content.decode()[:2000]
    with schema_context(alpha_staff.created.tenant.schema_name):
        hours = BusinessHours.objects.get()
    assert hours.weekly[0] == [["09:00", "12:00"], ["13:00", "17:00"]]
    assert hours.weekly[2] == [] and hours.holidays == ["2026-12-25", "2026-12-26"]
    with schema_context(tenant_bravo.tenant.schema_name):
        assert not BusinessHours.objects.exists()
    page = client.get("/dashboard/offline").content.decode()
    assert "09:00-12:00, 13:00-17:00" in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("timezone", "Mars/Olympus", "IANA timezone"),
        ("monday", "17:00-09:00", "ends before"),
        ("tuesday", "9 to 5", "range like"),
        ("holidays", "Christmas", "date like"),
    ],
)
def test_bad_hours_are_refused_with_the_reason(alpha_staff, offline_reset, field, value, message):
    response = login(alpha_staff).post("/dashboard/offline", {**HOURS, field: value})
    assert response.status_code == 400
    assert message in response.content.decode()
    with schema_context(alpha_staff.created.tenant.schema_name):
        assert not BusinessHours.objects.exists()


def test_follow_up_settings_are_saved(alpha_staff, offline_reset):
    form = {
        "form": "followup",
        "delay_minutes": "25",
        "ask_email": "on",
        "prechat_enabled": "on",
        "prechat_fields": ["name", "question"],
    }
    assert login(alpha_staff).post("/dashboard/offline", form).status_code == 302
    with schema_context(alpha_staff.created.tenant.schema_name):
        saved = FollowupSettings.objects.get()
    assert (saved.delay_minutes, saved.prechat_fields) == (25, ["name", "question"])
    bad = login(alpha_staff).post("/dashboard/offline", {**form, "delay_minutes": "0"})
    assert bad.status_code == 400


def test_an_agent_may_not_change_hours_but_chooses_own_notifications(
    live_db, tenant_alpha, offline_reset
):
    agent = staff_of(tenant_alpha, role=Role.AGENT, email="agent@alpha.example")
    client = login(agent)
    assert client.post("/dashboard/offline", HOURS).status_code == 403
    response = client.post(
        "/dashboard/offline", {"form": "notifications", "new_conversation_email": "on"}
    )
    assert response.status_code == 302
    with schema_context(tenant_alpha.tenant.schema_name):
        assert not BusinessHours.objects.exists()
        assert AgentPreference.objects.get(user_id=agent.pk).new_conversation_email


def test_an_opted_in_agent_is_emailed_a_new_conversation_while_offline(
    live_db, tenant_alpha, offline_reset
):
    from parlor.base.identity import PrincipalKind
    from parlor.chat.permissions import own_conversation
    from parlor.chat.posting import message_post
    from parlor.chat.tests.support import principal_for

    agent = staff_of(tenant_alpha, role=Role.AGENT, email="agent@alpha.example")
    quiet = staff_of(tenant_alpha, role=Role.AGENT, email="quiet@alpha.example")
    login(agent).post(
        "/dashboard/offline", {"form": "notifications", "new_conversation_email": "on"}
    )
    login(quiet).post("/dashboard/offline", {"form": "notifications"})
    tenant = tenant_alpha.tenant
    followup_sweep(tenant=tenant, now=timezone.now())  # the first look sets the mark
    visitor = principal_for(tenant_alpha, PrincipalKind.VISITOR, name="V", rooms=())
    with schema_context(tenant.schema_name):
        room = own_conversation(visitor)
        message_post(sender=visitor, room_id=room, body="Anyone there?", client_msg_id="m1")
    mail.outbox.clear()
    followup_sweep(tenant=tenant, now=timezone.now() + timedelta(seconds=1))
    assert mail.outbox == [], "sent by a retried job, not by the sweep"
    assert followup_jobs_run() == 1
    [notice] = mail.outbox
    assert notice.to == ["agent@alpha.example"]
    assert "Anyone there?" in notice.body


def test_the_page_needs_a_login(live_db, client, tenant_alpha):
    response = client.get("/dashboard/offline", HTTP_HOST=tenant_alpha.domain)
    assert response.status_code == 302 and "/dashboard/login" in response["Location"]
