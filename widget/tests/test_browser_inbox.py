"""Two real browsers at once: a visitor in the widget on a customer page (another origin) and
an agent in the dashboard's live inbox and transcript. New conversations appear without a
reload with exact unread counts; typing, reads, availability, resolve and reopen flow both
ways; an internal note never reaches the visitor."""

from __future__ import annotations

import time

import pytest

from widget.tests.support import ARTIFACTS, conversation_of, start_conversation, wait_until
from widget.tests.test_browser_dashboard import (
    PHONE,
    _emulate,
    dashboard,
    open_widget,
    outbox,
    reply,
    state,
)

pytestmark = pytest.mark.browser
__all__ = ["dashboard"]  # the fixture, imported for this module's tests

INBOX_STATE = """
const section = document.getElementById("inbox");
return {
  live: document.getElementById("live-status").textContent,
  title: document.title,
  refreshes: Number(section.dataset.refreshes || 0),
  rows: [...document.querySelectorAll("#inbox-list li[data-room]")].map((li) => ({
    room: li.dataset.room,
    unread: Number(li.dataset.unread),
    preview: (li.querySelector(".preview") || {}).textContent || "",
  })),
};
"""


def inbox(driver) -> dict:
    return driver.execute_script(INBOX_STATE)


def keep(driver, name: str, width: str) -> None:
    overflow = driver.execute_script(
        "return document.documentElement.scrollWidth - window.innerWidth;"
    )
    assert overflow <= 0, f"{name} at {width} px is wider than the screen by {overflow}"
    ARTIFACTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / f"dashboard-inbox-{name}-{width}.png"))


def test_the_inbox_and_the_widget_live_together(stack, browsers, dashboard):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.select import Select

    agent = browsers()
    dashboard.login(agent)
    agent.get(f"{dashboard.base}/?view=all&status=open")
    wait_until(lambda: inbox(agent)["live"] == "Live", "the inbox goes live", 20)
    before = inbox(agent)["refreshes"]

    visitor = open_widget(browsers(), stack.page("/inbox-live"), stack.key)
    visitor.wait(lambda s: s["presence"] == "We're online", "an available agent: online")
    Select(agent.find_element(By.ID, "availability")).select_by_value("away")
    visitor.wait(lambda s: s["presence"].startswith("We're away"), "the agent went away")
    Select(agent.find_element(By.ID, "availability")).select_by_value("online")
    visitor.wait(lambda s: s["presence"] == "We're online", "and came back")

    visitor.send("Is anyone there?")
    sent_at = time.monotonic()
    row = wait_until(
        lambda: next((r for r in inbox(agent)["rows"] if "Is anyone there?" in r["preview"]), None),
        "the first message appears in the agent's open list without a reload",
        timeout=2.0,
    )
    assert time.monotonic() - sent_at < 2.0
    assert row["unread"] == 1 and inbox(agent)["refreshes"] > before
    assert inbox(agent)["title"].startswith("(")
    room = row["room"]
    assert room == conversation_of(visitor)
    keep(agent, "list", "1280")

    # The agent opens it: the read turns the visitor's message to "Read".
    agent.find_element(By.CSS_SELECTOR, f'#inbox-list li[data-room="{room}"] a').click()
    wait_until(lambda: state(agent)["status"] == "Live", "the transcript goes live", 20)
    visitor.wait(
        lambda s: s["messages"][-1]["stateText"] == "Read", "the visitor sees the agent read it"
    )
    box = agent.find_element(By.NAME, "body")
    box.send_keys("Let me check")
    visitor.wait(lambda s: "Dana" in s["typing"], "the agent's typing shows in the widget")
    box.send_keys(Keys.ENTER)
    visitor.wait(lambda s: s["messages"][-1]["body"] == "Let me check", "the reply arrives")
    visitor.type("ok")
    wait_until(
        lambda: "is typing" in agent.find_element(By.ID, "typing").text,
        "the visitor's typing shows in the dashboard",
    )

    # An internal note stays with the team.
    agent.find_element(By.ID, "note-body").send_keys("<b>VIP</b> refund approved")
    agent.find_element(By.CSS_SELECTOR, "#note button").click()
    wait_until(lambda: "refund approved" in agent.page_source, "the note is in the transcript")
    assert agent.find_elements(
        By.XPATH, "//li[contains(@class,'note')]//div[text()='<b>VIP</b> refund approved']"
    )
    keep(agent, "conversation", "1280")

    # Resolve, then the visitor writes again: the conversation reopens.
    agent.find_element(By.ID, "resolve").click()
    wait_until(lambda: "Dana resolved this" in agent.page_source, "resolved, as an event")
    wait_until(lambda: state(agent)["status"] == "Live", "live again", 20)
    visitor.send("One more question")
    wait_until(
        lambda: agent.find_element(By.ID, "room-status").text == "open",
        "the visitor's message reopens the conversation",
    )
    assert "reopened this" in agent.page_source
    assert all("refund approved" not in m["body"] for m in visitor.state()["messages"])
    assert "refund approved" not in visitor.driver.page_source

    for width, metrics in (("375", PHONE), ("1280", None)):
        _emulate(agent, metrics)
        agent.get(f"{dashboard.base}/conversations/{room}")
        wait_until(lambda: state(agent)["status"] == "Live", "live", 20)
        if width == "375":
            keep(agent, "conversation", width)
        agent.get(f"{dashboard.base}/?view=all&status=open")
        wait_until(lambda: inbox(agent)["live"] == "Live", "the inbox goes live", 20)
        if width == "375":
            keep(agent, "list", width)


