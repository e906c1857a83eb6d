"""The operator console: operators only, platform host only; tenants, quotas, suspend, delete."""

from __future__ import annotations

import gzip
import io
import json
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from parlor.console.tests.support import (
    PASSWORD,
    PLATFORM_HOST,
    console_login,
    dashboard_login,
    operator,
    tenant_owner,
)
from tenants.models import PlatformAuditEntry, Tenant
from tenants.suspension import tenant_resume

pytestmark = pytest.mark.usefixtures("live_db")


@pytest.fixture(autouse=True)
def public_schema_after():
    yield
    connection.set_schema_to_public()


@pytest.fixture
def console() -> Client:
    client, status = console_login(operator())
    assert status == 302
    return client


@pytest.fixture
def alpha_kept(tenant_alpha):
    """Alpha's plan, overrides and state as they were, after the test."""
    tenant = Tenant.objects.get(pk=tenant_alpha.tenant.pk)
    kept = (tenant.plan, dict(tenant.quota_overrides))
    yield
    tenant = Tenant.objects.get(pk=tenant.pk)
    tenant.plan, tenant.quota_overrides = kept
    tenant.save(update_fields=["plan", "quota_overrides"])
    if tenant.suspended_at is not None:
        tenant_resume(tenant=tenant, actor="test")


def test_anonymous_users_are_sent_to_the_console_login():
    response = Client(HTTP_HOST=PLATFORM_HOST).get("/operator/")
    assert response.status_code == 302 and response["Location"].startswith("/operator/login")


@pytest.mark.parametrize("path", ["/operator/", "/operator/login", "/operator/audit"])
def test_the_console_is_absent_on_a_tenants_host(tenant_alpha, path):
    assert Client(HTTP_HOST=tenant_alpha.domain).get(path).status_code == 404
    owner = dashboard_login(tenant_alpha, tenant_owner(tenant_alpha))
    assert owner.get(path).status_code == 404, "not even for the tenant's owner"


def test_tenant_staff_cannot_log_into_the_console(tenant_alpha):
    username = tenant_owner(tenant_alpha)
    client, status = console_login(username)
    assert status == 200, "a tenant's staff account does not exist on the platform"
    assert client.get("/operator/").status_code == 302


def test_a_platform_user_who_is_not_an_operator_is_refused():
    username = f"plain-{uuid.uuid4().hex[:6]}"
    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    client, status = console_login(username)
    assert status == 200, "same answer as a wrong password"
    client.force_login(user)
    assert client.get("/operator/").status_code == 403


def test_an_operator_sees_every_tenant_with_its_usage(console):
    page = console.get("/operator/").content.decode()
    assert 'data-tenant="alpha"' in page and 'data-tenant="bravo"' in page
    assert "Messages today" in page and "Storage" in page and "Sockets now" in page
    assert "public" not in page.split("<tbody>")[1].split("</tbody>")[0]


def test_an_operator_creates_then_deletes_a_tenant_with_a_final_export(console, settings, tmp_path):
    settings.PARLOR = {**settings.PARLOR, "EXPORT_DIR": str(tmp_path)}
    slug = f"op_{uuid.uuid4().hex[:6]}"
    form = {"slug": slug, "name": "Op Co", "domain": f"{slug.replace('_', '-')}.localhost"}
    created = console.post("/operator/", {**form, "plan": "free"})
    assert created.status_code == 200 and b"sk_" in created.content
    tenant = Tenant.objects.get(slug=slug)
    assert tenant.plan == "free"
    with schema_context(slug):
        get_user_model().objects.create_user(username="kept", password="x", is_staff=True)
    wrong = console.post(f"/operator/tenants/{slug}/delete", {"confirm": "nope"})
    assert wrong.status_code == 400 and Tenant.objects.filter(slug=slug).exists()
    deleted = console.post(f"/operator/tenants/{slug}/delete", {"confirm": slug})
    assert deleted.status_code == 302
    assert not Tenant.objects.filter(slug=slug).exists()
    (export,) = tmp_path.glob(f"{slug}-*.jsonl.gz")
    with gzip.open(export, "rt") as lines_file:
        lines = [json.loads(line) for line in lines_file]
    assert lines[0]["tenant"]["slug"] == slug
    users = [line["row"] for line in lines if line.get("table") == "auth_user"]
    assert [user["username"] for user in users] == ["kept"]
    assert "password" not in users[0], "no secret leaves in an export"
    actions = PlatformAuditEntry.objects.filter(tenant_slug=slug).values_list("action", flat=True)
    assert set(actions) == {"tenant.created", "tenant.deleted"}


