"""The widget in headless Chromium against a live platform, embedded by a page on another
origin: embedding, the page API, unread badge, keyboard and screen reader, full screen on
small screens, typing and read receipts, older history, and signed-in users."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.keys import Keys

from widget.tests.support import COUNTERS, Widget, seen, start_conversation, wait_until

pytestmark = pytest.mark.browser


def open_widget(stack, driver, path: str = "/", **page) -> Widget:
    driver.get(stack.page(path, **page))
    widget = Widget(driver, stack.key)
    widget.open()
    widget.connected()
    return widget


def test_a_customer_page_on_another_origin_embeds_the_widget(stack, browsers):
    driver = browsers()
    widget = open_widget(stack, driver, "/embed", head=COUNTERS)
    state = widget.state()
    assert driver.current_url.startswith(stack.customer.origin)
    assert stack.customer.origin != stack.platform_url
    assert state["title"] == "Widget Test Shop"
    assert state["greeting"] == "Hello from the test shop!"
    widget.send("Hello, is anyone there?")
    widget.wait(
        lambda s: (
            [(m["body"], m["state"]) for m in s["messages"]]
            == [("Hello, is anyone there?", "sent")]
        ),
        "the message is acknowledged",
    )
    assert widget.state()["messages"][0]["stateText"] == "Sent"
    widget.screenshot("widget-open")

    [socket] = seen(driver)["sockets"]
    assert socket["url"] == stack.platform_url.replace("http", "ws") + "/ws/v1/"
    assert "token" not in socket["url"]
    assert socket["protocols"][0] == "parlor.v1"
    assert socket["protocols"][1].startswith("parlor.token.ey")


def test_the_widget_sets_no_cookies_and_namespaces_its_storage(stack, browsers):
    driver = browsers()
    widget = open_widget(stack, driver, "/storage")
    widget.send("storage check")
    widget.wait(lambda s: s["messages"] and s["messages"][0]["state"] == "sent", "sent")
    assert driver.execute_script("return document.cookie;") == ""
    assert driver.get_cookies() == []
    keys = driver.execute_script("return Object.keys(localStorage);")
    assert keys, "the visitor is remembered"
    assert all(key.startswith(f"parlor:{stack.key}:") for key in keys), keys
    assert widget.storage("outbox") == []


def test_calls_queued_before_the_script_loads_run_in_order(stack, browsers):
    driver = browsers()
    queue = """<script>
      window.Parlor = window.Parlor || function () { (Parlor.q = Parlor.q || []).push(arguments); };
      window.__events = [];
      Parlor("on", "ready", function () { __events.push("ready"); });
      Parlor("on", "open", function () { __events.push("open"); });
      Parlor("on", "close", function () { __events.push("close"); });
      Parlor("setLocale", "es");
      Parlor("open");
    </script>"""
    driver.get(stack.page("/queue", head=queue))
    widget = Widget(driver, stack.key)
    widget.wait(lambda s: s["open"] and not s["status"], "the queued open ran")
    assert widget.find("textarea").get_attribute("placeholder") == "Escribe un mensaje…"
    assert widget.state()["launcherLabel"] == "Cerrar chat"
    events = wait_until(lambda: driver.execute_script("return __events;"), "events")
    assert events[:2] in (["ready", "open"], ["open", "ready"])
    driver.execute_script("Parlor.close();")
    widget.wait(lambda s: not s["open"], "Parlor.close() closes")
    assert driver.execute_script("return __events;")[-1] == "close"
    driver.execute_script("Parlor.setLocale('en'); Parlor.toggle();")
    widget.wait(lambda s: s["open"] and s["launcherLabel"] == "Close chat", "toggle, in English")


def test_the_unread_badge_counts_messages_while_closed(stack, browsers, agent_for):
    driver = browsers()
    listen = """<script>
      window.Parlor = window.Parlor || function () { (Parlor.q = Parlor.q || []).push(arguments); };
      window.__unread = []; window.__messages = [];
      Parlor("on", "unread", function (e) { __unread.push(e.count); });
      Parlor("on", "message", function (m) { __messages.push(m.body); });
    </script>"""
    widget = open_widget(stack, driver, "/unread", head=listen)
    room = start_conversation(widget)
    widget.find(".close").click()
    widget.wait(lambda s: not s["open"], "closed")
    agent = agent_for()
    agent.join(room)
    agent.say(room, "Are you still there?")
    agent.say(room, "We have your order.")
    widget.wait(lambda s: s["badge"] == "2", "the badge shows two unread messages")
    assert widget.state()["launcherLabel"] == "Open chat (2 unread)"
    assert driver.execute_script("return __unread;") == [1, 2]
    assert driver.execute_script("return __messages;") == [
        "Are you still there?",
        "We have your order.",
    ]
    widget.find(".launcher").click()
    widget.wait(lambda s: s["open"] and s["badge"] == "", "opening clears the badge")
    assert driver.execute_script("return __unread;")[-1] == 0


def test_keyboard_and_screen_reader(stack, browsers):
    driver = browsers()
    driver.get(stack.page("/keyboard"))
    widget = Widget(driver, stack.key)
    widget.wait(lambda s: s["launcherLabel"], "launcher")
    launcher = widget.find(".launcher")
    assert launcher.get_attribute("aria-expanded") == "false"
    launcher.send_keys(Keys.ENTER)
    widget.wait(lambda s: s["open"], "Enter on the launcher opens the panel")
    widget.connected()
    focused = "return document.querySelector('parlor-widget').shadowRoot.activeElement;"
    wait_until(
        lambda: driver.execute_script(focused) == widget.find("textarea"), "focus in the composer"
    )
    assert launcher.get_attribute("aria-expanded") == "true"
    log = widget.find(".log")
    assert log.get_attribute("role") == "log"
    assert log.get_attribute("aria-live") == "polite"
    assert widget.find("textarea").get_attribute("aria-label") == "Your message"
    assert widget.find(".panel").get_attribute("role") == "dialog"

    textarea = widget.find("textarea")
    textarea.send_keys("line one")
    textarea.send_keys(Keys.SHIFT, Keys.ENTER)
    textarea.send_keys("line two")
    assert widget.state()["messages"] == [], "Shift+Enter does not send"
    textarea.send_keys(Keys.ENTER)
    widget.wait(lambda s: [m["body"] for m in s["messages"]] == ["line one\nline two"], "sent")
    assert textarea.get_attribute("value") == ""

    textarea.send_keys(Keys.ESCAPE)
    widget.wait(lambda s: not s["open"], "Escape closes the panel")
    assert driver.execute_script(focused) == widget.find(".launcher"), "focus back on launcher"


def test_full_screen_under_480_pixels(stack, browsers):
    driver = browsers()
    # Desktop Chromium will not make a window this narrow; emulate a phone's viewport.
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 400, "height": 760, "deviceScaleFactor": 1, "mobile": True},
    )
    widget = open_widget(stack, driver, "/small")
    rect = driver.execute_script(
        "const r = document.querySelector('parlor-widget').shadowRoot"
        ".querySelector('.panel').getBoundingClientRect();"
        "return [r.left, r.top, r.width, r.height, innerWidth, innerHeight];"
    )
    left, top, width, height, inner_width, inner_height = rect
    assert (left, top) == (0, 0)
    assert (width, height) == (inner_width, inner_height)
    assert not widget.find(".launcher").is_displayed(), "the panel covers the launcher"
    widget.screenshot("widget-open-small-screen")


def test_typing_indicator_presence_and_read_receipts(stack, browsers, agent_for):
    driver = browsers()
    widget = open_widget(stack, driver, "/typing")
    room = start_conversation(widget)
    widget.wait(
        lambda s: s["presence"] == "We're away: leave a message and we'll reply soon.", "away"
    )
    agent = agent_for("Dana")
    agent.join(room)
    widget.wait(lambda s: s["presence"] == "We're online", "an agent in the room is online")
    agent.send({"type": "typing", "room": room, "active": True})
    widget.wait(lambda s: s["typing"] == "Dana is typing…", "the agent's typing shows")
    agent.send({"type": "typing", "room": room, "active": False})
    widget.wait(lambda s: s["typing"] == "", "and stops")

    widget.type("hel")
    agent.wait_for(lambda f: f["type"] == "typing" and f["active"] and f["room"] == room)
    widget.find("textarea").send_keys("lo", Keys.ENTER)
    message = agent.wait_for(lambda f: f["type"] == "message" and f["body"] == "hello")
    widget.wait(lambda s: s["messages"][-1]["state"] == "sent", "sent")
    agent.send({"type": "read", "room": room, "seq": message["seq"]})
    widget.wait(
        lambda s: (s["messages"][-1]["state"], s["messages"][-1]["stateText"]) == ("read", "Read"),
        "the agent's read receipt marks the message read",
    )


def test_older_history_loads_on_scroll_up(stack, browsers, agent_for):
    driver = browsers()
    widget = open_widget(stack, driver, "/history")
    room = start_conversation(widget, "history 1")
    agent = agent_for()
    agent.join(room)
    for number in range(2, 56):
        agent.say(room, f"history {number}")
    driver.refresh()
    widget.open()
    widget.connected()
    widget.wait(lambda s: len(s["messages"]) == 50, "the 50 most recent on open")
    assert widget.bodies()[0] == "history 6"
    driver.execute_script(
        "document.querySelector('parlor-widget').shadowRoot.querySelector('.scroll').scrollTop = 0;"
    )
    widget.wait(lambda s: len(s["messages"]) == 55, "older messages load on scroll-up")
    assert widget.bodies() == [f"history {number}" for number in range(1, 56)]
    seqs = [m["seq"] for m in widget.state()["messages"]]
    assert seqs == sorted(set(seqs))


def test_a_signed_in_user_chats_as_themselves(stack, browsers, agent_for, django_db_blocker):
    from parlor.base.conversations import conversation_room_id
    from parlor.base.identity import PrincipalKind
    from tenants.tokens import token_issue

    with django_db_blocker.unblock():
        issued = token_issue(
            tenant=stack.tenant, kind=PrincipalKind.USER, subject="u-42", name="Ada"
        )
    room = conversation_room_id(kind=PrincipalKind.USER, subject="u-42")
    agent = agent_for()
    driver = browsers()
    widget = open_widget(stack, driver, "/user", attributes=f'data-token="{issued.token}"')
    widget.send("Hi, it's Ada")
    inbox = agent.wait_for(lambda f: f["type"] == "inbox" and f["room"] == room)
    assert inbox["message"]["sender"]["kind"] == "user"
    assert inbox["message"]["sender"]["name"] == "Ada"
    agent.join(room)
    agent.say(room, "Hello Ada")
    widget.wait(lambda s: s["messages"][-1]["body"] == "Hello Ada", "the user sees the answer")
    assert widget.state()["messages"][0]["sender"] == "You"
    assert widget.storage("visitor") is None, "a signed-in user is not stored as a visitor"