def restart_server(stack, redis_url: str, log_dir, request, django_db_blocker) -> None:
    """Stop the platform's process and start a new one behind the same proxy and settings."""
    from parlor.testing.database import database_url_for_tests
    from parlor.testing.servers import start_server

    stack.server.stop()
    with django_db_blocker.unblock():
        database_url = database_url_for_tests()
    suffix = stack.tenant.slug.split("_", 1)[1]
    restarted = start_server(
        database_url=database_url,
        log_dir=log_dir,
        redis_url=redis_url,
        extra_env={
            "PARLOR_PUBLIC_URL": stack.proxy.url,
            "PARLOR_CHANNEL_PREFIX": f"widgettest{suffix}",
        },
    )
    stack.server = restarted
    stack.proxy.target_port = restarted.port
    # Later browser tests of the session use this process; it stops with the session.
    request.config.add_cleanup(restarted.stop)


def test_a_reply_typed_while_the_server_restarts_is_delivered_once(
    stack, browsers, dashboard, agent_for, redis_url, tmp_path, request, django_db_blocker
):
    visitor = open_widget(browsers(), stack.page("/inbox-restart"), stack.key)
    room = start_conversation(visitor, "Are you open today?")
    agent = browsers()
    dashboard.login(agent)
    dashboard.open_live(agent, room)

    stack.proxy.hold()
    stack.proxy.cut()
    try:
        wait_until(lambda: state(agent)["statusState"] == "reconnecting", "the agent is told")
        reply(agent, "Yes, until 6 pm.")
        wait_until(lambda: outbox(agent), "the reply waits in the persisted outbox")
        restart_server(stack, redis_url, tmp_path, request, django_db_blocker)
    finally:
        stack.proxy.release()

    expected = ["Are you open today?", "Yes, until 6 pm."]
    wait_until(
        lambda: state(agent)["status"] == "Live" and outbox(agent) == [],
        "after the restart the reply is sent",
        timeout=45,
    )
    witness = agent_for()  # on the new process
    witness.join(room)
    assert [m["body"] for m in witness.all_messages(room)] == expected, "stored exactly once"
    visitor.wait(lambda s: [m["body"] for m in s["messages"]] == expected, "the visitor: once", 30)
