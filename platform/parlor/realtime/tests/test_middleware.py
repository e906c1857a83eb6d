"""Tests of the WebSocket auth middleware through a small echo consumer: who gets in, and how."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import time

import pytest
from channels.testing import WebsocketCommunicator
from django.db import connection

from parlor.base.db import in_public_schema
from parlor.base.identity import PrincipalKind
from parlor.realtime.protocol import CLOSE_FORBIDDEN, CLOSE_TOKEN_INVALID
from parlor.realtime.tests.consumers import application
from parlor.testing.origins import FOREIGN_ORIGINS
from tenants import cache
from tenants.cache import AUTH_CACHE_SECONDS, caches_clear
from tenants.keys import signing_key_current
from tenants.revocation import jti_revoke
from tenants.tokens import token_issue, token_sign, token_verify

pytestmark = pytest.mark.usefixtures("live_db")

ALPHA_ORIGIN = "https://shop.alpha.example"


async def issue(tenant, kind=PrincipalKind.VISITOR, subject="v-1", **kwargs) -> str:
    issued = await in_public_schema(
        token_issue, tenant=tenant, kind=kind, subject=subject, name="Ada", **kwargs
    )
    return issued.token


def communicator(
    token: str | None, *, origin: str | None = ALPHA_ORIGIN, host=None, protocols=None
):
    headers = []
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    if host is not None:
        headers.append((b"host", host.encode()))
    offered = ["parlor.v1"] if protocols is None else protocols
    if token is not None:
        offered = [*offered, "parlor.token." + token]
        headers.append((b"sec-websocket-protocol", ", ".join(offered).encode()))
    return WebsocketCommunicator(application(), "/ws/v1/", headers=headers, subprotocols=offered)


async def refused_at_handshake(ws) -> bool:
    connected, _ = await ws.connect(timeout=5)
    await ws.wait(timeout=5)
    return not connected


async def closed_after_accept(ws) -> int:
    connected, subprotocol = await ws.connect(timeout=5)
    assert connected and subprotocol == "parlor.v1"
    message = await ws.receive_output(timeout=5)
    assert message["type"] == "websocket.close", message
    return message["code"]


async def test_valid_visitor_token_sets_tenant_and_principal(tenant_alpha):
    ws = communicator(await issue(tenant_alpha.tenant, rooms=["support"]))
    connected, subprotocol = await ws.connect(timeout=5)
    assert connected and subprotocol == "parlor.v1"
    hello = await ws.receive_json_from(timeout=5)
    await ws.disconnect()
    assert hello["kind"] == "visitor" and hello["subject"] == "v-1" and hello["name"] == "Ada"
    assert hello["tenant"] == "alpha" and hello["tenant_id"] == tenant_alpha.tenant.id
    assert hello["rooms"] == ["support"]


async def test_token_is_stripped_from_scope(tenant_alpha):
    token = await issue(tenant_alpha.tenant)
    ws = communicator(token)
    await ws.connect(timeout=5)
    hello = await ws.receive_json_from(timeout=5)
    await ws.disconnect()
    assert hello["subprotocols"] == ["parlor.v1"]
    assert ["sec-websocket-protocol", "parlor.v1"] in hello["headers"]
    assert token not in repr(hello)


async def test_interleaved_tenants_each_get_their_own(tenant_alpha, tenant_bravo):
    sockets = [
        (communicator(await issue(tenant_alpha.tenant, subject="a")), "alpha"),
        (
            communicator(
                await issue(tenant_bravo.tenant, subject="b"), origin="https://shop.bravo.example"
            ),
            "bravo",
        ),
        (communicator(await issue(tenant_alpha.tenant, subject="a2")), "alpha"),
    ]
    for ws, _ in sockets:
        assert (await ws.connect(timeout=5))[0]
    for ws, slug in sockets:
        assert (await ws.receive_json_from(timeout=5))["tenant"] == slug
        await ws.disconnect()


@pytest.mark.parametrize("kind", [PrincipalKind.USER, PrincipalKind.AGENT])
async def test_server_side_user_and_agent_tokens_need_no_origin(tenant_alpha, kind):
    ws = communicator(await issue(tenant_alpha.tenant, kind=kind), origin=None)
    assert (await ws.connect(timeout=5))[0]
    assert (await ws.receive_json_from(timeout=5))["kind"] == kind.value
    await ws.disconnect()


async def test_missing_token_is_refused_at_handshake():
    assert await refused_at_handshake(communicator(None))


async def test_token_without_parlor_v1_is_refused(tenant_alpha):
    assert await refused_at_handshake(communicator(await issue(tenant_alpha.tenant), protocols=[]))


async def test_two_token_subprotocols_are_refused(tenant_alpha):
    token = await issue(tenant_alpha.tenant)
    protocols = ["parlor.v1", "parlor.token." + token]
    assert await refused_at_handshake(communicator(token, protocols=protocols))


@pytest.mark.parametrize("origin", FOREIGN_ORIGINS)
async def test_visitor_from_a_foreign_origin_is_refused(tenant_alpha, origin):
    assert await refused_at_handshake(communicator(await issue(tenant_alpha.tenant), origin=origin))


async def test_user_token_from_a_foreign_browser_origin_is_refused(tenant_alpha):
    token = await issue(tenant_alpha.tenant, kind=PrincipalKind.USER)
    assert await refused_at_handshake(communicator(token, origin="https://evil.example"))


async def test_forged_token_is_refused_at_handshake(tenant_alpha):
    token = await issue(tenant_alpha.tenant)
    head, payload, signature = token.split(".")
    forged = f"{head}.{payload}.{signature[:-4]}AAAA"
    assert await refused_at_handshake(communicator(forged))


async def test_expired_token_is_accepted_then_closed_4401(tenant_alpha):
    key = await in_public_schema(signing_key_current, tenant_id=tenant_alpha.tenant.id)
    token = token_sign(key=key, claims=_claims(tenant_alpha.tenant, iat=-100, exp=-50))
    assert await closed_after_accept(communicator(token)) == CLOSE_TOKEN_INVALID


async def test_not_yet_valid_token_is_accepted_then_closed_4401(tenant_alpha):
    key = await in_public_schema(signing_key_current, tenant_id=tenant_alpha.tenant.id)
    token = token_sign(key=key, claims=_claims(tenant_alpha.tenant, iat=100, exp=200))
    assert await closed_after_accept(communicator(token)) == CLOSE_TOKEN_INVALID


async def test_revoked_token_is_accepted_then_closed_4401(tenant_alpha):
    token = await issue(tenant_alpha.tenant, subject="v-revoked-at-connect")
    jti = (await in_public_schema(token_verify, token)).principal.token_id
    await in_public_schema(jti_revoke, tenant=tenant_alpha.tenant, jti=jti)
    assert await closed_after_accept(communicator(token)) == CLOSE_TOKEN_INVALID


async def test_the_token_is_checked_before_the_origin(tenant_alpha):
    # docs/protocol.md: the first failing check decides, and the token comes first.
    key = await in_public_schema(signing_key_current, tenant_id=tenant_alpha.tenant.id)
    token = token_sign(key=key, claims=_claims(tenant_alpha.tenant, iat=-100, exp=-50))
    ws = communicator(token, origin="https://evil.example")
    assert await closed_after_accept(ws) == CLOSE_TOKEN_INVALID


async def test_token_on_another_tenants_domain_is_closed_4403(tenant_alpha, tenant_bravo):
    ws = communicator(await issue(tenant_alpha.tenant), host=f"{tenant_bravo.domain}:8000")
    assert await closed_after_accept(ws) == CLOSE_FORBIDDEN


async def test_token_on_its_own_tenants_domain_is_accepted(tenant_alpha):
    ws = communicator(await issue(tenant_alpha.tenant), host=tenant_alpha.domain)
    assert (await ws.connect(timeout=5))[0]
    await ws.disconnect()


@pytest.mark.parametrize("case", ["forged", "expired", "foreign-origin"])
async def test_no_token_ever_appears_in_a_log_line(tenant_alpha, caplog, case):
    caplog.set_level(logging.DEBUG)
    token = await issue(tenant_alpha.tenant)
    origin = ALPHA_ORIGIN
    if case == "forged":
        token = token[:-4] + "AAAA"
    elif case == "expired":
        key = await in_public_schema(signing_key_current, tenant_id=tenant_alpha.tenant.id)
        token = token_sign(key=key, claims=_claims(tenant_alpha.tenant, iat=-100, exp=-50))
    else:
        origin = "https://evil.example"
    ws = communicator(token, origin=origin)
    await ws.connect(timeout=5)
    await ws.wait(timeout=5)
    assert "websocket refused" in caplog.text
    signature = token.rsplit(".", 1)[1]
    for record in caplog.records:
        line = record.getMessage() + (record.exc_text or "")
        assert token not in line and signature not in line


def _claims(tenant, *, iat: int, exp: int, kind: str = "visitor") -> dict:
    import time

    now = int(time.time())
    return {
        "iss": f"parlor:tenant:{tenant.slug}",
        "sub": "v-expired",
        "aud": f"parlor:{kind}",
        "iat": now + iat,
        "exp": now + exp,
        "jti": "expired-jti",
        "name": "Old",
    }


async def test_room_grants_stay_inside_the_tokens_tenant(tenant_alpha, tenant_bravo):
    from parlor.base.groups import room_group_name

    ws = communicator(await issue(tenant_alpha.tenant, rooms=["bravo-room"]))
    assert (await ws.connect(timeout=5))[0]
    hello = await ws.receive_json_from(timeout=5)
    await ws.disconnect()
    assert hello["tenant_id"] == tenant_alpha.tenant.id
    assert room_group_name(hello["tenant_id"], "bravo-room") != room_group_name(
        tenant_bravo.tenant.id, "bravo-room"
    )


# Cached handshakes (tenants.cache)


@pytest.fixture
def thread_hops(monkeypatch):
    """Count the handshakes that had to reach the database thread."""
    hops = []
    original = cache.in_public_schema

    async def counted(function, *args, **kwargs):
        hops.append(function.__name__)
        return await original(function, *args, **kwargs)

    caches_clear()
    monkeypatch.setattr(cache, "in_public_schema", counted)
    yield hops
    caches_clear()


async def connects(token: str, **kwargs) -> bool:
    ws = communicator(token, **kwargs)
    connected, _ = await ws.connect(timeout=5)
    if connected:
        message = await ws.receive_output(timeout=5)
        connected = message["type"] != "websocket.close"
    await ws.disconnect()
    return connected


async def test_a_warm_handshake_stays_on_the_event_loop(tenant_alpha, thread_hops, monkeypatch):
    for timed in cache.CACHES:  # no entry expires during this test, however slow the machine
        monkeypatch.setattr(timed, "clock", lambda: 1000.0)
    host = tenant_alpha.domain
    assert await connects(await issue(tenant_alpha.tenant, subject="v-cold"), host=host)
    assert thread_hops == ["socket_authenticate"]
    for number in range(5):
        token = await issue(tenant_alpha.tenant, subject=f"v-warm-{number}")
        assert await connects(token, host=host)
    assert thread_hops == ["socket_authenticate"]


async def test_a_made_up_kid_is_refused_through_the_database_every_time(tenant_alpha, thread_hops):
    token = await issue(tenant_alpha.tenant)
    head = token.split(".")[0]
    for number in range(3):
        forged = token.replace(head, _header_with_kid(head, f"made-up-{number}"), 1)
        assert not await connects(forged)
    assert len(thread_hops) == 3


async def test_a_revocation_in_this_process_refuses_the_very_next_handshake(
    tenant_alpha, thread_hops
):
    token = await issue(tenant_alpha.tenant, subject="v-revoked-here")
    assert await connects(token)
    verified = await in_public_schema(token_verify, token)
    await in_public_schema(jti_revoke, tenant=tenant_alpha.tenant, jti=verified.principal.token_id)
    assert await closed_after_accept(communicator(token)) == CLOSE_TOKEN_INVALID


async def test_a_revocation_by_another_process_refuses_handshakes_within_the_bound(
    tenant_alpha, thread_hops
):
    token = await issue(tenant_alpha.tenant, subject="v-revoked-elsewhere")
    assert await connects(token)
    verified = await in_public_schema(token_verify, token)
    await in_public_schema(_revocation_insert, tenant_alpha.tenant.id, verified.principal.token_id)
    written = time.monotonic()
    while await connects(token):
        # Polls until refused; the deadline leaves a loaded machine room past the bound.
        assert time.monotonic() - written < AUTH_CACHE_SECONDS + 5, "still accepted"
        await asyncio.sleep(0.05)
    assert await closed_after_accept(communicator(token)) == CLOSE_TOKEN_INVALID


def _revocation_insert(tenant_id: int, jti: str) -> None:
    # As another server process would write it: no signal reaches this process's caches.
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO public.tenants_revocation (tenant_id, jti, subject, issued_before,"
            " created_at) VALUES (%s, %s, '', NULL, now())",
            [tenant_id, jti],
        )


def _header_with_kid(segment: str, kid: str) -> str:
    header = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    header["kid"] = kid
    return base64.urlsafe_b64encode(json.dumps(header).encode()).decode().rstrip("=")
