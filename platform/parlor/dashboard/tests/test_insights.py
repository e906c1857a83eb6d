"""Search, analytics and export pages: who may use them, what they show, what they refuse.

Every staff role searches, sees analytics and exports a single transcript; only owners and
admins export a date range. Another tenant's staff and anonymous visitors get the login page.
"""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from parlor.audit.models import AuditEntry
from parlor.chat.tests.seeding import room_seed
from parlor.dashboard.tests.conftest import login, staff_of
from parlor.dashboard.tests.test_pages import XSS
from parlor.team.roles import Role

pytestmark = [
    pytest.mark.usefixtures("live_db"),
    # The test client is WSGI-like: it reads the async stream through async_to_sync and says so.
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume asynchronous"),
]

DAY = datetime(2017, 8, 9, 10, 0, tzinfo=UTC)
ROLES = [Role.OWNER, Role.ADMIN, Role.AGENT]


def word() -> str:
    return f"zq{uuid.uuid4().hex[:10]}"


def newest_audit(schema: str) -> AuditEntry:
    with schema_context(schema):
        return AuditEntry.objects.order_by("-id").first()


@pytest.mark.parametrize("role", ROLES)
def test_every_role_searches_and_a_result_links_to_its_place(tenant_alpha, tenant_bravo, role):
    term = word()
    with schema_context("alpha"):
        room = room_seed(
            created_at=DAY,
            lines=[("visitor", "owner", "hello", DAY), ("visitor", "owner", f"{XSS} {term}", DAY)],
        )
    with schema_context("bravo"):
        room_seed(created_at=DAY, lines=[("visitor", "owner", f"bravo {term}", DAY)])
    page = login(staff_of(tenant_alpha, role=role)).get("/dashboard/search", {"q": term})
    assert page.status_code == 200
    html = page.content.decode()
    assert f'href="/dashboard/conversations/{room}?seq=2#m-2"' in html
    assert f"<mark>{term}</mark>" in html
    assert XSS not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "bravo " + term not in html
    assert "1 result." in html


def test_an_empty_search_is_a_form_error_and_no_query_is_just_the_form(alpha_staff):
    client = login(alpha_staff)
    refused = client.get("/dashboard/search", {"q": "   "})
    assert refused.status_code == 400 and 'role="alert"' in refused.content.decode()
    blank = client.get("/dashboard/search")
    assert blank.status_code == 200 and "result" not in blank.content.decode()


def test_a_search_link_opens_the_page_of_the_transcript_holding_that_message(alpha_staff):
    start = DAY + timedelta(days=1)
    lines = [("visitor", "owner", f"message {n}", start) for n in range(1, 301)]
    with schema_context("alpha"):
        room = room_seed(created_at=start, lines=lines)
    client = login(alpha_staff)
    html = client.get(f"/dashboard/conversations/{room}?seq=20").content.decode()
    assert 'id="m-20"' in html and 'id="m-1"' in html and 'id="m-300"' not in html
    html = client.get(f"/dashboard/conversations/{room}?seq=150").content.decode()
    assert 'id="m-150"' in html and 'id="m-101"' in html and 'id="m-201"' not in html
    newest = client.get(f"/dashboard/conversations/{room}?seq=x").content.decode()
    assert 'id="m-300"' in newest


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_analytics_as_charts_with_a_table(tenant_alpha, role):
    response = login(staff_of(tenant_alpha, role=role)).get("/dashboard/insights")
    assert response.status_code == 200
    html = response.content.decode()
    for chart in ("conversations", "messages", "first-response"):
        assert f'aria-labelledby="chart-{chart}-title chart-{chart}-desc"' in html
    assert html.count("<tr>") == 31  # the header row and 30 days by default
    assert ("Export conversations" in html) is (role != Role.AGENT)


def test_analytics_count_the_chosen_days(alpha_staff):
    day = DAY + timedelta(days=5)
    with schema_context("alpha"):
        room_seed(
            created_at=day,
            lines=[
                ("visitor", "owner", "hi", day),
                ("agent", "a", "hello", day + timedelta(seconds=90)),
            ],
        )
    html = login(alpha_staff).get("/dashboard/insights", {"from": day.date(), "to": day.date()})
    cells = html.content.decode().split(f'<th scope="row">{day.date()}</th>')[1].split("</tr>")[0]
    assert "<td>2</td>" in cells and "<td>1.5 min</td>" in cells


