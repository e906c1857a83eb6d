"""The Offline page in real Chromium: an owner sets business hours, at 1280 and 375 px, with
screenshots kept in test-artifacts/ (no horizontal overflow)."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from parlor.dashboard.tests.conftest import PASSWORD, staff_of
from parlor.dashboard.tests.test_browser import _browser_or_skip, wait_until
from parlor.dashboard.tests.test_browser_team import DESKTOP, PHONE, _keep
from parlor.hours.models import BusinessHours
from parlor.team.roles import Role
from parlor.testing.database import database_url_for_tests
from parlor.testing.servers import start_server

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]


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


@pytest.fixture
def hours_reset(tenant_alpha):
    yield
    with schema_context(tenant_alpha.tenant.schema_name):
        BusinessHours.objects.all().delete()


def test_an_owner_sets_business_hours(server, browser, tenant_alpha, hours_reset):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    owner = staff_of(tenant_alpha, name="Olive Owner", role=Role.OWNER)
    base = f"http://alpha.localhost:{server.port}/dashboard"
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", DESKTOP)
    browser.get(f"{base}/login")
    browser.find_element(By.NAME, "username").send_keys(owner.username)
    browser.find_element(By.NAME, "password").send_keys(PASSWORD, Keys.ENTER)
    wait_until(lambda: "/login" not in browser.current_url, "login failed")

    browser.get(f"{base}/offline")
    browser.find_element(By.ID, "id_enabled").click()
    timezone = browser.find_element(By.ID, "id_timezone")
    timezone.clear()
    timezone.send_keys("Europe/Berlin")
    for day in ("monday", "tuesday", "wednesday", "thursday", "friday"):
        browser.find_element(By.ID, f"id_{day}").send_keys("09:00-17:00")
    browser.find_element(By.ID, "id_holidays").send_keys("2026-12-25")
    browser.find_element(By.ID, "id_reply_time").send_keys("a few hours", Keys.ENTER)
    wait_until(lambda: "Saved." in browser.page_source, "the hours were not saved")
    with schema_context(tenant_alpha.tenant.schema_name):
        hours = BusinessHours.objects.get()
    assert hours.enabled and hours.timezone == "Europe/Berlin"
    assert hours.weekly[4] == [["09:00", "17:00"]] and hours.weekly[5] == []

    for metrics in (DESKTOP, PHONE):
        browser.get(f"{base}/offline")
        _keep(browser, "offline", metrics)
