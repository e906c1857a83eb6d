"""Tests of `manage.py rundemo` (`make run`): health, the demo page, the printed login."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from parlor.env import REPO_ROOT
from parlor.management.commands.rundemo import DEMO_STAFF_PASSWORD, DEMO_STAFF_USERNAME
from parlor.testing.database import database_url_for_tests
from parlor.testing.redis import free_port

pytestmark = pytest.mark.usefixtures("live_db")


@dataclass
class RunningDemo:
    """One `rundemo` process: the platform on `port`, the demo page on `demo_port`."""

    process: subprocess.Popen
    port: int
    demo_port: int
    banner: str
    output: list[str] = field(default_factory=list)

    def log(self) -> str:
        return self.banner + "".join(self.output)


@pytest.fixture(scope="module")
def rundemo(django_db_setup) -> Iterator[RunningDemo]:
    """Start `manage.py rundemo` once for this module, as `make run` does; stop it after."""
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
            line = process.stdout.readline()
            if not line:
                break
            banner += line
        demo = RunningDemo(process=process, port=port, demo_port=demo_port, banner=banner)
        # Keep reading, so a full pipe never blocks the server's logging.
        threading.Thread(target=lambda: demo.output.extend(process.stdout), daemon=True).start()
        yield demo
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(10)


def fetch(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=2) as response:
        return response.status, response.read().decode()


def wait_for(call, demo: RunningDemo, timeout: float = 60):
    """Return `call()` once it stops failing to connect, while the process still runs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert demo.process.poll() is None, demo.log()
        try:
            return call()
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"rundemo did not answer within {timeout}s:\n{demo.log()}")


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


def test_rundemo_serves_health_and_a_demo_page_embedding_the_widget(rundemo):
    status, body = wait_for(lambda: fetch(f"http://127.0.0.1:{rundemo.port}/healthz"), rundemo)
    assert (status, body) == (200, '{"status": "ok"}')
    status, page = wait_for(lambda: fetch(f"http://127.0.0.1:{rundemo.demo_port}/"), rundemo)
    assert status == 200
    assert f'src="http://127.0.0.1:{rundemo.port}/widget.js"' in page
    assert 'data-key="pk_' in page


def test_the_printed_dashboard_login_works_on_the_demo_host(rundemo):
    expected = f"http://demo.localhost:{rundemo.port}/dashboard/ (user {DEMO_STAFF_USERNAME},"
    assert expected in rundemo.banner
    site = HostOpener(rundemo.port, f"demo.localhost:{rundemo.port}")
    _, _, page = wait_for(lambda: site.request("/dashboard/login"), rundemo, timeout=30)
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


def test_rundemo_serves_with_the_one_server_command_line(rundemo):
    import psutil

    from parlor.serving.command import server_command

    wait_for(lambda: fetch(f"http://127.0.0.1:{rundemo.port}/healthz"), rundemo)
    children = psutil.Process(rundemo.process.pid).children(recursive=True)
    expected = server_command(host="127.0.0.1", port=rundemo.port)[1:]
    assert any(child.cmdline()[1:] == expected for child in children), [
        child.cmdline() for child in children
    ]