def test_deleting_a_tenant_that_does_not_exist_is_a_clear_error(console):
    response = console.post(
        "/operator/tenants/no_such_tenant/delete", {"confirm": "no_such_tenant"}
    )
    assert response.status_code == 404 and b"No tenant with slug" in response.content


def test_the_public_schema_has_no_tenant_page_and_cannot_be_suspended(console):
    assert console.get("/operator/tenants/public").status_code == 404
    response = console.post("/operator/tenants/public/suspend", {"reason": "x"})
    assert response.status_code == 302
    assert Tenant.objects.get(schema_name="public").suspended_at is None


def test_quota_edits_are_saved_and_logged(console, alpha_kept):
    response = console.post(
        "/operator/tenants/alpha/quotas", {"plan": "business", "sockets": "250", "agents": ""}
    )
    assert response.status_code == 302
    tenant = Tenant.objects.get(slug="alpha")
    assert (tenant.plan, tenant.quota_overrides) == ("business", {"sockets": 250})
    entry = PlatformAuditEntry.objects.filter(action="tenant.plan_changed").first()
    assert entry.detail["after"] == {"plan": "business", "overrides": {"sockets": 250}}


@pytest.mark.parametrize(
    "bad",
    [{"sockets": "0"}, {"sockets": "-4"}, {"agents": "ten"}, {"agents": "2.5"}, {"plan": "gold"}],
)
def test_a_bad_quota_is_a_form_error_and_nothing_changes(console, alpha_kept, bad):
    before = Tenant.objects.get(slug="alpha")
    form = {"plan": "free", "messages_per_minute": "99", **bad}
    response = console.post("/operator/tenants/alpha/quotas", form)
    assert response.status_code == 400 and b'class="errors"' in response.content
    after = Tenant.objects.get(slug="alpha")
    assert (after.plan, after.quota_overrides) == (before.plan, before.quota_overrides)


def test_an_operator_suspends_and_resumes_from_the_console(console, alpha_kept):
    assert console.post("/operator/tenants/alpha/suspend", {"reason": "abuse"}).status_code == 302
    assert Tenant.objects.get(slug="alpha").suspended_at is not None
    assert b"suspended" in console.get("/operator/tenants/alpha").content
    assert console.post("/operator/tenants/alpha/resume").status_code == 302
    assert Tenant.objects.get(slug="alpha").suspended_at is None
    audit = console.get("/operator/audit").content.decode()
    assert "tenant.suspended" in audit and "abuse" in audit


def test_html_in_a_tenant_name_is_shown_as_text(console, settings, tmp_path):
    settings.PARLOR = {**settings.PARLOR, "EXPORT_DIR": str(tmp_path)}
    slug = f"op_{uuid.uuid4().hex[:6]}"
    form = {"slug": slug, "name": "<b>x</b>", "domain": f"{slug.replace('_', '-')}.localhost"}
    page = console.post("/operator/", {**form, "plan": "team"}).content.decode()
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page
    console.post(f"/operator/tenants/{slug}/delete", {"confirm": slug})


def test_createoperator_refuses_a_tenants_schema_and_makes_one_on_the_platform(monkeypatch):
    username = f"op-{uuid.uuid4().hex[:6]}"
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    with schema_context("alpha"), pytest.raises(CommandError, match="not_public_schema"):
        call_command("createoperator", username, "--password-stdin")
    assert not get_user_model().objects.filter(username=username).exists()
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    call_command("createoperator", username, "--password-stdin", stdout=io.StringIO())
    _, status = console_login(username)
    assert status == 302


def test_createoperator_needs_the_password_on_stdin_and_a_strong_one(monkeypatch):
    with pytest.raises(CommandError, match="password-stdin"):
        call_command("createoperator", "someone")
    monkeypatch.setattr("sys.stdin", io.StringIO("123\n"))
    with pytest.raises(CommandError, match="weak_password"):
        call_command("createoperator", f"op-{uuid.uuid4().hex[:6]}", "--password-stdin")
