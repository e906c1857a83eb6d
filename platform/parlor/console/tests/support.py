"""Test support for the console: tenant staff and platform operators, made as production does."""

from __future__ import annotations

import uuid

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from parlor.team.roles import Role
from parlor.team.services import staff_role_assign
from tenants.operators import operator_create

PASSWORD = "correct-horse-battery"
PLATFORM_HOST = "127.0.0.1"


def tenant_owner(created) -> str:
    """Create an owner in the tenant's schema; return the username (password PASSWORD)."""
    username = f"owner-{uuid.uuid4().hex[:8]}"
    with schema_context(created.tenant.schema_name):
        user = get_user_model().objects.create_user(
            username=username, password=PASSWORD, is_staff=True
        )
        staff_role_assign(user=user, role=Role.OWNER)
    return username


def dashboard_login(created, username: str) -> Client:
    """Return a client that posted the dashboard login on the tenant's host (check the answer)."""
    client = Client(HTTP_HOST=created.domain)
    client.post("/dashboard/login", {"username": username, "password": PASSWORD})
    return client


def operator() -> str:
    """Create a platform operator; return the username (password PASSWORD)."""
    username = f"op-{uuid.uuid4().hex[:8]}"
    connection.set_schema_to_public()
    operator_create(username=username, password=PASSWORD)
    return username


def console_login(username: str, password: str = PASSWORD) -> tuple[Client, int]:
    """Log into the console on the platform host; return the client and the answer's status."""
    client = Client(HTTP_HOST=PLATFORM_HOST)
    response = client.post("/operator/login", {"username": username, "password": password})
    return client, response.status_code
