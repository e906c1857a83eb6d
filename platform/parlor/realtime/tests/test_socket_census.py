"""The socket census: open sockets per tenant as every process publishes them (Redis)."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import sync_to_async

from parlor.realtime.socket_caps import SOCKET_CAPS
from parlor.realtime.socket_census import tenant_sockets_open
from parlor.realtime.tests.test_socket_caps import communicator, opened, token

pytestmark = pytest.mark.usefixtures("live_db")


@pytest.fixture
def census_redis(settings, redis_url):
    settings.REDIS_URL = redis_url


async def counted(tenant_id: int, expected: int) -> None:
    async with asyncio.timeout(10):
        while (await sync_to_async(tenant_sockets_open)()).get(tenant_id, 0) != expected:
            await asyncio.sleep(0.1)


async def test_open_sockets_are_counted_per_tenant_and_drop_out_when_closed(
    census_redis, tenant_alpha, tenant_bravo
):
    alpha_id = tenant_alpha.tenant.id
    held = [communicator(await token(tenant_alpha), address=f"10.9.0.{n}") for n in range(3)]
    try:
        for ws in held:
            assert await opened(ws)
        await counted(alpha_id, 3)
        assert (await sync_to_async(tenant_sockets_open)()).get(tenant_bravo.tenant.id, 0) == 0
    finally:
        for ws in held:
            await ws.disconnect()
    await counted(alpha_id, 0)
    assert SOCKET_CAPS.tenant_open(alpha_id) == 0


def test_without_redis_the_census_is_this_processs_own_count(settings, tenant_alpha):
    settings.REDIS_URL = None
    assert tenant_sockets_open().get(tenant_alpha.tenant.id, 0) == SOCKET_CAPS.tenant_open(
        tenant_alpha.tenant.id
    )
