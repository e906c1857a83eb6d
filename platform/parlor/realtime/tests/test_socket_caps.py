"""Concurrent sockets per client IP and per principal: over a cap, accept then close 4429."""

from __future__ import annotations

import contextlib
import uuid

import pytest
from channels.testing import WebsocketCommunicator

from parlor.base.db import in_public_schema
from parlor.base.identity import PrincipalKind
from parlor.realtime.protocol import CLOSE_RATE_LIMITED
from parlor.realtime.socket_caps import SOCKET_CAPS
from parlor.realtime.tests.consumers import application
from tenants.tokens import token_issue

pytestmark = pytest.mark.usefixtures("live_db")
ALPHA_ORIGIN = "https://shop.alpha.example"


@pytest.fixture
def caps(settings):
    """Caps of two sockets per IP and per principal; no trusted proxy."""
    settings.PARLOR = {
        **settings.PARLOR,
        "SOCKETS_PER_IP": 2,
        "SOCKETS_PER_PRINCIPAL": 2,
        "TRUSTED_PROXY_COUNT": 0,
    }
    yield settings
    assert not SOCKET_CAPS.open, "every closed socket gives its slots back"


async def token(tenant_alpha, subject: str | None = None) -> str:
    issued = await in_public_schema(
        token_issue,
        tenant=tenant_alpha.tenant,
        kind=PrincipalKind.VISITOR,
        subject=subject or f"v-{uuid.uuid4().hex[:8]}",
        name="Ada",
    )
    return issued.token


def communicator(token: str, *, address: str, forwarded_for: str | None = None):
    headers = [(b"origin", ALPHA_ORIGIN.encode())]
    if forwarded_for is not None:
        headers.append((b"x-forwarded-for", forwarded_for.encode()))
    offered = ["parlor.v1", f"parlor.token.{token}"]
    ws = WebsocketCommunicator(application(), "/ws/v1/", headers=headers, subprotocols=offered)
    ws.scope["client"] = [address, 40000]
    return ws


async def opened(ws) -> bool:
    """Connect `ws`; True if it got `hello`, False if it was closed with 4429 instead."""
    connected, _ = await ws.connect(timeout=5)
    assert connected
    message = await ws.receive_output(timeout=5)
    if message["type"] == "websocket.close":
        assert (message["code"], message.get("reason")) == (CLOSE_RATE_LIMITED, "too_many_sockets")
        return False
    return True


@contextlib.asynccontextmanager
async def sockets():
    opened_sockets: list[WebsocketCommunicator] = []
    try:
        yield opened_sockets
    finally:
        for ws in opened_sockets:
            await ws.disconnect()


async def test_one_principal_gets_two_sockets_then_4429_until_one_closes(caps, tenant_alpha):
    shared = await token(tenant_alpha)
    async with sockets() as held:
        for number in range(2):
            held.append(communicator(shared, address=f"10.0.0.{number}"))
            assert await opened(held[-1])
        refused = communicator(shared, address="10.0.0.9")
        assert not await opened(refused)
        await refused.wait(timeout=5)
        await held.pop(0).disconnect()
        held.append(communicator(shared, address="10.0.0.9"))
        assert await opened(held[-1])


async def test_one_address_gets_two_sockets_whoever_connects(caps, tenant_alpha):
    async with sockets() as held:
        for _ in range(2):
            held.append(communicator(await token(tenant_alpha), address="192.0.2.7"))
            assert await opened(held[-1])
        refused = communicator(await token(tenant_alpha), address="192.0.2.7")
        assert not await opened(refused)
        await refused.wait(timeout=5)
        held.append(communicator(await token(tenant_alpha), address="192.0.2.8"))
        assert await opened(held[-1])


async def test_a_forged_forwarded_for_does_not_escape_the_address_cap(caps, tenant_alpha):
    async with sockets() as held:
        outcomes = []
        for number in range(4):
            ws = communicator(
                await token(tenant_alpha), address="192.0.2.7", forwarded_for=f"203.0.113.{number}"
            )
            outcomes.append(await opened(ws))
            held.append(ws)
        assert outcomes == [True, True, False, False]


async def test_behind_one_trusted_proxy_the_hop_it_appended_is_the_address(caps, tenant_alpha):
    caps.PARLOR = {**caps.PARLOR, "TRUSTED_PROXY_COUNT": 1}
    async with sockets() as held:
        outcomes = []
        for number in range(4):
            # The client forges the left hop; the proxy (127.0.0.1) appends the real one.
            forwarded = f"203.0.113.{number}, 198.51.100.{number % 2}"
            ws = communicator(
                await token(tenant_alpha), address="127.0.0.1", forwarded_for=forwarded
            )
            outcomes.append(await opened(ws))
            held.append(ws)
        assert outcomes == [True, True, True, True]
        ws = communicator(
            await token(tenant_alpha),
            address="127.0.0.1",
            forwarded_for="203.0.113.99, 198.51.100.0",
        )
        held.append(ws)
        assert not await opened(ws)