def test_every_chart_shows_and_an_empty_range_says_so(alpha_staff):
    # Resolve events and ratings are tables of every tenant schema: their charts always show.
    quiet = {"from": "2001-01-01", "to": "2001-01-07"}
    html = login(alpha_staff).get("/dashboard/insights", quiet).content.decode()
    for chart in ("resolution", "csat", "csat-count"):
        assert f'aria-labelledby="chart-{chart}-title chart-{chart}-desc"' in html
    assert "No data in this range." in html and "No data:" not in html
    day = DAY + timedelta(days=9)
    with schema_context("alpha"):
        room_seed(created_at=day, lines=[("visitor", "owner", "hi", day)])
    busy = login(alpha_staff).get("/dashboard/insights", {"from": day.date(), "to": day.date()})
    assert "No data in this range." not in busy.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"from": "2026-02-01", "to": "2026-01-01"},
        {"from": "2020-01-01", "to": "2026-01-01"},
        {"from": "someday"},
    ],
)
def test_a_bad_range_is_a_form_error(alpha_staff, query):
    response = login(alpha_staff).get("/dashboard/insights", query)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html and "<svg" not in html


def test_an_agent_exports_a_transcript_and_it_is_audited(tenant_alpha):
    agent = staff_of(tenant_alpha, role=Role.AGENT)
    with schema_context("alpha"):
        room = room_seed(created_at=DAY, lines=[("visitor", "owner", "@SUM(1)", DAY)])
    response = login(agent).get(f"/dashboard/conversations/{room}/export", {"format": "csv"})
    assert response.status_code == 200 and response.streaming
    rows = list(csv.DictReader(io.StringIO(b"".join(response).decode())))
    assert [row["body"] for row in rows] == ["'@SUM(1)"]
    entry = newest_audit("alpha")
    assert (entry.actor, entry.action, entry.target) == (
        f"staff-{agent.pk}",
        "conversation.exported",
        room,
    )
    page = login(agent).get(f"/dashboard/conversations/{room}").content.decode()
    assert f"/dashboard/conversations/{room}/export?format=csv" in page


def test_another_tenants_transcript_cannot_be_exported(alpha_staff, tenant_bravo):
    with schema_context("bravo"):
        room = room_seed(created_at=DAY, lines=[("visitor", "owner", "bravo only", DAY)])
    response = login(alpha_staff).get(f"/dashboard/conversations/{room}/export")
    assert response.status_code == 404
    assert login(alpha_staff).get("/dashboard/conversations/bad%20id/export").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_only_owners_and_admins_export_a_date_range(tenant_alpha, role):
    day = DAY + timedelta(days=9)
    with schema_context("alpha"):
        room_seed(created_at=day, lines=[("visitor", "owner", "in range", day)])
        before = AuditEntry.objects.count()
    query = {"from": day.date(), "to": day.date(), "format": "json"}
    response = login(staff_of(tenant_alpha, role=role)).get(
        "/dashboard/exports/conversations", query
    )
    if role == Role.AGENT:
        assert response.status_code == 403
        with schema_context("alpha"):
            assert AuditEntry.objects.count() == before
        return
    assert response.status_code == 200 and response.streaming
    assert b'"body":"in range"' in b"".join(response)
    assert newest_audit("alpha").detail == {"format": "json", "scope": "range"}


def test_a_bad_export_range_is_a_form_error(alpha_staff):
    query = {"from": "2026-02-01", "to": "2026-01-01", "format": "csv"}
    response = login(alpha_staff).get("/dashboard/exports/conversations", query)
    assert response.status_code == 400 and 'role="alert"' in response.content.decode()


@pytest.mark.parametrize(
    "path",
    ["/dashboard/search?q=x", "/dashboard/insights", "/dashboard/exports/conversations"],
)
def test_other_tenants_staff_and_anonymous_visitors_get_the_login_page(
    tenant_alpha, tenant_bravo, path
):
    outsider = login(staff_of(tenant_bravo, role=Role.OWNER))
    outsider.defaults["HTTP_HOST"] = tenant_alpha.domain
    for client in (outsider, Client(HTTP_HOST=tenant_alpha.domain)):
        response = client.get(path)
        assert response.status_code == 302 and "/dashboard/login" in response["Location"]
