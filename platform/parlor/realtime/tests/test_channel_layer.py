"""The channel layer's names carry the deployment: deployments sharing one Redis never cross."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from parlor.base.db import in_public_schema
from parlor.base.identity import PrincipalKind
from parlor.env import REPO_ROOT
from parlor.realtime.channel_layer import DeploymentChannelLayer, deployment_key_get
from parlor.testing.database import database_url_for_tests
from parlor.testing.redis import redis_url_with_db
from parlor.testing.servers import start_server
from parlor.testing.sockets import ORIGIN, LiveSocket
from tenants.tokens import token_issue

pytestmark = [pytest.mark.redis, pytest.mark.usefixtures("live_db")]

VISITOR = "v-same-on-both"  # the same visitor, so the same conversation room, on both sides


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


def _tokens(tenant, side: str) -> dict[str, str]:
    """Issue a user, an agent and a visitor token of `tenant` (run in the public schema)."""
    kinds = {"user": PrincipalKind.USER, "agent": PrincipalKind.AGENT}
    tokens = {
        name: token_issue(
            tenant=tenant, kind=kind, subject=f"{name}-{side}", name=name, rooms=["*"]
        )
        for name, kind in kinds.items()
    }
    tokens["visitor"] = token_issue(
        tenant=tenant, kind=PrincipalKind.VISITOR, subject=VISITOR, name="Vic"
    )
    return {name: issued.token for name, issued in tokens.items()}


def deployment_setup(tenant_id: int) -> None:
    """In a fresh database: migrate, create tenant `alpha` with id `tenant_id`, print tokens."""
    from django.core.management import call_command
    from django.db import connection

    from tenants.services import public_tenant_ensure, tenant_create

    call_command("migrate_schemas", shared=True, verbosity=0)
    public_tenant_ensure()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('tenants_tenant', 'id'), %s)", [tenant_id - 1]
        )
    created = tenant_create(
        slug="alpha", name="Alpha", domain="alpha.localhost", allowed_origins=[ORIGIN]
    )
    assert created.tenant.id == tenant_id
    print(json.dumps({"key": deployment_key_get(), "tokens": _tokens(created.tenant, "there")}))


@pytest.fixture
def other_deployment(tenant_alpha):
    """A second deployment's database on the same PostgreSQL server, with alpha's tenant id."""
    ours = database_url_for_tests()
    name = f"test_other_{uuid.uuid4().hex[:8]}"
    admin = _with_database(ours, "postgres")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    url = _with_database(ours, name)
    try:
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "parlor.settings.test",
            "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), str(REPO_ROOT / "platform")]),
        }
        code = (
            "import django; django.setup();"
            "from parlor.realtime.tests.test_channel_layer import deployment_setup;"
            f"deployment_setup({tenant_alpha.tenant.id})"
        )
        done = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=180
        )
        assert done.returncode == 0, done.stderr[-3000:]
        yield url, json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _deployment_sockets(server, tokens: dict[str, str], room: str) -> dict[str, LiveSocket]:
    sockets = {name: await LiveSocket.open(server.ws_url, token) for name, token in tokens.items()}
    await sockets["user"].join(room)
    await sockets["agent"].join(room)
    await sockets["visitor"].join(sockets["visitor"].hello["conversation"])
    return sockets


async def test_two_deployments_on_one_redis_with_the_same_tenant_id_never_cross(
    tmp_path, redis_url, tenant_alpha, other_deployment
):
    other_url, other = other_deployment
    ours = await in_public_schema(_tokens, tenant_alpha.tenant, "here")
    # No PARLOR_CHANNEL_PREFIX: each deployment finds its prefix on its own, as in production.
    unset = {"PARLOR_CHANNEL_PREFIX": ""}
    servers = []
    sockets: list[LiveSocket] = []
    try:
        servers.append(
            start_server(
                database_url=database_url_for_tests(),
                redis_url=redis_url_with_db(redis_url, 0),
                log_dir=tmp_path,
                extra_env=unset,
            )
        )
        servers.append(
            start_server(
                database_url=other_url,
                redis_url=redis_url_with_db(redis_url, 1),
                log_dir=tmp_path,
                extra_env=unset,
            )
        )
        room = f"shared-{uuid.uuid4().hex[:8]}"
        here = await _deployment_sockets(servers[0], ours, room)
        there = await _deployment_sockets(servers[1], other["tokens"], room)
        sockets = [*here.values(), *there.values()]
        assert here["visitor"].hello["conversation"] == there["visitor"].hello["conversation"]

        # Here: a room message, typing and a conversation message (the agents' inbox).
        await here["user"].send(type="typing", room=room, active=True)
        assert (await here["agent"].expect("typing"))["room"] == room
        await here["user"].send(type="send", room=room, body="here only", client_msg_id="h1")
        assert (await here["agent"].expect("message"))["body"] == "here only"
        conversation = here["visitor"].hello["conversation"]
        await here["visitor"].send(type="send", room=conversation, body="hi", client_msg_id="h2")
        assert (await here["agent"].expect("inbox"))["room"] == conversation

        # There, a marker published after all of that: it must be the first message, typing or
        # inbox each socket there sees. Pub/sub keeps publish order, so anything that crossed
        # would arrive before it. Presence there may only ever name people of that deployment.
        await there["user"].send(type="send", room=room, body="there", client_msg_id="t1")
        for name in ("user", "agent"):
            assert await _first_message(there[name]) == "there"
        await there["visitor"].send(type="ping")
        assert (await there["visitor"].expect("pong"))["type"] == "pong"
    finally:
        for socket in sockets:
            await socket.close()
        for server in servers:
            server.stop()
    log = "".join(server.log() for server in servers)
    assert "Traceback" not in log


async def _first_message(socket: LiveSocket) -> str:
    """Return the body of the first message `socket` gets; fail on anything from elsewhere."""
    while True:
        frame = await socket.next()
        if frame["type"] == "message":
            return frame["body"]
        if frame["type"] == "presence":
            people = [member["id"] for member in frame["joined"] + frame["left"]]
            assert all(person.endswith("-there") for person in people), frame
            continue
        if frame["type"] == "availability":  # names nobody: whether an agent is available
            continue
        assert frame["type"] == "ack", frame


async def test_the_prefix_is_the_deployments_unless_one_is_configured(redis_url):
    key = await in_public_schema(deployment_key_get)
    assert len(key) == 12 and key == await in_public_schema(deployment_key_get)
    layer = DeploymentChannelLayer(hosts=[redis_url])
    assert await layer.prefix_resolve() == f"parlor.{key}"
    configured = DeploymentChannelLayer(hosts=[redis_url], prefix="acme-eu")
    assert await configured.prefix_resolve() == "acme-eu"
    await layer.group_send("t.1.r.x", {"type": "room.event"})  # resolves, then publishes
    assert layer._get_layer().prefix == f"parlor.{key}"
    await layer.flush()
