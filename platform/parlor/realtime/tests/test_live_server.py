"""The auth middleware behind real servers (daphne, uvicorn) and a real WebSocket client."""

from __future__ import annotations

import time
from urllib.parse import urlsplit, urlunsplit

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from parlor.base.db import in_public_schema
from parlor.base.identity import PrincipalKind
from parlor.realtime.protocol import CLOSE_TOKEN_INVALID
from parlor.testing.database import database_url_for_tests
from parlor.testing.servers import start_server
from tenants.keys import signing_key_current
from tenants.tokens import token_issue, token_sign

pytestmark = [pytest.mark.usefixtures("live_db"), pytest.mark.redis]
ALPHA_ORIGIN = "https://shop.alpha.example"


@pytest.fixture(scope="module", params=["daphne", "uvicorn"])
def server(request, redis_url, tmp_path_factory, django_db_setup, django_db_blocker):
    """One real server per kind for this module, on Redis database 1."""
    parts = urlsplit(redis_url)
    with django_db_blocker.unblock():
        database_url = database_url_for_tests()
    server = start_server(
        database_url=database_url,
        log_dir=tmp_path_factory.mktemp("server"),
        redis_url=urlunsplit((parts.scheme, parts.netloc, "/1", "", "")),
        extra_env={"LOG_LEVEL": "DEBUG", "PARLOR_CHANNEL_PREFIX": "auth-live"},
        server=request.param,
    )
    yield server
    server.stop()


def expired_token(tenant) -> str:
    now = int(time.time())
    claims = {
        "iss": f"parlor:tenant:{tenant.slug}",
        "sub": "v-live",
        "aud": "parlor:visitor",
        "iat": now - 120,
        "exp": now - 60,
        "jti": f"live-{now}",
        "name": "Live",
    }
    return token_sign(key=signing_key_current(tenant_id=tenant.id), claims=claims)


async def test_expired_token_gets_4401_with_only_parlor_v1_selected(server, tenant_alpha):
    token = await in_public_schema(expired_token, tenant_alpha.tenant)
    async with connect(
        f"{server.ws_url}/ws/v1/",
        subprotocols=["parlor.v1", "parlor.token." + token],
        origin=ALPHA_ORIGIN,
    ) as ws:
        assert ws.subprotocol == "parlor.v1"
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
    assert closed.value.rcvd.code == CLOSE_TOKEN_INVALID
    assert token not in server.log()


@pytest.mark.parametrize("case", ["forged", "foreign-origin", "missing"])
async def test_refused_connections_get_http_403_and_never_log_the_token(server, tenant_alpha, case):
    issued = await in_public_schema(
        token_issue, tenant=tenant_alpha.tenant, kind=PrincipalKind.VISITOR, subject="v", name="L"
    )
    token = issued.token
    origin = "https://evil.example" if case == "foreign-origin" else ALPHA_ORIGIN
    offered = ["parlor.v1"]
    if case != "missing":
        offered.append("parlor.token." + (token[:-4] + "AAAA" if case == "forged" else token))
    with pytest.raises(InvalidStatus) as refused:
        async with connect(f"{server.ws_url}/ws/v1/", subprotocols=offered, origin=origin):
            pass
    assert refused.value.response.status_code == 403
    log = server.log()
    assert token not in log and token.rsplit(".", 1)[1] not in log
