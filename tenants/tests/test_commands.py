"""Tests of the tenant management commands, run as real subprocesses against the test database."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from parlor.env import REPO_ROOT
from parlor.testing.database import database_url_for_tests

pytestmark = pytest.mark.usefixtures("live_db")


def manage(*args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DATABASE_URL": database_url_for_tests(),
        "DJANGO_SETTINGS_MODULE": "parlor.settings.test",
    }
    return subprocess.run(
        [sys.executable, str(REPO_ROOT / "manage.py"), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_createtenant_prints_json_with_keys_then_list_and_delete():
    result = manage(
        "createtenant",
        "cmdco",
        "--name",
        "Cmd Co",
        "--domain",
        "cmdco.localhost",
        "--allowed-origin",
        "https://shop.example",
        "--plan",
        "free",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    created = json.loads(result.stdout)
    assert created["schema"] == "cmdco"
    assert created["plan"] == "free"
    assert created["domain"] == "cmdco.localhost"
    assert created["allowed_origins"] == ["https://shop.example"]
    assert created["publishable_key"].startswith("pk_")
    assert created["secret_key"].startswith("sk_")

    listed = json.loads(manage("listtenants", "--json").stdout)
    row = next(row for row in listed if row["slug"] == "cmdco")
    assert "secret_key" not in row
    assert created["secret_key"] not in json.dumps(listed)

    deleted = manage("deletetenant", "cmdco", "--yes")
    assert deleted.returncode == 0, deleted.stderr
    assert "cmdco" not in {
        row["slug"] for row in json.loads(manage("listtenants", "--json").stdout)
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["alpha", "--name", "A", "--domain", "new.localhost"],
            "conflict: a tenant with slug 'alpha'",
        ),
        (["UPPER", "--name", "A", "--domain", "u.localhost"], "invalid: slug must start"),
        (["x;drop", "--name", "A", "--domain", "u.localhost"], "invalid: slug must start"),
        (
            ["public", "--name", "A", "--domain", "u.localhost"],
            "invalid: slug 'public' is reserved",
        ),
        (["a" * 64, "--name", "A", "--domain", "u.localhost"], "invalid: slug is 64 characters"),
        (
            [
                "okslug",
                "--name",
                "A",
                "--domain",
                "u.localhost",
                "--allowed-origin",
                "javascript:x",
            ],
            "invalid: origin",
        ),
    ],
)
def test_createtenant_refuses_bad_input_with_one_line(args, message):
    result = manage("createtenant", *args)
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert message in lines[0]
    assert "Traceback" not in result.stderr


def test_rotatekey_prints_the_new_kid_and_the_old_key_keeps_its_grace():
    from tenants.keys import signing_key_current
    from tenants.services import tenant_create, tenant_delete

    created = tenant_create(slug="rotcmd", name="Rot", domain="rotcmd.localhost")
    try:
        before = signing_key_current(tenant_id=created.tenant.id)
        result = manage("rotatekey", "rotcmd", "--grace-seconds", "60", "--json")
        assert result.returncode == 0, result.stderr
        answer = json.loads(result.stdout)
        current = signing_key_current(tenant_id=created.tenant.id)
        assert answer["kid"] == current.kid != before.kid
        assert answer["previous_kid"] == before.kid and answer["previous_verifies_until"]
        before.refresh_from_db()
        assert before.verifies_until is not None and before.revoked_at is None
    finally:
        tenant_delete(slug="rotcmd")


def test_rotatekey_refuses_unknown_tenants_and_bad_grace():
    unknown = manage("rotatekey", "nosuchtenant")
    assert unknown.returncode != 0 and "not_found" in unknown.stderr
    bad = manage("rotatekey", "alpha", "--grace-seconds", "-5")
    assert bad.returncode != 0 and "grace_seconds" in bad.stderr
