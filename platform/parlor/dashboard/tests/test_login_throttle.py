"""Dashboard login: throttled per account and per address, the same whether the account exists."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from parlor.dashboard.tests.conftest import PASSWORD

ACCOUNT_BURST = 3
ADDRESS_BURST = 6


@pytest.fixture(autouse=True)
def tight_limits(settings):
    """Small buckets, under a Redis prefix of this test's own."""
    settings.PARLOR = {
        **settings.PARLOR,
        "LOGIN_ACCOUNT_BURST": ACCOUNT_BURST,
        "LOGIN_ACCOUNT_PER_MINUTE": 1,
        "LOGIN_ADDRESS_BURST": ADDRESS_BURST,
        "LOGIN_ADDRESS_PER_MINUTE": 1,
        "THROTTLE_PREFIX": f"test:login:{uuid.uuid4().hex}",
    }


def attempt(staff_host: str, username: str, password: str, address: str = "192.0.2.10"):
    client = Client(HTTP_HOST=staff_host, REMOTE_ADDR=address)
    return client.post("/dashboard/login", {"username": username, "password": password})


def shape(response) -> tuple[int, str | None]:
    return response.status_code, response.get("Retry-After")


@pytest.mark.parametrize("exists", [True, False], ids=["existing", "unknown"])
def test_wrong_passwords_are_throttled_per_account(alpha_staff, exists):
    username = alpha_staff.username if exists else f"nobody-{uuid.uuid4().hex[:8]}"
    answers = [
        attempt(alpha_staff.host, username, "wrong", address=f"192.0.2.{n}")
        for n in range(ACCOUNT_BURST + 2)
    ]
    assert [r.status_code for r in answers] == [200] * ACCOUNT_BURST + [429, 429]
    assert "too many login attempts" in answers[-1].content.decode()
    # Even the right password waits: the bucket says no before anything is checked.
    assert attempt(alpha_staff.host, username, PASSWORD, address="192.0.2.99").status_code == 429


def test_the_answer_does_not_tell_whether_the_account_exists(alpha_staff):
    def answers(username: str) -> list:
        return [
            shape(attempt(alpha_staff.host, username, "wrong", address=f"198.51.100.{n}"))
            for n in range(ACCOUNT_BURST + 1)
        ]

    assert answers(alpha_staff.username) == answers(f"ghost-{uuid.uuid4().hex[:8]}")


def test_one_address_is_throttled_across_accounts(alpha_staff):
    statuses = [
        attempt(alpha_staff.host, f"user-{n}", "wrong", address="203.0.113.5").status_code
        for n in range(ADDRESS_BURST + 1)
    ]
    assert statuses == [200] * ADDRESS_BURST + [429]
    assert attempt(alpha_staff.host, "user-x", "wrong", address="203.0.113.6").status_code == 200


def test_the_login_page_has_a_content_security_policy(alpha_staff):
    response = Client(HTTP_HOST=alpha_staff.host).get("/dashboard/login")
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert "script-src" not in policy and "'unsafe-inline'" not in policy
