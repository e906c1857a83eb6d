"""A client cannot pick its own address past the widget-session limit (issue 9, item 7).

The real server, started as production starts it: uvicorn must not rewrite the client address
from X-Forwarded-For; Parlor reads it with PARLOR_TRUSTED_PROXY_COUNT only.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from parlor.testing.database import database_url_for_tests
from parlor.testing.servers import start_server

pytestmark = pytest.mark.usefixtures("live_db")
ORIGIN = "https://shop.alpha.example"


@pytest.fixture(params=["0", "1"], ids=["no-proxy", "one-proxy"])
def server(request, tmp_path):
    running = start_server(
        database_url=database_url_for_tests(),
        log_dir=tmp_path,
        extra_env={
            "DJANGO_SETTINGS_MODULE": "parlor.serving.tests.settings_limited",
            "PARLOR_TRUSTED_PROXY_COUNT": request.param,
        },
    )
    yield running, int(request.param)
    running.stop()


def session_status(server, key: str, forwarded_for: str) -> int:
    request = urllib.request.Request(
        f"{server.http_url}/api/v1/widget/sessions",
        data=json.dumps({"key": key}).encode(),
        headers={
            "Content-Type": "application/json",
            "Origin": ORIGIN,
            "X-Forwarded-For": forwarded_for,
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_forged_forwarded_for_does_not_escape_the_limit(server, tenant_alpha):
    running, proxies = server
    key = tenant_alpha.tenant.publishable_key
    # With one trusted proxy, the proxy appends the one real hop; the client forges the rest.
    real_hop = ", 198.51.100.1" if proxies else ""
    statuses = [
        session_status(running, key, f"203.0.113.{number}{real_hop}") for number in range(6)
    ]
    assert statuses == [201, 201, 201, 429, 429, 429]
    if proxies:
        assert session_status(running, key, "203.0.113.1, 198.51.100.2") == 201
