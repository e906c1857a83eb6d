"""The agents' side in real browsers: a visitor in the widget on a customer page, an agent in
the tenant's dashboard, both through the cuttable proxy. The dashboard's live transcript runs
the widget's own protocol client, so a reply typed during an outage is queued and sent once."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass

import pytest

from widget.tests.support import ARTIFACTS, Widget, start_conversation, wait_until

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery-staple"
PHONE = {"width": 375, "height": 812, "deviceScaleFactor": 1, "mobile": True}

DASHBOARD_STATE = """
const status = document.getElementById("live-status");
return {
  status: status ? status.textContent : "",
  statusState: status ? status.dataset.state || "" : "",
  connects: status ? Number(status.dataset.connects || 0) : 0,
  messages: [...document.querySelectorAll(".messages .message")].map((li) => ({
    body: li.querySelector(".body").textContent,
    sender: li.querySelector(".sender").textContent,
    mine: li.classList.contains("mine"),
    state: li.dataset.state || "",
    seq: li.dataset.seq ? Number(li.dataset.seq) : null,
  })),
};
"""


@dataclass
class Dashboard:
    """A staff member of the test tenant and where their dashboard is (through the proxy)."""

    base: str
    username: str

    def login(self, driver) -> None:
        from selenium.webdriver.common.keys import Keys

        driver.get(f"{self.base}/login")
        driver.find_element("name", "username").send_keys(self.username)
        driver.find_element("name", "password").send_keys(PASSWORD, Keys.ENTER)
        wait_until(lambda: "/login" not in driver.current_url, "the staff member logs in")

    def open_live(self, driver, room: str) -> None:
        driver.get(f"{self.base}/conversations/{room}")
        wait_until(lambda: state(driver)["status"] == "Live", "the transcript goes live", 20)


def state(driver) -> dict:
    """Return the transcript as the agent sees it: status line and messages."""
    return driver.execute_script(DASHBOARD_STATE)


def bodies(driver) -> list[str]:
    return [message["body"] for message in state(driver)["messages"]]


@pytest.fixture
def dashboard(stack, django_db_blocker) -> Dashboard:
    from parlor.dashboard.services import staff_create

    username = f"agent-{secrets.token_hex(4)}"
    with django_db_blocker.unblock():
        staff_create(
            tenant=stack.tenant, username=username, password=PASSWORD, name="Dana", role="owner"
        )
        domain = stack.tenant.get_primary_domain().domain
    return Dashboard(base=f"http://{domain}:{stack.proxy.port}/dashboard", username=username)


def open_widget(driver, url: str, key: str) -> Widget:
    driver.get(url)
    widget = Widget(driver, key)
    widget.open()
    widget.connected()
    return widget


def reply(driver, text: str) -> None:
    from selenium.webdriver.common.keys import Keys

    driver.find_element("name", "body").send_keys(text, Keys.ENTER)


def outbox(driver) -> list[dict]:
    """Return the transcript's persisted outbox (the replies not yet acknowledged)."""
    namespace = driver.find_element("id", "transcript").get_attribute("data-outbox")
    raw = driver.execute_script(
        "return localStorage.getItem(arguments[0]);", f"parlor:{namespace}:outbox"
    )
    return [] if raw is None else json.loads(raw)


def test_an_agent_answers_a_visitor_from_the_dashboard(stack, browsers, dashboard):
    visitor = open_widget(browsers(), stack.page("/dashboard-answers"), stack.key)
    room = start_conversation(visitor, "I need help with my order")

    agent = browsers()
    dashboard.login(agent)
    dashboard.open_live(agent, room)
    assert bodies(agent) == ["I need help with my order"]
    visitor.send("Hello?")
    wait_until(lambda: bodies(agent)[-1:] == ["Hello?"], "the visitor's message appears live")
    reply(agent, "Happy to help!")
    visitor.wait(
        lambda s: (
            (s["messages"][-1]["body"], s["messages"][-1]["sender"]) == ("Happy to help!", "Dana")
        ),
        "the visitor sees the agent's answer",
    )
    # Sent, and read at once: the visitor has the chat open at the newest message.
    wait_until(lambda: state(agent)["messages"][-1]["state"] == "read", "the reply is read")
    assert bodies(agent) == ["I need help with my order", "Hello?", "Happy to help!"]
    logs = agent.get_log("browser")
    severe = [e for e in logs if e["level"] == "SEVERE" and "favicon" not in e["message"]]
    assert severe == []


def test_a_reply_typed_while_the_server_is_unreachable_is_delivered_exactly_once(
    stack, browsers, dashboard, agent_for
):
    visitor = open_widget(browsers(), stack.page("/dashboard-outage"), stack.key)
    room = start_conversation(visitor, "Where is my parcel?")
    agent = browsers()
    dashboard.login(agent)
    dashboard.open_live(agent, room)
    transcript_url = agent.current_url
    witness = agent_for()  # speaks to the server directly, not through the proxy
    witness.join(room)

    stack.proxy.hold()
    stack.proxy.cut()
    try:
        wait_until(lambda: state(agent)["statusState"] == "reconnecting", "the agent is told")
        reply(agent, "Sorry for the wait: it ships today.")
        wait_until(
            lambda: state(agent)["messages"][-1]["state"] == "sending", "the reply waits queued"
        )
        ARTIFACTS.mkdir(exist_ok=True)
        agent.save_screenshot(str(ARTIFACTS / "dashboard-transcript-reply-queued-1280.png"))
        assert agent.current_url == transcript_url, "no form post while the server is away"
        assert [entry["body"] for entry in outbox(agent)] == ["Sorry for the wait: it ships today."]
        stored = [m["body"] for m in witness.all_messages(room)]
        assert stored == ["Where is my parcel?"], "nothing reached the server yet"
    finally:
        stack.proxy.release()

    wait_until(
        lambda: (
            state(agent)["messages"][-1]["state"] in {"sent", "read"}
            and state(agent)["status"] == "Live"
        ),
        "after the outage the reply is sent",
        timeout=45,
    )
    expected = ["Where is my parcel?", "Sorry for the wait: it ships today."]
    assert [m["body"] for m in witness.all_messages(room)] == expected, "stored exactly once"
    visitor.wait(lambda s: [m["body"] for m in s["messages"]] == expected, "the visitor: once")
    assert outbox(agent) == []
    # Another drop (the socket comes back at once) resends and shows nothing twice.
    stack.proxy.cut()
    wait_until(lambda: state(agent)["connects"] >= 3, "the transcript reconnects", timeout=45)
    wait_until(lambda: state(agent)["status"] == "Live", "live again", timeout=45)
    assert bodies(agent) == expected
    assert [m["body"] for m in witness.all_messages(room)] == expected


