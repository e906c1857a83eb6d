"""Fixtures of the dashboard tests: staff users of the test tenants and logged-in clients."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from django.test import Client

from parlor.dashboard.services import staff_create
from parlor.team.roles import Role
from tenants.models import Tenant
from tenants.services import tenant_allowed_origins_update

PASSWORD = "correct-horse-battery"


@dataclass
class Staff:
    """A staff user of one tenant and the host its dashboard is served on."""

    created: object  # the conftest TenantCreated
    username: str
    host: str
    pk: int


def staff_of(created, name: str = "Dana", role: str = Role.ADMIN, email: str = "") -> Staff:
    """Create a staff user (an admin unless told) with a unique username in the tenant's schema."""
    username = f"staff-{uuid.uuid4().hex[:10]}"
    user = staff_create(
        tenant=created.tenant,
        username=username,
        password=PASSWORD,
        name=name,
        email=email,
        role=role,
    )
    return Staff(created=created, username=username, host=created.domain, pk=user.pk)


def login(staff: Staff, client: Client | None = None) -> Client:
    """Return a client logged in to the staff user's dashboard (on its tenant's host)."""
    client = client or Client(HTTP_HOST=staff.host)
    response = client.post(
        "/dashboard/login",
        {"username": staff.username, "password": PASSWORD},
        HTTP_HOST=staff.host,
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return client


@pytest.fixture(autouse=True)
def public_schema_after():
    """Requests to a tenant's host leave the connection in its schema: go back to public."""
    yield
    from django.db import connection

    connection.set_schema_to_public()


@pytest.fixture
def alpha_staff(live_db, tenant_alpha) -> Staff:
    return staff_of(tenant_alpha)


@pytest.fixture
def bravo_staff(live_db, tenant_bravo) -> Staff:
    return staff_of(tenant_bravo, name="Bruno")


@pytest.fixture
def memory_layer(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


@pytest.fixture
def alpha_settings_kept(live_db, tenant_alpha):
    """Put alpha's widget look and allowed origins back after a test that saves them."""
    tenant = Tenant.objects.get(pk=tenant_alpha.tenant.pk)
    origins, look = list(tenant.allowed_origins), dict(tenant.widget_settings or {})
    yield
    tenant = Tenant.objects.get(pk=tenant.pk)
    tenant_allowed_origins_update(tenant=tenant, origins=origins)
    tenant.widget_settings = look
    tenant.save(update_fields=["widget_settings"])
