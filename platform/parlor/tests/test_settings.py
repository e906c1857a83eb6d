"""Tests of configuration: production refuses unsafe secrets; the layer follows REDIS_URL."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from parlor.env import REPO_ROOT
from parlor.testing.database import database_url_for_tests

pytestmark = pytest.mark.usefixtures("live_db")


def run_check(settings_module: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        **{key: value for key, value in os.environ.items() if key != "SECRET_KEY"},
        "DJANGO_SETTINGS_MODULE": settings_module,
        "DATABASE_URL": database_url_for_tests(),
        "REDIS_URL": "redis://127.0.0.1:6379/15",
        "ALLOWED_HOSTS": "parlor.example",
        **env,
    }
    return subprocess.run(
        [sys.executable, str(REPO_ROOT / "manage.py"), "check"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    "secret", ["", "parlor-insecure-development-key-do-not-use-in-production", "short"]
)
def test_production_refuses_missing_default_or_short_secret_key(secret):
    result = run_check("parlor.settings.production", SECRET_KEY=secret)
    assert result.returncode != 0
    assert "Set SECRET_KEY to a random string" in result.stderr
    if secret:
        assert secret not in result.stderr.replace("parlor-insecure", "")


def test_production_starts_with_a_real_secret_key():
    result = run_check(
        "parlor.settings.production", SECRET_KEY="k" * 64, ALLOWED_HOSTS="parlor.example"
    )
    assert result.returncode == 0, result.stderr


def test_channel_layer_is_in_memory_without_redis_url_and_redis_with_it(monkeypatch):
    from parlor.settings import base

    monkeypatch.setattr(base, "REDIS_URL", "")
    assert (
        base.channel_layers_config()["default"]["BACKEND"] == "channels.layers.InMemoryChannelLayer"
    )
    monkeypatch.setattr(base, "REDIS_URL", "redis://127.0.0.1:6379/3")
    config = base.channel_layers_config()["default"]
    assert config["BACKEND"] == "parlor.realtime.channel_layer.DeploymentChannelLayer"
    assert config["CONFIG"] == {"hosts": ["redis://127.0.0.1:6379/3"], "prefix": None}
    monkeypatch.setenv("PARLOR_CHANNEL_PREFIX", "acme-eu")
    assert base.channel_layers_config()["default"]["CONFIG"]["prefix"] == "acme-eu"


# Production refuses dev defaults (parlor.settings.required): one line naming the variable.

VALID = {"SECRET_KEY": "k" * 64}


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("DATABASE_URL", "", "DATABASE_URL is not set"),
        ("REDIS_URL", "", "REDIS_URL is not set"),
        ("ALLOWED_HOSTS", "", "ALLOWED_HOSTS is not set"),
        ("DATABASE_URL", "mysql://db/parlor", "DATABASE_URL is malformed"),
        ("DATABASE_URL", "postgres://db:port/parlor", "DATABASE_URL is malformed"),
        ("DATABASE_URL", "postgres://db:5432", "DATABASE_URL is malformed"),
        ("REDIS_URL", "redis://[::1", "REDIS_URL is malformed"),
        ("REDIS_URL", "localhost:6379", "REDIS_URL is malformed"),
        ("REDIS_URL", "redis:///0", "REDIS_URL is malformed"),
    ],
)
def test_production_refuses_to_start_without_what_it_needs(variable, value, expected):
    result = run_check("parlor.settings.production", **VALID, **{variable: value})
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("parlor: refusing to start: ")
    assert expected in lines[0]
    assert "Traceback" not in result.stderr
    # No embedded PostgreSQL was started in its place.
    assert "embedded" not in result.stderr


def test_production_does_not_start_the_embedded_database_without_database_url(tmp_path):
    result = run_check(
        "parlor.settings.production", **VALID, DATABASE_URL="", PARLOR_DATA_DIR=str(tmp_path)
    )
    assert result.returncode != 0
    assert list(tmp_path.iterdir()) == []


def test_production_accepts_a_database_on_a_unix_socket():
    from parlor.settings.required import DATABASE_SCHEMES, url_check

    os.environ["PARLOR_TEST_URL"] = "postgres:///parlor?host=/var/run/postgresql"
    try:
        url_check("PARLOR_TEST_URL", DATABASE_SCHEMES)
    finally:
        del os.environ["PARLOR_TEST_URL"]


def test_production_csrf_and_proxy_settings_follow_the_environment():
    code = (
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.CSRF_TRUSTED_ORIGINS, getattr(s, 'SECURE_PROXY_SSL_HEADER', None),"
        " s.ALLOWED_HOSTS, s.PARLOR_PLATFORM_HOSTS, s.LOG_FORMAT)"
    )
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "parlor.settings.production",
        "DATABASE_URL": database_url_for_tests(),
        "REDIS_URL": "redis://127.0.0.1:6379/15",
        "ALLOWED_HOSTS": "parlor.example",
        "PARLOR_PUBLIC_URL": "https://parlor.example/",
        **VALID,
    }
    environment.pop("LOG_FORMAT", None)

    def settings_with(**env: str) -> str:
        return subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
            env={**environment, **env}, cwd=REPO_ROOT, check=True,
        ).stdout.strip()  # fmt: skip

    direct = settings_with(PARLOR_TRUSTED_PROXY_COUNT="0")
    assert direct == "['https://parlor.example'] None ['*'] ['parlor.example'] json"
    proxied = settings_with(PARLOR_TRUSTED_PROXY_COUNT="1")
    assert "('HTTP_X_FORWARDED_PROTO', 'https')" in proxied
