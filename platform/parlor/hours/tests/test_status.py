"""The widget status from the stored schedule, at a frozen `now`, and in the widget session."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django_tenants.utils import schema_context

from parlor.hours.models import BusinessHours
from parlor.hours.services import business_hours_update
from parlor.hours.status import AWAY, CLOSED, widget_status

pytestmark = pytest.mark.usefixtures("live_db")
WEEKDAYS = [[["09:00", "17:00"]]] * 5 + [[], []]


@pytest.fixture
def hours_reset(tenant_alpha, tenant_bravo):
    yield
    for created in (tenant_alpha, tenant_bravo):
        with schema_context(created.tenant.schema_name):
            BusinessHours.objects.all().delete()


def set_hours(created, **values):
    defaults = {"enabled": True, "timezone": "America/New_York", "weekly": WEEKDAYS}
    with schema_context(created.tenant.schema_name):
        business_hours_update(holidays=[], **{**defaults, **values})


def test_without_hours_the_widget_is_away_never_closed(tenant_alpha, hours_reset):
    status = widget_status(tenant_alpha.tenant, now=datetime(2026, 12, 6, 3, tzinfo=UTC))
    assert status.state == AWAY
    assert status.next_open is None


def test_closed_on_sunday_back_on_monday_in_the_tenants_timezone(tenant_alpha, hours_reset):
    set_hours(tenant_alpha, reply_time="an hour", offline_form=True)
    sunday = datetime(2026, 12, 6, 15, tzinfo=UTC)
    status = widget_status(tenant_alpha.tenant, now=sunday).as_dict()
    assert status == {
        "state": CLOSED,
        "reply_time": "an hour",
        "next_open": "2026-12-07T14:00:00Z",  # 09:00 in New York (UTC-5)
        "timezone": "America/New_York",
        "offline_form": True,
    }
    monday_open = datetime(2026, 12, 7, 15, tzinfo=UTC)
    open_status = widget_status(tenant_alpha.tenant, now=monday_open)
    assert (open_status.state, open_status.reply_time, open_status.offline_form) == (
        AWAY,
        "an hour",
        False,
    )


def test_one_tenants_hours_do_not_close_another(tenant_alpha, tenant_bravo, hours_reset):
    set_hours(tenant_alpha, weekly=[[]] * 7)
    now = datetime(2026, 12, 7, 15, tzinfo=UTC)
    assert widget_status(tenant_alpha.tenant, now=now).state == CLOSED
    assert widget_status(tenant_bravo.tenant, now=now).state == AWAY


def test_the_widget_session_carries_the_status(client, tenant_alpha, hours_reset, settings):
    set_hours(tenant_alpha, weekly=[[]] * 7)
    settings.PARLOR = {**settings.PARLOR, "HOURS_FROZEN_NOW": "2026-12-07T15:00:00+00:00"}
    response = client.post(
        "/api/v1/widget/sessions",
        json.dumps({"key": tenant_alpha.tenant.publishable_key}),
        content_type="application/json",
        HTTP_ORIGIN="https://shop.alpha.example",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"]["state"] == CLOSED
    assert body["followup"] == {"ask_email": True, "prechat_fields": []}
