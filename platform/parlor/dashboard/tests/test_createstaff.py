"""`manage.py createstaff`: a staff user in one tenant's schema, with clear refusals."""

from __future__ import annotations

import io
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client
from django_tenants.utils import schema_context

from parlor.dashboard.services import staff_ensure
from parlor.dashboard.tests.conftest import PASSWORD

pytestmark = pytest.mark.usefixtures("live_db", "tenant_alpha")


def _exists(schema: str, username: str) -> bool:
    with schema_context(schema):
        return get_user_model().objects.filter(username=username, is_staff=True).exists()


def _can_log_in(host: str, username: str, password: str) -> bool:
    client = Client(HTTP_HOST=host)
    client.post("/dashboard/login", {"username": username, "password": password})
    return client.get("/dashboard/").status_code == 200


def test_createstaff_makes_a_user_of_that_tenant_only():
    username = f"ana-{uuid.uuid4().hex[:8]}"
    out = io.StringIO()
    call_command("createstaff", "alpha", username=username, password=PASSWORD, stdout=out)
    assert "alpha.localhost/dashboard/" in out.getvalue()
    assert PASSWORD not in out.getvalue()
    assert _exists("alpha", username)
    assert not _exists("bravo", username) and not _exists("public", username)
    assert _can_log_in("alpha.localhost", username, PASSWORD)
    assert not _can_log_in("bravo.localhost", username, PASSWORD)


def test_createstaff_reads_the_password_from_stdin(monkeypatch):
    username = f"ben-{uuid.uuid4().hex[:8]}"
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    call_command(
        "createstaff", "alpha", "--password-stdin", username=username, stdout=io.StringIO()
    )
    assert _can_log_in("alpha.localhost", username, PASSWORD)


@pytest.mark.parametrize(
    "slug, password, code",
    [
        ("nosuchtenant", PASSWORD, "not_found"),
        ("alpha", "123", "weak_password"),
        ("alpha", "password", "weak_password"),
    ],
)
def test_createstaff_refusals_name_the_problem_and_create_nothing(slug, password, code):
    username = f"cy-{uuid.uuid4().hex[:8]}"
    with pytest.raises(CommandError, match=code):
        call_command("createstaff", slug, username=username, password=password)
    assert not _exists("alpha", username)


def test_createstaff_refuses_a_taken_username():
    username = f"dee-{uuid.uuid4().hex[:8]}"
    call_command("createstaff", "alpha", username=username, password=PASSWORD, stdout=io.StringIO())
    with pytest.raises(CommandError, match="conflict"):
        call_command("createstaff", "alpha", username=username, password="another-long-one")
    assert _can_log_in("alpha.localhost", username, PASSWORD)


def test_staff_ensure_creates_once_and_restores_the_known_password(tenant_alpha):
    username = f"demo-{uuid.uuid4().hex[:8]}"
    staff_ensure(tenant=tenant_alpha.tenant, username=username, password="known-pass-1")
    staff_ensure(tenant=tenant_alpha.tenant, username=username, password="known-pass-1")
    with schema_context("alpha"):
        assert get_user_model().objects.filter(username=username).count() == 1
        user = get_user_model().objects.get(username=username)
        user.set_password("changed-meanwhile")
        user.save()
    staff_ensure(tenant=tenant_alpha.tenant, username=username, password="known-pass-1")
    assert _can_log_in("alpha.localhost", username, "known-pass-1")


def test_createstaff_makes_an_owner_unless_told_otherwise():
    from parlor.team.selectors import staff_role_get

    owner, agent = (f"{name}-{uuid.uuid4().hex[:8]}" for name in ("own", "agt"))
    out = io.StringIO()
    call_command("createstaff", "alpha", username=owner, password=PASSWORD, stdout=out)
    call_command(
        "createstaff", "alpha", username=agent, password=PASSWORD, role="agent", stdout=out
    )
    assert "as owner" in out.getvalue() and "as agent" in out.getvalue()
    with schema_context("alpha"):
        users = get_user_model().objects
        assert staff_role_get(user=users.get(username=owner)) == "owner"
        assert staff_role_get(user=users.get(username=agent)) == "agent"
