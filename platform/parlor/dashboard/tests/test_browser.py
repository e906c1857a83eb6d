"""The live transcript in real Chromium against a real server: log in, receive, reply, refresh."""

from __future__ import annotations

import json
import os
import shutil
import time
import urllib.request
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django_tenants.utils import schema_context

from parlor.chat.models import Message
from parlor.dashboard.tests.conftest import PASSWORD
from parlor.dashboard.tests.test_pages import XSS, visitor_writes
from parlor.testing.database import database_url_for_tests
from parlor.testing.servers import start_server
from tenants.models import Tenant
from tenants.services import tenant_token_lifetime_caps_set

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]


def _browser_or_skip():
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not shutil.which(path)]
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        missing.append("selenium")
    if missing:
        reason = f"needs {', '.join(missing)}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI must not skip the browser tests")
        pytest.skip(reason)
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))


def wait_until(condition: Callable[[], Any], message: str, timeout: float = 15.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(message)


@pytest.fixture
def server(tmp_path):
    running = start_server(database_url=database_url_for_tests(), log_dir=tmp_path)
    yield running
    running.stop()


@pytest.fixture
def browser():
    driver = _browser_or_skip()
    yield driver
    driver.quit()


def _post_as_bot(server, created, room: str, body: str) -> None:
    request = urllib.request.Request(
        f"{server.http_url}/api/v1/rooms/{room}/messages",
        data=json.dumps({"body": body, "client_msg_id": uuid.uuid4().hex}).encode(),
        headers={
            "Authorization": f"Bearer {created.secret_key}",
            "Content-Type": "application/json",
        },
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 201


def _reply_states(browser) -> list[str]:
    from selenium.webdriver.common.by import By

    replies = browser.find_elements(By.CSS_SELECTOR, ".messages .message.mine")
    return [reply.get_attribute("data-state") for reply in replies]


def _texts(browser) -> list[str]:
    from selenium.webdriver.common.by import By

    return [item.text for item in browser.find_elements(By.CSS_SELECTOR, ".messages .body")]


def test_a_staff_member_chats_live_from_the_transcript(server, browser, alpha_staff, tenant_alpha):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    room = visitor_writes(tenant_alpha, "Is my order shipped?")
    base = f"http://alpha.localhost:{server.port}/dashboard"
    browser.get(f"{base}/conversations/{room}")
    assert "/dashboard/login" in browser.current_url
    browser.find_element(By.NAME, "username").send_keys(alpha_staff.username)
    browser.find_element(By.NAME, "password").send_keys(PASSWORD, Keys.ENTER)
    wait_until(lambda: room in browser.current_url, "not sent back to the conversation")
    status = browser.find_element(By.ID, "live-status")
    wait_until(lambda: status.text == "Live", f"never went live: {browser.get_log('browser')}")
    # A message that arrives while the page is open appears, as text.
    _post_as_bot(server, tenant_alpha, room, XSS)
    wait_until(lambda: XSS in _texts(browser), "the live message did not appear")
    assert browser.find_elements(By.CSS_SELECTOR, ".messages img") == []
    # A reply typed in the box goes over the socket, once, and is shown as sent.
    box = browser.find_element(By.NAME, "body")
    box.send_keys("Yes, it left this morning.", Keys.ENTER)
    wait_until(lambda: _reply_states(browser) == ["sent"], "the reply was not acknowledged")
    assert browser.current_url.endswith(room)  # no form post: the socket carried it
    with schema_context("alpha"):
        stored = list(Message.objects.filter(room_id=room).order_by("seq"))
    assert [m.body for m in stored] == ["Is my order shipped?", XSS, "Yes, it left this morning."]
    assert stored[-1].sender_id == f"staff-{alpha_staff.pk}"
    assert _texts(browser).count("Yes, it left this morning.") == 1
    severe = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert severe == []


def test_the_live_box_refreshes_its_token_before_it_expires(
    server, browser, alpha_staff, tenant_alpha
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    tenant = Tenant.objects.get(slug="alpha")
    caps = dict(tenant.token_lifetime_caps or {})
    tenant_token_lifetime_caps_set(tenant=tenant, caps={**caps, "agent": 12})
    try:
        room = visitor_writes(tenant_alpha, "Still there?")
        browser.get(f"http://alpha.localhost:{server.port}/dashboard/login")
        browser.find_element(By.NAME, "username").send_keys(alpha_staff.username)
        browser.find_element(By.NAME, "password").send_keys(PASSWORD, Keys.ENTER)
        wait_until(lambda: "/login" not in browser.current_url, "login failed")
        browser.get(f"http://alpha.localhost:{server.port}/dashboard/conversations/{room}")
        status = browser.find_element(By.ID, "live-status")
        wait_until(lambda: status.text == "Live", "never went live")
        started = time.monotonic()
        # Past the first token's 12 seconds the same socket still delivers (auth.refresh).
        wait_until(lambda: time.monotonic() - started > 14, "clock", timeout=20)
        assert status.text == "Live"
        _post_as_bot(server, tenant_alpha, room, "after the first token expired")
        wait_until(
            lambda: "after the first token expired" in _texts(browser), "socket did not survive"
        )
        # One connection all along: refreshed in place, never closed with 4401 and redialled.
        assert status.get_attribute("data-connects") == "1"
    finally:
        Tenant.objects.filter(slug="alpha").update(token_lifetime_caps=caps)
