"""A revoked token is usable for at most 2 s on any process, however the timing falls."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request
import uuid

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from parlor.base.db import in_public_schema
from parlor.base.identity import PrincipalKind
from parlor.realtime.auth_session import SocketAuth
from parlor.realtime.revocation_watch import RevocationWatcher
from parlor.realtime.tests.test_socket_lifetime import jti_of
from parlor.testing.database import database_url_for_tests
from parlor.testing.redis import redis_url_with_db
from parlor.testing.servers import start_server
from parlor.testing.sockets import LiveSocket
from tenants.revocation import jti_revoke, revoked_event
from tenants.tokens import token_issue, token_verify

pytestmark = [pytest.mark.redis, pytest.mark.usefixtures("live_db")]

BOUND_SECONDS = 2.0
TRIALS = 8


@pytest.fixture
def two_servers(tmp_path, redis_url):
    """P1 and P2: two processes on the test database and one Redis, a prefix of their own."""
    shared = {
        "database_url": database_url_for_tests(),
        "log_dir": tmp_path,
        "redis_url": redis_url_with_db(redis_url, 3),
        "extra_env": {"PARLOR_CHANNEL_PREFIX": f"test-revoke-{uuid.uuid4().hex[:8]}"},
    }
    servers = []
    try:
        servers.append(start_server(**shared))
        servers.append(start_server(**shared))
        yield servers
    finally:
        for server in servers:
            server.stop()


def _issue(tenant) -> str:
    return token_issue(
        tenant=tenant, kind=PrincipalKind.USER, subject="u-revoked", name="U", rooms=["*"]
    ).token


def _revoke(server, secret_key: str, jti: str) -> None:
    request = urllib.request.Request(
        f"{server.http_url}/api/v1/revocations",
        data=json.dumps({"jti": jti}).encode(),
        headers={"Authorization": f"Bearer {secret_key}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201


async def _reconnect_after(server, token: str, revoked_at: float) -> float | None:
    """Reconnect; return how long after the revocation the socket was closed (None: refused)."""
    try:
        socket = await LiveSocket.open(server.ws_url, token)
    except (AssertionError, InvalidStatus, ConnectionClosed):
        return None  # refused at once: 4401 before hello
    try:
        await socket.send(type="join", room="after-revocation")
        code = await socket.closed_with(timeout=BOUND_SECONDS + 3)
    finally:
        await socket.close()
    assert code == 4401, f"a revoked token's socket was closed with {code}, or not at all"
    return time.monotonic() - revoked_at


async def test_a_token_revoked_through_one_process_dies_on_the_other_within_the_bound(
    two_servers, tenant_alpha
):
    first, second = two_servers
    lived: list[float] = []
    for trial in range(TRIALS):
        token = await in_public_schema(_issue, tenant_alpha.tenant)
        warm = await LiveSocket.open(second.ws_url, token)  # P2 caches the token as valid
        await warm.close()
        await asyncio.to_thread(_revoke, first, tenant_alpha.secret_key, jti_of(token))
        revoked_at = time.monotonic()
        # Around the 1 s handshake cache window: at once, then later and later.
        await asyncio.sleep(trial * 0.15)
        survived = await _reconnect_after(second, token, revoked_at)
        if survived is not None:
            lived.append(survived)
    assert lived, "no trial reconnected inside the cache window: the test proves nothing"
    print(f"revocation trials: {len(lived)} of {TRIALS} reconnected; lived {lived}")
    assert max(lived) <= BOUND_SECONDS, lived


def _principal(created):
    return token_verify(_issue(created.tenant)).principal


class Watched:
    def __init__(self, principal_auth) -> None:
        self.auth = principal_auth
        self.revoked = []

    def auth_revoked(self, event) -> None:
        if self.auth.revoked_by(event):
            self.revoked.append(event)


async def test_the_watcher_hands_recent_revocations_to_that_tenants_sockets_only(
    tenant_alpha, tenant_bravo
):
    mine = Watched(SocketAuth(await in_public_schema(_principal, tenant_alpha)))
    bystander = Watched(SocketAuth(await in_public_schema(_principal, tenant_alpha)))
    elsewhere = Watched(SocketAuth(await in_public_schema(_principal, tenant_bravo)))
    watcher = RevocationWatcher()
    for socket in (mine, bystander, elsewhere):
        watcher.watch(socket)
    watcher.task.cancel()  # polled by hand below
    await in_public_schema(jti_revoke, tenant=tenant_alpha.tenant, jti=mine.auth.principal.token_id)
    await watcher.poll()
    assert mine.revoked == [revoked_event(tenant_alpha.tenant.id, jti=mine.auth.principal.token_id)]
    assert bystander.revoked == elsewhere.revoked == []
    watcher.unwatch(mine)
    assert set(watcher.sockets) == {tenant_alpha.tenant.id, tenant_bravo.tenant.id}
