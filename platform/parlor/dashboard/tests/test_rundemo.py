"""`make run` (rundemo) leaves the demo dashboard usable at once with the printed login."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest

from parlor.env import REPO_ROOT
from parlor.management.commands.rundemo import DEMO_STAFF_PASSWORD, DEMO_STAFF_USERNAME
from parlor.testing.database import database_url_for_tests
from parlor.testing.redis import free_port

pytestmark = pytest.mark.usefixtures("live_db")


class HostOpener:
    """urllib with cookies, sending every request to 127.0.0.1 with a chosen Host header."""

    def __init__(self, port: int, host: str) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.host = host
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def request(self, path: str, data: dict | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers={"Host": self.host})
        # Cookies are stored for 127.0.0.1 (the URL's host), and sent back to it.
        with self.opener.open(request, timeout=5) as response:
            return response.status, response.geturl(), response.read().decode()


def test_the_printed_dashboard_login_works_on_the_demo_host():
    port, demo_port = free_port(), free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url_for_tests(),
        "PARLOR_DEMO_PAGE_URL": f"http://127.0.0.1:{demo_port}",
        "REDIS_URL": "",
    }
    process = subprocess.Popen(
        [sys.executable, str(REPO_ROOT / "manage.py"), "rundemo", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        banner = ""
        deadline = time.monotonic() + 60
        while "Dashboard:" not in banner and time.monotonic() < deadline:
            banner += process.stdout.readline()
        expected = f"http://demo.localhost:{port}/dashboard/ (user {DEMO_STAFF_USERNAME},"
        assert expected in banner
        site = HostOpener(port, f"demo.localhost:{port}")
        deadline = time.monotonic() + 30
        while True:
            try:
                _, _, page = site.request("/dashboard/login")
                break
            except OSError:
                assert time.monotonic() < deadline, "the platform did not answer"
                time.sleep(0.2)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, url, page = site.request(
            "/dashboard/login",
            {
                "csrfmiddlewaretoken": token,
                "username": DEMO_STAFF_USERNAME,
                "password": DEMO_STAFF_PASSWORD,
            },
        )
        assert (status, url.endswith("/dashboard/")) == (200, True)
        assert "<h1>Conversations</h1>" in page
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(10)
