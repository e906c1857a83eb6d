"""Search and insights in real Chromium at 1280 and 375 px (screenshots in test-artifacts/),
and an export streamed by the real ASGI server."""

from __future__ import annotations

import urllib.request
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django_tenants.utils import schema_context

from parlor.chat.tests.seeding import room_seed
from parlor.dashboard.tests.conftest import PASSWORD, staff_of
from parlor.dashboard.tests.test_browser import _browser_or_skip, wait_until
from parlor.dashboard.tests.test_browser_team import DESKTOP, PHONE, _keep
from parlor.dashboard.tests.test_pages import XSS
from parlor.team.roles import Role
from parlor.testing.database import database_url_for_tests
from parlor.testing.servers import start_server

pytestmark = [pytest.mark.usefixtures("live_db")]


@pytest.fixture
def server(tmp_path):
    running = start_server(database_url=database_url_for_tests(), log_dir=tmp_path)
    yield running
    running.stop()


def _seed_recent_days(term: str) -> str:
    """Conversations on each of the last 12 days, answered after a growing wait."""
    today = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0)
    room = ""
    with schema_context("alpha"):
        for back in range(12):
            start = today - timedelta(days=back)
            for n in range(1 + back % 4):
                lines = [("visitor", "owner", f"order {n} {term} {XSS}", start)]
                lines.append(("agent", "a1", "on it", start + timedelta(seconds=30 * (back + 1))))
                room = room_seed(created_at=start, lines=lines)
    return room


@pytest.mark.browser
def test_search_and_insights_at_desktop_and_phone_width(server, tenant_alpha):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser = _browser_or_skip()
    try:
        term = f"zq{uuid.uuid4().hex[:8]}"
        _seed_recent_days(term)
        owner = staff_of(tenant_alpha, name="Olive Owner", role=Role.OWNER)
        base = f"http://alpha.localhost:{server.port}/dashboard"
        browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", DESKTOP)
        browser.get(f"{base}/login")
        browser.find_element(By.NAME, "username").send_keys(owner.username)
        browser.find_element(By.NAME, "password").send_keys(PASSWORD, Keys.ENTER)
        wait_until(lambda: "/login" not in browser.current_url, "login failed")

        browser.get(f"{base}/search")
        browser.find_element(By.ID, "search-q").send_keys(term, Keys.ENTER)
        wait_until(
            lambda: browser.find_elements(By.CSS_SELECTOR, ".search-results a"), "no results"
        )
        assert browser.find_elements(By.CSS_SELECTOR, ".search-results img") == []
        assert browser.find_element(By.CSS_SELECTOR, ".search-results mark").text == term
        for metrics in (DESKTOP, PHONE):
            _keep(browser, "search", metrics)
        browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", DESKTOP)
        browser.find_element(By.CSS_SELECTOR, ".search-results a").click()
        wait_until(lambda: "/conversations/" in browser.current_url, "the result did not open")
        target = browser.execute_script("return document.querySelector(':target')?.id")
        assert target == browser.current_url.rsplit("#", 1)[1]

        browser.get(f"{base}/insights")
        bars = browser.find_elements(By.CSS_SELECTOR, "#chart-conversations ~ rect, svg .chart-bar")
        assert len(bars) >= 12
        labelled = browser.execute_script(
            "return [...document.querySelectorAll('svg.chart')].every(s =>"
            " s.getAttribute('role') === 'img' && s.querySelector('title')"
            " && s.querySelector('desc'))"
        )
        assert labelled
        for metrics in (DESKTOP, PHONE):
            _keep(browser, "insights", metrics)
        severe = [
            entry
            for entry in browser.get_log("browser")
            if entry["level"] == "SEVERE" and "favicon.ico" not in entry["message"]
        ]
        assert severe == []
    finally:
        browser.quit()


def test_the_asgi_server_streams_an_export_in_chunks(server, tenant_alpha):
    day = datetime(2016, 4, 5, tzinfo=UTC)
    lines = [("visitor", "owner", f"line {n}", day + timedelta(seconds=n)) for n in range(1500)]
    with schema_context("alpha"):
        room_seed(created_at=day, lines=lines)
    query = f"from={day.date()}&to={day.date()}&format=csv"
    request = urllib.request.Request(
        f"{server.http_url}/api/v1/exports/conversations?{query}",
        headers={"Authorization": f"Bearer {tenant_alpha.secret_key}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.headers["Transfer-Encoding"] == "chunked"
        assert response.headers["Content-Length"] is None
        body = response.read().decode()
    assert body.count("\n") == 1501
    # Django collects a sync iterator into one list under ASGI, and warns: never here.
    assert "must consume" not in server.log_path.read_text()
