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