def test_a_reply_queued_offline_survives_a_reload_and_is_sent_once(
    stack, browsers, dashboard, agent_for
):
    visitor = open_widget(browsers(), stack.page("/dashboard-reload"), stack.key)
    room = start_conversation(visitor, "Are you there?")
    agent = browsers()
    dashboard.login(agent)
    dashboard.open_live(agent, room)
    witness = agent_for()
    witness.join(room)

    stack.proxy.hold()
    stack.proxy.cut()
    try:
        wait_until(lambda: state(agent)["statusState"] == "reconnecting", "the agent is told")
        reply(agent, "Yes! One moment.")
        wait_until(lambda: outbox(agent), "the reply is in the persisted outbox")
        agent.get("about:blank")  # the agent leaves while the server is still away
    finally:
        stack.proxy.release()

    dashboard.open_live(agent, room)
    expected = ["Are you there?", "Yes! One moment."]
    wait_until(lambda: bodies(agent) == expected, "the queued reply shows after the reload")
    wait_until(lambda: outbox(agent) == [], "and leaves the outbox once acknowledged", 30)
    assert [m["body"] for m in witness.all_messages(room)] == expected, "stored exactly once"
    visitor.wait(lambda s: [m["body"] for m in s["messages"]] == expected, "the visitor: once")


def test_dashboard_pages_at_desktop_and_phone_width(stack, browsers, dashboard):
    visitor = open_widget(browsers(), stack.page("/dashboard-screens"), stack.key)
    room = start_conversation(
        visitor, "Hello! My order #4821 has not arrived, see https://example.com/track?id=4821"
    )
    driver = browsers()
    pages = {
        "conversations": "/",
        "transcript": f"/conversations/{room}",
        "settings": "/settings",
        "api-keys": "/api-keys",
        "signing-keys": "/signing-keys",
        "canned": "/canned",
    }
    sizes = (("375", PHONE), ("1280", None))
    ARTIFACTS.mkdir(exist_ok=True)
    for width, metrics in sizes:
        _emulate(driver, metrics)
        driver.get(f"{dashboard.base}/login")
        _check_and_keep(driver, "login", width)
        # The platform's own host has no tenant: its dashboard page points to tenant hosts.
        driver.get(f"{stack.platform_url}/dashboard/")
        _check_and_keep(driver, "platform-host", width)
    dashboard.login(driver)
    for width, metrics in sizes:
        _emulate(driver, metrics)
        for name, path in pages.items():
            driver.get(dashboard.base + path)
            _check_and_keep(driver, name, width)
        # The auto-assignment switch, under the canned responses.
        driver.execute_script("document.getElementById('auto-assign').scrollIntoView();")
        driver.save_screenshot(str(ARTIFACTS / f"dashboard-canned-auto-assign-{width}.png"))


def test_snooze_is_picked_in_the_agents_own_time_zone(
    stack, browsers, dashboard, django_db_blocker
):
    visitor = open_widget(browsers(), stack.page("/dashboard-snooze"), stack.key)
    room = start_conversation(visitor, "Call me back tomorrow morning")
    driver = browsers()
    driver.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": "Europe/Paris"})
    dashboard.login(driver)
    dashboard.open_live(driver, room)
    assert driver.find_element("id", "snooze-zone").text == "your time, Europe/Paris"
    # 09:00 in Paris on a January day is 08:00 UTC.
    driver.execute_script(
        "const input = document.getElementById('snooze-until');"
        "input.value = '2099-01-15T09:00'; input.form.requestSubmit();"
    )
    wait_until(
        lambda: snoozed_until(stack, django_db_blocker, room) == "2099-01-15T08:00:00+00:00",
        "the conversation sleeps until 08:00 UTC",
    )


def snoozed_until(stack, django_db_blocker, room: str) -> str:
    from django_tenants.utils import schema_context

    from parlor.chat.models import Room

    with django_db_blocker.unblock(), schema_context(stack.tenant.schema_name):
        until = Room.objects.get(id=room).snoozed_until
        return until.isoformat() if until else ""


def _emulate(driver, metrics: dict | None) -> None:
    if metrics:
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    else:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def _check_and_keep(driver, name: str, width: str) -> None:
    """Fail if the page is wider than the screen; keep a screenshot of it."""
    if name == "transcript":
        wait_until(lambda: state(driver)["status"] == "Live", "live", 20)
    overflow = driver.execute_script(
        "return document.documentElement.scrollWidth - window.innerWidth;"
    )
    assert overflow <= 0, f"{name} at {width} px is wider than the screen by {overflow}"
    driver.save_screenshot(str(ARTIFACTS / f"dashboard-{name}-{width}.png"))
