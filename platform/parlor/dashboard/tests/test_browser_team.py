"""The staff and audit pages in real Chromium: worked by keyboard alone, at 1280 and 375 px,
with screenshots kept in test-artifacts/."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from parlor.dashboard.tests.conftest import PASSWORD, staff_of
from parlor.dashboard.tests.test_browser import _browser_or_skip, wait_until
from parlor.dashboard.tests.test_pages import XSS
from parlor.env import REPO_ROOT
from parlor.team.roles import Role
from parlor.team.selectors import staff_role_get
from parlor.testing.database import database_url_for_tests
from parlor.testing.servers import start_server

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]

ARTIFACTS = REPO_ROOT / "test-artifacts"
PHONE = {"width": 375, "height": 812, "deviceScaleFactor": 1, "mobile": True}
DESKTOP = {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False}
# Every staff row of the session tenant and every nav link is a stop: earlier tests add staff.
MAX_TABS = 200


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


def _tab_to(browser, element_id: str) -> None:
    """Press Tab until the element has focus: it is reachable by keyboard, in order."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    for _ in range(MAX_TABS):
        ActionChains(browser).send_keys(Keys.TAB).perform()
        if browser.execute_script("return document.activeElement.id") == element_id:
            return
    raise AssertionError(f"#{element_id} is not reachable by Tab")


def _keep(browser, name: str, metrics: dict) -> None:
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    browser.refresh()
    overflow = browser.execute_script(
        "return document.documentElement.scrollWidth - window.innerWidth;"
    )
    width = metrics["width"]
    assert overflow <= 0, f"{name} at {width} px is wider than the screen by {overflow}"
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / f"dashboard-{name}-{width}.png"))


def test_an_owner_runs_the_team_by_keyboard_at_desktop_and_phone_width(
    server, browser, tenant_alpha
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    owner = staff_of(tenant_alpha, name="Olive Owner", role=Role.OWNER, email="olive@example.com")
    agent = staff_of(tenant_alpha, name="Ari Agent", role=Role.AGENT, email="ari@example.com")
    hostile = staff_of(tenant_alpha, name=XSS, role=Role.AGENT)
    base = f"http://alpha.localhost:{server.port}/dashboard"
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", DESKTOP)
    browser.get(f"{base}/login")
    browser.find_element(By.NAME, "username").send_keys(owner.username)
    browser.find_element(By.NAME, "password").send_keys(PASSWORD, Keys.ENTER)
    wait_until(lambda: "/login" not in browser.current_url, "login failed")

    browser.get(f"{base}/staff")
    assert browser.find_elements(By.CSS_SELECTOR, ".staff-list img") == []
    assert XSS in browser.find_element(By.CSS_SELECTOR, ".staff-list").text
    # Keyboard only: Tab to the agent's role, choose Admin, Tab to its button, Enter.
    _tab_to(browser, f"role-{agent.pk}")
    browser.switch_to.active_element.send_keys("Admin")
    browser.switch_to.active_element.send_keys(Keys.TAB)
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    wait_until(lambda: "Role changed." in browser.page_source, "the role change did not land")
    with schema_context("alpha"):
        from django.contrib.auth import get_user_model

        assert staff_role_get(user=get_user_model().objects.get(pk=agent.pk)) == Role.ADMIN
    # And deactivate the hostile-named one: Tab past its role form to its Deactivate button.
    _tab_to(browser, f"role-{hostile.pk}")
    for _ in range(2):
        browser.switch_to.active_element.send_keys(Keys.TAB)
    assert "Deactivate" in browser.switch_to.active_element.text
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    wait_until(lambda: "Deactivated:" in browser.page_source, "deactivation did not land")
    outline = browser.execute_script(
        "const b = document.querySelector('.staff-actions button'); b.focus();"
        "return getComputedStyle(b).outlineStyle;"
    )
    assert outline != "none", "focused buttons show no focus ring"

    for width_metrics in (DESKTOP, PHONE):
        browser.get(f"{base}/staff")
        _keep(browser, "staff", width_metrics)
        browser.get(f"{base}/audit")
        assert "Staff role changed" in browser.page_source
        assert "Staff deactivated" in browser.page_source
        _keep(browser, "audit", width_metrics)
        browser.get(f"{base}/password")
        _keep(browser, "password", width_metrics)
    # The browser's own favicon probe is not the page's doing.
    severe = [
        entry
        for entry in browser.get_log("browser")
        if entry["level"] == "SEVERE" and "favicon.ico" not in entry["message"]
    ]
    assert severe == []
