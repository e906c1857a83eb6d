"""Adversarial tests of HTTP rate limits: widget sessions per tenant and IP, tokens per tenant."""

from __future__ import annotations

import uuid

import pytest
import redis
from django.test import RequestFactory

from parlor.api.tests.helpers import assert_problem, post
from parlor.api.throttle import client_ip
from parlor.testing.redis import redis_url_with_db

pytestmark = pytest.mark.usefixtures("live_db")
SESSIONS = "/api/v1/widget/sessions"
TOKENS = "/api/v1/tokens"
ALPHA_ORIGIN = "https://shop.alpha.example"
BRAVO_ORIGIN = "https://shop.bravo.example"
BURST = 3


@pytest.fixture(params=["memory", "redis"])
def limits(request, settings):
    """Tight limits under a prefix of this test's own, in this process or in Redis DB 6."""
    prefix = f"test-throttle-{uuid.uuid4().hex[:8]}"
    settings.PARLOR = {
        "WIDGET_SESSIONS_PER_MINUTE": 6,
        "WIDGET_SESSIONS_BURST": BURST,
        "TOKENS_PER_MINUTE": 6,
        "TOKENS_BURST": BURST,
        "THROTTLE_PREFIX": prefix,
    }
    settings.REDIS_URL = ""
    if request.param == "memory":
        yield settings.PARLOR
        return
    settings.REDIS_URL = redis_url_with_db(request.getfixturevalue("redis_url"), 6)
    yield settings.PARLOR
    client = redis.Redis.from_url(settings.REDIS_URL)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)
    client.close()


def start(client, tenant, *, origin=ALPHA_ORIGIN, **headers):
    return post(client, SESSIONS, {"key": tenant.publishable_key}, HTTP_ORIGIN=origin, **headers)


def exhaust(client, tenant, *, origin=ALPHA_ORIGIN, **headers):
    for _ in range(BURST):
        assert start(client, tenant, origin=origin, **headers).status_code == 201


def assert_rate_limited(response) -> None:
    problem = assert_problem(response, 429, "rate_limited")
    assert 1 <= int(response["Retry-After"]) <= 10
    assert problem["detail"].endswith(f"retry in {response['Retry-After']} s.")


def test_widget_sessions_beyond_the_burst_get_429_with_retry_after(client, tenant_alpha, limits):
    exhaust(client, tenant_alpha.tenant)
    response = start(client, tenant_alpha.tenant)
    assert_rate_limited(response)
    assert "token" not in response.json()


def test_another_ip_and_another_tenant_keep_their_own_limit(
    client, tenant_alpha, tenant_bravo, limits
):
    exhaust(client, tenant_alpha.tenant, REMOTE_ADDR="192.0.2.10")
    assert_rate_limited(start(client, tenant_alpha.tenant, REMOTE_ADDR="192.0.2.10"))
    assert start(client, tenant_alpha.tenant, REMOTE_ADDR="192.0.2.11").status_code == 201
    bravo = start(client, tenant_bravo.tenant, origin=BRAVO_ORIGIN, REMOTE_ADDR="192.0.2.10")
    assert bravo.status_code == 201


def test_forwarded_for_is_ignored_without_trusted_proxies(client, tenant_alpha, limits):
    exhaust(client, tenant_alpha.tenant, REMOTE_ADDR="192.0.2.20")
    for forged in ["198.51.100.1", "198.51.100.2, 198.51.100.3"]:
        response = start(
            client, tenant_alpha.tenant, REMOTE_ADDR="192.0.2.20", HTTP_X_FORWARDED_FOR=forged
        )
        assert_rate_limited(response)


def test_behind_a_trusted_proxy_only_the_hop_it_added_counts(client, tenant_alpha, limits):
    limits["TRUSTED_PROXY_COUNT"] = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    exhaust(client, tenant_alpha.tenant, HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)
    # A client forging a first hop still arrives with the address the proxy appended.
    forged = start(
        client, tenant_alpha.tenant, HTTP_X_FORWARDED_FOR="198.51.100.9, 203.0.113.7", **proxy
    )
    assert_rate_limited(forged)
    other = start(client, tenant_alpha.tenant, HTTP_X_FORWARDED_FOR="203.0.113.8", **proxy)
    assert other.status_code == 201


def test_preflight_is_not_counted(client, tenant_alpha, limits):
    exhaust(client, tenant_alpha.tenant)
    preflight = client.options(SESSIONS, HTTP_ORIGIN=ALPHA_ORIGIN)
    assert preflight.status_code == 204


def test_tokens_beyond_the_burst_get_429_and_other_tenants_do_not(
    client, tenant_alpha, tenant_bravo, limits
):
    body = {"user_id": "u-1", "name": "Ada"}
    for _ in range(BURST):
        response = post(client, TOKENS, body, secret_key=tenant_alpha.secret_key)
        assert response.status_code == 201, response.content
    refused = post(client, TOKENS, body, secret_key=tenant_alpha.secret_key)
    assert_rate_limited(refused)
    assert "token" not in refused.json()
    # Per tenant, not per address: a second address of the same tenant is refused too.
    again = post(client, TOKENS, body, secret_key=tenant_alpha.secret_key, REMOTE_ADDR="192.0.2.30")
    assert_rate_limited(again)
    assert post(client, TOKENS, body, secret_key=tenant_bravo.secret_key).status_code == 201


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "", "192.0.2.1"),
        (0, "198.51.100.1", "192.0.2.1"),
        (1, "", "192.0.2.1"),
        (1, "198.51.100.1", "198.51.100.1"),
        (1, "6.6.6.6, 198.51.100.1", "198.51.100.1"),
        (2, "6.6.6.6, 198.51.100.1, 10.0.0.3", "198.51.100.1"),
        (2, "198.51.100.1", "198.51.100.1"),
        (1, "not-an-ip", "192.0.2.1"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_ip(settings, proxies, forwarded, expected):
    settings.PARLOR = {"TRUSTED_PROXY_COUNT": proxies}
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1", **headers)
    assert client_ip(request) == expected
