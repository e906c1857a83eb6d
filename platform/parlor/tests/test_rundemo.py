"""Tests of `manage.py rundemo` (what `make run` starts): the platform and the demo page answer."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

from parlor.env import REPO_ROOT
from parlor.testing.database import database_url_for_tests
from parlor.testing.redis import free_port

pytestmark = pytest.mark.usefixtures("live_db")


def fetch(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=2) as response:
        return response.status, response.read().decode()


def wait_for(url: str, process: subprocess.Popen, timeout: float = 60) -> tuple[int, str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read()
        try:
            return fetch(url)
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {timeout}s")


def test_rundemo_serves_health_and_a_demo_page_embedding_the_widget():
    platform_port, demo_port = free_port(), free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url_for_tests(),
        "PARLOR_DEMO_PAGE_URL": f"http://127.0.0.1:{demo_port}",
        "REDIS_URL": "",
    }
    process = subprocess.Popen(
        [sys.executable, str(REPO_ROOT / "manage.py"), "rundemo", "--port", str(platform_port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        status, body = wait_for(f"http://127.0.0.1:{platform_port}/healthz", process)
        assert (status, body) == (200, '{"status": "ok"}')
        status, page = wait_for(f"http://127.0.0.1:{demo_port}/", process)
        assert status == 200
        assert f'src="http://127.0.0.1:{platform_port}/widget.js"' in page
        assert 'data-key="pk_' in page
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(10)
