"""Who may do what: every admin page and POST, for owners, admins, agents, another tenant's
staff and anonymous visitors. Refused requests change nothing (no audit row, no new key)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django_tenants.utils import schema_context

from parlor.audit.models import AuditEntry
from parlor.chat.assignment import auto_assign_set
from parlor.dashboard.tests.conftest import Staff, login, staff_of
from parlor.team.roles import Role
from parlor.team.selectors import staff_role_get
from tenants.api_keys import api_key_create
from tenants.models import ApiKey

ADMIN_PAGES = [
    "/dashboard/settings",
    "/dashboard/api-keys",
    "/dashboard/signing-keys",
    "/dashboard/webhooks",
    "/dashboard/data",
    "/dashboard/staff",
    "/dashboard/audit",
]
# (path, form data); {key} and {target} are filled in per test.
ADMIN_POSTS = [
    ("/dashboard/api-keys", {}),
    ("/dashboard/api-keys/{key}/revoke", {}),
    ("/dashboard/signing-keys/rotate", {}),
    ("/dashboard/settings", {"form": "look", "title": "Help"}),
    ("/dashboard/settings", {"form": "origins", "origins": "{origins}"}),
    ("/dashboard/webhooks/ep_missing/enable", {}),
    ("/dashboard/webhooks/ep_missing/deliveries/1/redeliver", {}),
    ("/dashboard/data", {"action": "retention", "conversation_days": ""}),
    ("/dashboard/data", {"action": "erase", "kind": "visitor", "id": "v_nobody"}),
    (
        "/dashboard/staff",
        {"username": "new-{target}", "role": "agent", "password": "pw-long-enough-1"},
    ),
    ("/dashboard/staff/{target}/role", {"role": "admin"}),
    ("/dashboard/staff/{target}/deactivate", {}),
    ("/dashboard/staff/{target}/reactivate", {}),
    ("/dashboard/auto-assign", {"auto_assign": "on"}),
]
AGENT_PAGES = ["/dashboard/", "/dashboard/password"]
ACTORS = ["owner", "admin", "agent", "other-tenant", "anonymous"]
MANAGERS = {"owner", "admin"}


ORIGINS = ["https://shop.alpha.example", "http://127.0.0.1:8001"]


@pytest.fixture(autouse=True)
def kept(alpha_settings_kept):
    """The matrix saves alpha's widget settings and origins (the conftest puts them back)."""
    yield
    with schema_context("alpha"):
        # Owners and admins turn auto-assignment on: other tests expect it off.
        auto_assign_set(enabled=False)


@dataclass
class Scene:
    client: Client
    key_id: int
    target: Staff


def _client_of(actor: str, tenant_alpha, tenant_bravo) -> Client:
    if actor == "anonymous":
        return Client(HTTP_HOST=tenant_alpha.domain)
    if actor == "other-tenant":
        # An owner of bravo, logged in on bravo's host, sends the cookie to alpha's host.
        client = login(staff_of(tenant_bravo, role=Role.OWNER))
        client.defaults["HTTP_HOST"] = tenant_alpha.domain
        return client
    return login(staff_of(tenant_alpha, role=actor))


@pytest.fixture
def scene(request, tenant_alpha, tenant_bravo) -> Scene:
    key = api_key_create(tenant=tenant_alpha.tenant).api_key
    target = staff_of(tenant_alpha, name="Target", role=Role.AGENT)
    return Scene(
        client=_client_of(request.param, tenant_alpha, tenant_bravo), key_id=key.id, target=target
    )


def _audit_count() -> int:
    with schema_context("alpha"):
        return AuditEntry.objects.count()


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/dashboard/login")


def _refused(actor: str, response) -> bool:
    if actor == "agent":
        return response.status_code == 403
    return _is_login_redirect(response)


@pytest.mark.usefixtures("live_db")
@pytest.mark.parametrize("scene", ACTORS, indirect=True)
@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages_open_to_owners_and_admins_only(scene, path, request):
    actor = request.node.callspec.params["scene"]
    response = scene.client.get(path)
    if actor in MANAGERS:
        assert response.status_code == 200, response.content[:300]
    else:
        assert _refused(actor, response), (response.status_code, response.get("Location"))


@pytest.mark.usefixtures("live_db")
@pytest.mark.parametrize("scene", ACTORS, indirect=True)
@pytest.mark.parametrize(("path", "data"), ADMIN_POSTS)
def test_admin_posts_work_for_owners_and_admins_only(scene, path, data, request):
    actor = request.node.callspec.params["scene"]
    fill = {"key": scene.key_id, "target": scene.target.pk, "origins": "\n".join(ORIGINS)}
    path = path.format(**fill)
    data = {name: value.format(**fill) for name, value in data.items()}
    before = (_audit_count(), ApiKey.objects.count())
    response = scene.client.post(path, data)
    if actor in MANAGERS:
        # The view ran: a page, a redirect back to it, or 404 for the missing webhook ids.
        assert response.status_code in {200, 302, 404}, response.content[:300]
        assert not _is_login_redirect(response)
    else:
        assert _refused(actor, response), (response.status_code, response.get("Location"))
        assert (_audit_count(), ApiKey.objects.count()) == before
        with schema_context("alpha"):
            target = get_user_model().objects.get(pk=scene.target.pk)
            assert target.is_active and staff_role_get(user=target) == Role.AGENT


@pytest.mark.usefixtures("live_db")
@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN, Role.AGENT])
@pytest.mark.parametrize("path", AGENT_PAGES)
def test_every_role_works_conversations_and_its_own_password(tenant_alpha, role, path):
    client = login(staff_of(tenant_alpha, role=role))
    assert client.get(path).status_code == 200
    token = client.post("/dashboard/agent-token")
    assert token.status_code == 200 and token.json()["token"]


@pytest.mark.usefixtures("live_db")
def test_agents_see_no_admin_links(tenant_alpha):
    agent_page = login(staff_of(tenant_alpha, role=Role.AGENT)).get("/dashboard/").content.decode()
    admin_page = login(staff_of(tenant_alpha, role=Role.ADMIN)).get("/dashboard/").content.decode()
    for link in ("/dashboard/api-keys", "/dashboard/staff", "/dashboard/audit"):
        assert link not in agent_page
        assert link in admin_page
