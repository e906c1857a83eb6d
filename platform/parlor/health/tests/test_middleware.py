"""The probes answer on any Host, before the tenant lookup and ALLOWED_HOSTS."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import AsyncClient, Client

pytestmark = pytest.mark.usefixtures("live_db")


@pytest.fixture(autouse=True)
def public_schema_after():
    """A request to a tenant's host leaves the connection in its schema: go back to public."""
    yield
    connection.set_schema_to_public()


@pytest.mark.parametrize("host", ["unknown.example", "10.1.2.3:8000", "alpha.localhost"])
async def test_probes_answer_on_any_host(host):
    client = AsyncClient(headers={"host": host})
    healthz = await client.get("/healthz")
    readyz = await client.get("/readyz")
    assert (healthz.status_code, healthz.json()) == (200, {"status": "ok"})
    assert readyz.status_code == 200 and readyz.json()["status"] == "ready"


def test_probes_answer_through_the_sync_stack_too():
    response = Client(headers={"host": "unknown.example"}).get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_only_the_probe_paths_are_probes():
    response = Client().get("/healthz/extra")
    assert response.status_code == 404


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_are_not_redirected_or_host_checked_under_production_rules(settings, path):
    settings.ALLOWED_HOSTS = ["parlor.example"]
    settings.SECURE_SSL_REDIRECT = True
    response = Client(headers={"host": "10.0.0.7:8000"}).get(path)
    assert response.status_code == 200, response.content


def test_other_paths_are_redirected_under_production_rules(settings):
    settings.ALLOWED_HOSTS = ["alpha.localhost"]
    settings.SECURE_SSL_REDIRECT = True
    response = Client(headers={"host": "alpha.localhost"}).get("/dashboard/login")
    assert response.status_code == 301 and response["Location"].startswith("https://")


async def test_a_failing_readiness_check_is_one_warning_not_an_error(monkeypatch, caplog):
    from parlor.health import views

    async def unreachable():
        raise ConnectionError("layer away")

    monkeypatch.setattr(views, "_channel_layer_ready", unreachable)
    caplog.set_level("WARNING")
    response = await AsyncClient(headers={"host": "unknown.example"}).get("/readyz")
    assert response.status_code == 503
    assert response.json()["failures"] == {"channel_layer": "unreachable"}
    assert [record.levelname for record in caplog.records] == ["WARNING"]
