"""Production posture: `check --deploy` is clean, and DEBUG is on only under `make run`."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest

from parlor.env import REPO_ROOT
from parlor.testing.database import database_url_for_tests

pytestmark = pytest.mark.usefixtures("live_db")


def python(code: str, **env: str) -> subprocess.CompletedProcess:
    """Run `code` in a fresh interpreter with only the given Parlor environment set."""
    inherited = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}
        and key != "REDIS_URL"
    }
    environment = {
        **inherited,
        "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), str(REPO_ROOT / "platform")]),
        "DATABASE_URL": database_url_for_tests(),
        # Production refuses to start without these (parlor.settings.required); never dialled.
        "REDIS_URL": "redis://127.0.0.1:6379/15",
        "ALLOWED_HOSTS": "parlor.example",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environment,
        timeout=120, check=False, cwd=REPO_ROOT,
    )  # fmt: skip


def test_check_deploy_is_clean_under_production_settings():
    result = python(
        "import sys; sys.argv = ['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'];"
        "import runpy; runpy.run_path('manage.py', run_name='__main__')",
        DJANGO_SETTINGS_MODULE="parlor.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="parlor.example",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_redirects_to_https_with_hsts_except_the_probes():
    result = python(
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS >= 31536000,"
        " s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, sorted(s.SECURE_REDIRECT_EXEMPT))",
        DJANGO_SETTINGS_MODULE="parlor.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("[")[0].split() == ["True", "True", "True", "True"]
    assert "^healthz$" in result.stdout and "^readyz$" in result.stdout


def test_debug_is_off_when_nothing_is_configured():
    result = python("import parlor.asgi; from django.conf import settings; print(settings.DEBUG)")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_make_run_turns_debug_on():
    result = subprocess.run(
        ["make", "-n", "run"], capture_output=True, text=True, cwd=REPO_ROOT, check=False
    )
    run_line = next(line for line in result.stdout.splitlines() if "rundemo" in line)
    assert "DEBUG=true" in run_line
