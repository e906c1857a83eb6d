"""Production's host policy (tenants.hosts): platform hosts and tenant domains only, forged
Hosts refused before anything reads them, and CSRF trusting a tenant's own domain only."""

from __future__ import annotations

import logging
import uuid

import pytest
from django.core import mail
from django.test import Client, override_settings

from parlor.settings.base import MIDDLEWARE
from parlor.settings.required import HOST_MIDDLEWARE, host_policy_middleware
from tenants.cache import caches_clear

pytestmark = pytest.mark.usefixtures("live_db")

PRODUCTION_HOSTS = override_settings(
    MIDDLEWARE=host_policy_middleware(MIDDLEWARE),
    ALLOWED_HOSTS=["*"],
    PARLOR_PLATFORM_HOSTS=["parlor.example"],
)


@pytest.fixture(autouse=True)
def production_hosts():
    caches_clear()
    with PRODUCTION_HOSTS:
        yield
    from django.db import connection

    connection.set_schema_to_public()


def test_the_host_check_runs_right_after_the_probes():
    middleware = host_policy_middleware(MIDDLEWARE)
    assert middleware[0] == "parlor.health.middleware.HealthProbeMiddleware"
    assert middleware[1] == HOST_MIDDLEWARE
    assert "django.middleware.csrf.CsrfViewMiddleware" not in middleware
    assert "tenants.hosts.TenantCsrfViewMiddleware" in middleware


@pytest.mark.parametrize(
    "host", ["alpha.localhost", "www.alpha.localhost", "alpha.localhost:8443", "parlor.example"]
)
def test_platform_hosts_and_tenant_domains_are_served(host):
    response = Client(HTTP_HOST=host).get("/dashboard/login")
    assert response.status_code in {200, 302, 404}, response.status_code


@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        "alpha.localhost.evil.example",
        "evilalpha.localhost",
        "localhost",
        "127.0.0.1",
        "alpha.localhost@evil.example",
        "[::1",
    ],
)
def test_a_host_nobody_owns_is_refused_with_one_log_line(host, caplog):
    with caplog.at_level(logging.INFO):
        response = Client(HTTP_HOST=host).get("/dashboard/login")
    assert response.status_code == 400
    assert response.content == b"Bad Request: unknown host\n"
    assert len(caplog.records) == 1, [record.getMessage() for record in caplog.records]
    assert caplog.records[0].name == "tenants.hosts"


def test_the_probes_answer_on_any_host():
    assert Client(HTTP_HOST="10.0.0.7:8000").get("/healthz").status_code == 200


def test_a_password_reset_with_a_forged_host_sends_nothing():
    mail.outbox.clear()
    response = Client(HTTP_HOST="evil.example").post(
        "/dashboard/password-reset", {"email": "owner@alpha.example"}
    )
    assert response.status_code == 400
    assert mail.outbox == []


def test_a_reset_link_names_the_tenant_domain_the_request_came_to(tenant_alpha):
    from parlor.dashboard.services import staff_create

    email = f"h-{uuid.uuid4().hex[:8]}@example.com"
    staff_create(
        tenant=tenant_alpha.tenant, username=f"h-{uuid.uuid4().hex[:8]}",
        password="correct-horse-battery", name="H", email=email, role="agent",
    )  # fmt: skip
    mail.outbox.clear()
    Client(HTTP_HOST="alpha.localhost").post("/dashboard/password-reset", {"email": email})
    [message] = mail.outbox
    assert "://alpha.localhost/dashboard/password-reset/" in message.body


def test_a_domain_added_later_is_accepted_without_listing_it(tenant_bravo):
    from tenants.models import Domain

    name = f"chat-{uuid.uuid4().hex[:8]}.bravo.example"
    assert Client(HTTP_HOST=name).get("/dashboard/login").status_code == 400
    Domain.objects.create(domain=name, tenant=tenant_bravo.tenant, is_primary=False)
    caches_clear()  # other processes: after HOST_CACHE_SECONDS
    try:
        assert Client(HTTP_HOST=name).get("/dashboard/login").status_code != 400
    finally:
        Domain.objects.filter(domain=name).delete()


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("https://alpha.localhost", True),
        ("https://bravo.localhost", False),
        ("https://alpha.localhost:8443", False),
        ("https://alpha.localhost.evil.example", False),
        ("null", False),
    ],
)
def test_csrf_trusts_only_the_tenant_domain_the_post_is_for(origin, allowed):
    client = Client(HTTP_HOST="alpha.localhost", enforce_csrf_checks=True)
    client.get("/dashboard/login")
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/dashboard/login",
        {"username": "nobody", "password": "wrong", "csrfmiddlewaretoken": token},
        HTTP_ORIGIN=origin,
    )
    assert (response.status_code != 403) is allowed, response.status_code
