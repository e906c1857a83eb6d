"""End to end through the middleware: expiry, refresh and revocation close sockets with 4401."""

from __future__ import annotations

import base64
import json
import time
from urllib.parse import urlsplit, urlunsplit

import pytest
from channels.layers import channel_layers
from django.test import override_settings

from parlor.base.db import in_public_schema
from parlor.base.identity import PrincipalKind
from parlor.realtime.protocol import CLOSE_TOKEN_INVALID
from parlor.realtime.tests.test_middleware import communicator, issue
from parlor.testing.tenants import scratch_tenant
from tenants.keys import signing_key_current
from tenants.revocation import jti_revoke, key_revoke, subject_revoke
from tenants.tokens import token_sign

pytestmark = [pytest.mark.usefixtures("live_db"), pytest.mark.redis]


@pytest.fixture
def redis_layer(redis_url):
    """The channel layer on Redis database 1 with a prefix of its own, for this test only."""
    parts = urlsplit(redis_url)
    url = urlunsplit((parts.scheme, parts.netloc, "/1", "", ""))
    layers = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [url], "prefix": f"auth-test-{time.monotonic_ns()}"},
        }
    }
    channel_layers.backends.clear()
    with override_settings(CHANNEL_LAYERS=layers):
        yield
        channel_layers.backends.clear()


@pytest.fixture(scope="module")
def doomed(django_db_setup, django_db_blocker):
    """A tenant whose keys this module may revoke."""
    with scratch_tenant("doomed_keys", django_db_blocker) as created:
        yield created


def jti_of(token: str) -> str:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["jti"]


async def open_socket(token: str, **kwargs):
    ws = communicator(token, **kwargs)
    connected, _ = await ws.connect(timeout=5)
    assert connected
    await ws.receive_json_from(timeout=5)
    return ws


async def close_code(ws, timeout: float = 10) -> int:
    """Wait for the server to close `ws`; return the code after a clean disconnect."""
    message = await ws.receive_output(timeout=timeout)
    assert message["type"] == "websocket.close", message
    await ws.disconnect()
    return message["code"]


async def test_socket_closes_4401_when_its_token_expires(tenant_alpha, redis_layer):
    key = await in_public_schema(signing_key_current, tenant_id=tenant_alpha.tenant.id)
    now = int(time.time())
    claims = {
        "iss": "parlor:tenant:alpha",
        "sub": "v-expiring",
        "aud": "parlor:visitor",
        "iat": now,
        "exp": now + 2,
        "jti": f"expiring-{now}",
        "name": "Soon",
    }
    ws = await open_socket(token_sign(key=key, claims=claims))
    assert await close_code(ws) == CLOSE_TOKEN_INVALID


async def test_refresh_keeps_the_socket_open_past_the_old_expiry(tenant_alpha, redis_layer):
    key = await in_public_schema(signing_key_current, tenant_id=tenant_alpha.tenant.id)
    now = int(time.time())
    claims = {
        "iss": "parlor:tenant:alpha",
        "sub": "u-refresh",
        "aud": "parlor:user",
        "iat": now,
        "exp": now + 3,
        "jti": f"refresh-{now}",
        "name": "R",
    }
    ws = await open_socket(token_sign(key=key, claims=claims))
    fresh = await issue(tenant_alpha.tenant, kind=PrincipalKind.USER, subject="u-refresh")
    await ws.send_json_to({"type": "auth.refresh", "token": fresh})
    assert (await ws.receive_json_from(timeout=5))["type"] == "auth.ok"
    other = await issue(tenant_alpha.tenant, kind=PrincipalKind.USER, subject="u-other")
    await ws.send_json_to({"type": "auth.refresh", "token": other})
    assert await ws.receive_json_from(timeout=5) == {"type": "error", "code": "token_invalid"}
    assert await ws.receive_nothing(timeout=4)
    await ws.disconnect()


async def test_revoking_a_jti_closes_that_socket_only(tenant_alpha, tenant_bravo, redis_layer):
    token = await issue(tenant_alpha.tenant, subject="v-revoked")
    target = await open_socket(token)
    bystander = await open_socket(await issue(tenant_alpha.tenant, subject="v-bystander"))
    foreign = await open_socket(
        await issue(tenant_bravo.tenant, subject="v-revoked"), origin="https://shop.bravo.example"
    )
    await in_public_schema(jti_revoke, tenant=tenant_alpha.tenant, jti=jti_of(token))
    assert await close_code(target) == CLOSE_TOKEN_INVALID
    assert await bystander.receive_nothing(timeout=0.5)
    assert await foreign.receive_nothing(timeout=0.5)
    await bystander.disconnect()
    await foreign.disconnect()
    again = communicator(token)
    assert (await again.connect(timeout=5))[0]
    assert await close_code(again) == CLOSE_TOKEN_INVALID


async def test_revoking_a_subject_closes_its_older_sockets(tenant_alpha, tenant_bravo, redis_layer):
    user = PrincipalKind.USER
    first = await open_socket(await issue(tenant_alpha.tenant, kind=user, subject="u-banned"))
    second = await open_socket(await issue(tenant_alpha.tenant, kind=user, subject="u-banned"))
    bravo = await open_socket(
        await issue(tenant_bravo.tenant, kind=user, subject="u-banned"),
        origin="https://shop.bravo.example",
    )
    await in_public_schema(subject_revoke, tenant=tenant_alpha.tenant, subject="u-banned")
    assert await close_code(first) == CLOSE_TOKEN_INVALID
    assert await close_code(second) == CLOSE_TOKEN_INVALID
    assert await bravo.receive_nothing(timeout=0.5)
    await bravo.disconnect()


async def test_revoking_a_key_closes_its_sockets(doomed, tenant_alpha, redis_layer):
    token = await issue(doomed.tenant, kind=PrincipalKind.USER, subject="u-key")
    ws = await open_socket(token, origin=None)
    alpha = await open_socket(
        await issue(tenant_alpha.tenant, kind=PrincipalKind.USER), origin=None
    )
    key = await in_public_schema(signing_key_current, tenant_id=doomed.tenant.id)
    await in_public_schema(key_revoke, tenant=doomed.tenant, kid=key.kid)
    assert await close_code(ws) == CLOSE_TOKEN_INVALID
    assert await alpha.receive_nothing(timeout=0.5)
    await alpha.disconnect()
    fresh = await open_socket(
        await issue(doomed.tenant, kind=PrincipalKind.USER, subject="u-key"), origin=None
    )
    await fresh.disconnect()
