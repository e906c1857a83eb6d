"""Who gets in: staff of the host's tenant only, sessions never cross tenants, CSRF on POSTs."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django_tenants.utils import schema_context

from parlor.dashboard.access import SESSION_TENANT_KEY
from parlor.dashboard.tests.conftest import PASSWORD, login, staff_of
from tenants.models import ApiKey

PAGES = [
    "/dashboard/",
    "/dashboard/conversations/any-room",
    "/dashboard/settings",
    "/dashboard/api-keys",
    "/dashboard/signing-keys",
]
POSTS = [
    "/dashboard/api-keys",
    "/dashboard/signing-keys/rotate",
    "/dashboard/settings",
    "/dashboard/conversations/any-room/reply",
]


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/dashboard/login")


@pytest.mark.usefixtures("live_db")
@pytest.mark.parametrize("path", ["/dashboard/", "/dashboard/login", "/dashboard/settings"])
def test_the_platform_host_names_no_tenant_and_points_to_tenant_hosts(path):
    response = Client().get(path)
    assert response.status_code == 404
    page = response.content.decode()
    assert "your company" in page
    assert "alpha" not in page and "bravo" not in page


@pytest.mark.usefixtures("live_db")
def test_logging_in_on_the_platform_host_is_not_possible(alpha_staff):
    response = Client().post(
        "/dashboard/login", {"username": alpha_staff.username, "password": PASSWORD}
    )
    assert response.status_code == 404
    assert "sessionid" not in response.cookies


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_are_sent_to_the_login_page(live_db, tenant_alpha, path):
    response = Client(HTTP_HOST="alpha.localhost").get(path)
    assert _is_login_redirect(response)


def test_staff_log_in_and_out(alpha_staff):
    client = login(alpha_staff)
    assert client.get("/dashboard/").status_code == 200
    assert client.get("/dashboard/logout").status_code == 405
    response = client.post("/dashboard/logout")
    assert response.status_code == 302
    assert _is_login_redirect(client.get("/dashboard/"))


def test_a_wrong_password_gets_a_clear_error_and_no_session(alpha_staff):
    client = Client(HTTP_HOST="alpha.localhost")
    response = client.post(
        "/dashboard/login", {"username": alpha_staff.username, "password": "wrong-password"}
    )
    assert response.status_code == 200
    assert "enter a correct username and password" in response.content.decode()
    assert _is_login_redirect(client.get("/dashboard/"))


def test_an_alpha_session_does_not_work_on_bravos_host(alpha_staff, bravo_staff):
    client = login(alpha_staff)
    assert client.get("/dashboard/").status_code == 200
    session_key = client.cookies["sessionid"].value

    def on_bravo(method, path):
        # Bravo's host finds no such session and clears the cookie: send it again every time.
        client.cookies["sessionid"] = session_key
        return getattr(client, method)(path, {}, HTTP_HOST="bravo.localhost")

    for path in PAGES:
        assert _is_login_redirect(on_bravo("get", path)), path
    for path in POSTS:
        assert _is_login_redirect(on_bravo("post", path)), path
    response = on_bravo("post", "/dashboard/agent-token")
    assert response.status_code == 401
    assert "token" not in response.json()
    # Sessions live in each tenant's schema: bravo's has no trace of alpha's session.
    with schema_context("bravo"):
        assert not Session.objects.filter(session_key=session_key).exists()
    with schema_context("alpha"):
        assert Session.objects.filter(session_key=session_key).exists()
    client.cookies["sessionid"] = session_key
    assert client.get("/dashboard/").status_code == 200


def test_an_alphas_staff_user_cannot_log_in_on_bravos_host(alpha_staff, bravo_staff):
    client = Client(HTTP_HOST="bravo.localhost")
    response = client.post(
        "/dashboard/login", {"username": alpha_staff.username, "password": PASSWORD}
    )
    assert response.status_code == 200
    assert _is_login_redirect(client.get("/dashboard/"))


def test_a_session_marked_for_another_tenant_is_refused_and_ended(alpha_staff):
    client = login(alpha_staff)
    with schema_context("alpha"):
        session = client.session
        assert session[SESSION_TENANT_KEY] == "alpha"
        session[SESSION_TENANT_KEY] = "bravo"
        session.save()
    assert _is_login_redirect(client.get("/dashboard/"))
    # The session was ended, so restoring the mark does not bring it back.
    with schema_context("alpha"):
        session = client.session
        session[SESSION_TENANT_KEY] = "alpha"
        session.save()
    assert _is_login_redirect(client.get("/dashboard/"))


def test_users_who_are_not_staff_cannot_log_in(live_db, tenant_alpha):
    from django.contrib.auth import get_user_model

    staff = staff_of(tenant_alpha)
    with schema_context("alpha"):
        get_user_model().objects.filter(username=staff.username).update(is_staff=False)
    client = Client(HTTP_HOST="alpha.localhost")
    response = client.post("/dashboard/login", {"username": staff.username, "password": PASSWORD})
    assert response.status_code == 200
    assert _is_login_redirect(client.get("/dashboard/"))


def test_a_user_demoted_while_logged_in_is_let_go(alpha_staff):
    from django.contrib.auth import get_user_model

    client = login(alpha_staff)
    with schema_context("alpha"):
        get_user_model().objects.filter(username=alpha_staff.username).update(is_staff=False)
    assert _is_login_redirect(client.get("/dashboard/"))


def test_every_post_needs_the_csrf_token(alpha_staff):
    client = Client(HTTP_HOST="alpha.localhost", enforce_csrf_checks=True)
    response = client.post(
        "/dashboard/login", {"username": alpha_staff.username, "password": PASSWORD}
    )
    assert response.status_code == 403
    # Log in properly (the form's token), then try each POST without it.
    page = client.get("/dashboard/login")
    token = page.cookies["csrftoken"].value
    response = client.post(
        "/dashboard/login",
        {"username": alpha_staff.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    keys_before = ApiKey.objects.filter(tenant=alpha_staff.created.tenant).count()
    for path in [*POSTS, "/dashboard/agent-token", "/dashboard/logout"]:
        assert client.post(path, {}).status_code == 403, path
    assert ApiKey.objects.filter(tenant=alpha_staff.created.tenant).count() == keys_before
    assert client.get("/dashboard/").status_code == 200


def test_pages_forbid_framing_and_foreign_scripts(alpha_staff):
    client = login(alpha_staff)
    response = client.get("/dashboard/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert response["Cache-Control"] == "no-store"
