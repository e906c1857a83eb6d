"""Drill: PostgreSQL stops and comes back under a running Parlor (issue 9, item 4).

The database is the test's own (parlor.testing.postgres), never a shared one. During the
outage /healthz answers 200 and /readyz 503 JSON naming `database`, on any Host; a handshake is
accepted and closed with 1011 `unavailable`, not answered 500. Once the database is back, the
first handshake of the process succeeds although its pooled connection died in the outage.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request

import psycopg
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from parlor.env import REPO_ROOT
from parlor.health.tests.drill_setup import DRILL_ORIGIN
from parlor.realtime.protocol import CLOSE_SERVER_ERROR
from parlor.testing.postgres import ThrowawayPostgres
from parlor.testing.servers import start_server

TOKENS = 4


@pytest.fixture(scope="module")
def drill(tmp_path_factory):
    """A Parlor server on a PostgreSQL of its own, with a tenant and visitor tokens."""
    root = tmp_path_factory.mktemp("outage")
    postgres = ThrowawayPostgres()
    try:
        postgres.start()
        with psycopg.connect(postgres.conninfo, autocommit=True) as connection:
            connection.execute("CREATE DATABASE parlor_drill")
        database_url = f"postgresql://postgres@127.0.0.1:{postgres.port}/parlor_drill"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "parlor.settings.test",
            "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), str(REPO_ROOT / "platform")]),
            "DATABASE_URL": database_url,
            "REDIS_URL": "",
        }
        setup = subprocess.run(
            [sys.executable, "-m", "parlor.health.tests.drill_setup", str(TOKENS)],
            env=env, capture_output=True, text=True, timeout=300, check=True,
        )  # fmt: skip
        tokens = json.loads(setup.stdout.strip().splitlines()[-1])
        server = start_server(database_url=database_url, log_dir=root)
        try:
            yield postgres, server, tokens
        finally:
            server.stop()
    finally:
        postgres.remove()


def probe(server, path: str, host: str) -> tuple[int, str, dict]:
    request = urllib.request.Request(f"{server.http_url}{path}", headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers["Content-Type"], json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], json.loads(error.read())


def page_status(server, path: str) -> int:
    """GET `path` on the drill tenant's host (its domain is looked up in the database)."""
    request = urllib.request.Request(
        f"{server.http_url}{path}", headers={"Host": "drill.localhost"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


async def hello(server, token: str) -> dict:
    """Open a socket with `token` and return its first frame."""
    async with connect(
        f"{server.ws_url}/ws/v1/",
        subprotocols=["parlor.v1", f"parlor.token.{token}"],
        origin=DRILL_ORIGIN,
    ) as websocket:
        return json.loads(await asyncio.wait_for(websocket.recv(), 10))


async def first_refusal(server, token: str, timeout: float = 15.0):
    """Retry handshakes until the server closes one; return the close frame it sent."""
    async with asyncio.timeout(timeout):
        while True:
            try:
                await hello(server, token)
            except ConnectionClosed as closed:
                return closed.rcvd
            await asyncio.sleep(0.2)


async def test_outage_probes_handshakes_and_recovery(drill):
    postgres, server, tokens = drill
    assert (await hello(server, tokens[0]))["type"] == "hello"
    assert await asyncio.to_thread(page_status, server, "/dashboard/login") == 200

    # Down and back with no request in between: the process's connection is now stale
    # (HTTP and WebSocket database calls share one thread, so one connection: one path per lap).
    await asyncio.to_thread(postgres.stop)
    await asyncio.to_thread(postgres.start)
    assert (await hello(server, tokens[1]))["type"] == "hello"
    await asyncio.to_thread(postgres.stop)
    await asyncio.to_thread(postgres.start)
    assert await asyncio.to_thread(page_status, server, "/dashboard/login") == 200

    await asyncio.to_thread(postgres.stop)
    for host in ("unknown.example", "drill.localhost", "127.0.0.1"):
        assert await asyncio.to_thread(probe, server, "/healthz", host) == (
            200, "application/json", {"status": "ok"},
        )  # fmt: skip
        status, content_type, body = await asyncio.to_thread(probe, server, "/readyz", host)
        assert (status, content_type) == (503, "application/json")
        assert body["status"] == "unavailable" and "database" in body["failures"]
    # Within AUTH_CACHE_SECONDS a handshake is checked from caches alone and still succeeds;
    # the first one that needs the database is closed with 1011.
    closed = await first_refusal(server, tokens[2])
    assert (closed.code, closed.reason) == (CLOSE_SERVER_ERROR, "unavailable")

    await asyncio.to_thread(postgres.start)
    status, _, body = await asyncio.to_thread(probe, server, "/readyz", "unknown.example")
    assert (status, body["status"]) == (200, "ready")
    assert (await hello(server, tokens[3]))["type"] == "hello"
    log = server.log()
    assert "Traceback" not in log
    assert not any(token in log for token in tokens)
