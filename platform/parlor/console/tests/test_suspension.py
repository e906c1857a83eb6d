"""A suspended tenant cannot connect, mint, start a widget session or log in; resumed, it can."""

from __future__ import annotations

import asyncio
import json

import orjson
import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connection
from django.test import Client

from parlor.asgi import websocket_application
from parlor.base.errors import ValidationFailed
from parlor.base.identity import PrincipalKind
from parlor.console.tests.support import dashboard_login, tenant_owner
from parlor.realtime.protocol import CLOSE_TENANT_SUSPENDED
from tenants.models import PlatformAuditEntry, Tenant
from tenants.services import public_tenant_ensure
from tenants.suspension import tenant_resume, tenant_suspend
from tenants.tokens import token_issue

pytestmark = pytest.mark.usefixtures("live_db")
ALPHA_ORIGIN = "https://shop.alpha.example"


@pytest.fixture(autouse=True)
def memory_layer(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


@pytest.fixture(autouse=True)
def public_schema_after():
    yield
    connection.set_schema_to_public()


@pytest.fixture
def alpha_resumed_after(tenant_alpha):
    """Whatever the test does, alpha is active again after it."""
    yield
    tenant = Tenant.objects.get(pk=tenant_alpha.tenant.pk)
    if tenant.suspended_at is not None:
        tenant_resume(tenant=tenant, actor="test")


def post(client: Client, path: str, body: dict, *, secret_key: str | None = None, **headers):
    if secret_key is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {secret_key}"
    return client.post(path, json.dumps(body), content_type="application/json", **headers)


def assert_problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status and problem["code"] == code, problem
    return problem


def suspend(created) -> None:
    tenant_suspend(tenant=Tenant.objects.get(pk=created.tenant.pk), actor="op", reason="unpaid")


def resume(created) -> None:
    tenant_resume(tenant=Tenant.objects.get(pk=created.tenant.pk), actor="op")


async def connect(created) -> tuple[WebsocketCommunicator, dict]:
    issued = await sync_to_async(token_issue)(
        tenant=created.tenant, kind=PrincipalKind.USER, subject="s-1", name="S", rooms=["*"]
    )
    ws = WebsocketCommunicator(
        websocket_application(),
        "/ws/v1/",
        subprotocols=["parlor.v1", "parlor.token." + issued.token],
    )
    connected, _ = await ws.connect(timeout=5)
    assert connected
    return ws, await ws.receive_output(timeout=5)


def is_hello(message: dict) -> bool:
    return message["type"] == "websocket.send" and orjson.loads(message["text"])["type"] == "hello"


async def closed_with(ws: WebsocketCommunicator) -> int:
    async with asyncio.timeout(5):
        while True:
            message = await ws.receive_output(timeout=5)
            if message["type"] == "websocket.close":
                return message["code"]


async def test_open_sockets_close_4451_and_new_ones_are_refused_until_resumed(
    alpha_resumed_after, tenant_alpha, tenant_bravo
):
    alpha, first = await connect(tenant_alpha)
    bravo, bravo_first = await connect(tenant_bravo)
    assert is_hello(first) and is_hello(bravo_first)
    try:
        await sync_to_async(suspend)(tenant_alpha)
        assert await closed_with(alpha) == CLOSE_TENANT_SUSPENDED
        refused, message = await connect(tenant_alpha)
        assert (message["type"], message["code"], message["reason"]) == (
            "websocket.close",
            CLOSE_TENANT_SUSPENDED,
            "tenant_suspended",
        )
        await refused.disconnect()
        assert await bravo.receive_nothing(timeout=0.3), "bravo's socket stays open"
        await sync_to_async(resume)(tenant_alpha)
        again, message = await connect(tenant_alpha)
        assert is_hello(message)
        await again.disconnect()
    finally:
        await alpha.disconnect()
        await bravo.disconnect()


def mint(created):
    body = {"user_id": "u-1", "name": "U"}
    return post(Client(), "/api/v1/tokens", body, secret_key=created.secret_key)


def widget_session(created):
    body = {"key": created.tenant.publishable_key}
    return post(Client(), "/api/v1/widget/sessions", body, HTTP_ORIGIN=ALPHA_ORIGIN)


def test_a_suspended_tenants_api_and_widget_answer_403_tenant_suspended(
    alpha_resumed_after, tenant_alpha, tenant_bravo
):
    suspend(tenant_alpha)
    assert_problem(mint(tenant_alpha), 403, "tenant_suspended")
    problem = assert_problem(widget_session(tenant_alpha), 403, "tenant_suspended")
    assert "unpaid" not in problem["detail"], "the visitor learns nothing but 'unavailable'"
    assert mint(tenant_bravo).status_code == 201
    resume(tenant_alpha)
    assert mint(tenant_alpha).status_code == 201
    assert widget_session(tenant_alpha).status_code == 201


def test_a_suspended_tenants_dashboard_refuses_login_and_ends_sessions(
    alpha_resumed_after, tenant_alpha
):
    username = tenant_owner(tenant_alpha)
    client = dashboard_login(tenant_alpha, username)
    assert client.get("/dashboard/").status_code == 200
    suspend(tenant_alpha)
    page = client.get("/dashboard/")
    assert page.status_code == 403 and b"suspended" in page.content
    refused = dashboard_login(tenant_alpha, username)
    assert refused.get("/dashboard/").status_code == 403
    resume(tenant_alpha)
    assert client.get("/dashboard/").status_code == 302, "the suspended session was ended"
    assert dashboard_login(tenant_alpha, username).get("/dashboard/").status_code == 200


def test_suspend_and_resume_are_in_the_platform_audit_log(alpha_resumed_after, tenant_alpha):
    suspend(tenant_alpha)
    resume(tenant_alpha)
    actions = list(
        PlatformAuditEntry.objects.filter(tenant_slug="alpha")
        .order_by("-id")
        .values_list("action", flat=True)[:2]
    )
    assert actions == ["tenant.resumed", "tenant.suspended"]


def test_suspending_the_public_schema_or_twice_is_a_clear_error(alpha_resumed_after, tenant_alpha):
    with pytest.raises(ValidationFailed, match="public schema"):
        tenant_suspend(tenant=public_tenant_ensure(), actor="op")
    suspend(tenant_alpha)
    with pytest.raises(ValidationFailed, match="suspended already"):
        suspend(tenant_alpha)
    resume(tenant_alpha)
    with pytest.raises(ValidationFailed, match="not suspended"):
        resume(tenant_alpha)
