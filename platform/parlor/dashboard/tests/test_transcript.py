"""The transcript page's live part: the shared client's bundle, and an outbox of its own for
each staff member of each tenant (a reply queued on a shared browser goes out as its author)."""

from __future__ import annotations

import re

import pytest

from parlor.dashboard.tests.conftest import login, staff_of
from parlor.dashboard.tests.test_pages import visitor_writes
from parlor.widget_serving.assets import widget_build

pytestmark = pytest.mark.usefixtures("live_db")

OUTBOX = re.compile(r'data-outbox="([^"]+)"')
SCRIPT = re.compile(r'<script src="(/widget/dashboard\.[0-9a-f]{16}\.js)" defer></script>')


def _transcript(staff, room: str) -> str:
    response = login(staff).get(f"/dashboard/conversations/{room}")
    assert response.status_code == 200
    return response.content.decode()


def test_each_staff_member_of_each_tenant_queues_replies_apart(tenant_alpha, tenant_bravo):
    dana, sam, bruno = staff_of(tenant_alpha), staff_of(tenant_alpha, "Sam"), staff_of(tenant_bravo)
    alpha_room = visitor_writes(tenant_alpha, "hello alpha")
    bravo_room = visitor_writes(tenant_bravo, "hello bravo")
    namespaces = [
        OUTBOX.search(_transcript(staff, room)).group(1)
        for staff, room in ((dana, alpha_room), (sam, alpha_room), (bruno, bravo_room))
    ]
    assert namespaces == [
        f"dashboard:alpha:{dana.pk}",
        f"dashboard:alpha:{sam.pk}",
        f"dashboard:bravo:{bruno.pk}",
    ]


def test_the_live_transcript_loads_the_shared_client_bundle(alpha_staff, client):
    room = visitor_writes(alpha_staff.created, "hello")
    script = SCRIPT.search(_transcript(alpha_staff, room))
    assert script, "the transcript loads the dashboard bundle by its hashed name"
    assert script.group(1) == "/" + widget_build().dashboard.path
    served = client.get(script.group(1))
    assert served.status_code == 200
    assert served["Cache-Control"] == "public, max-age=31536000, immutable"
    assert served.content == widget_build().dashboard.content


def test_an_older_page_of_the_transcript_is_not_live(alpha_staff):
    room = visitor_writes(alpha_staff.created, "one")
    page = login(alpha_staff).get(f"/dashboard/conversations/{room}?before=2").content.decode()
    assert not SCRIPT.search(page)
