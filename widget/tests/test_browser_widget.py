"""The widget in headless Chromium against a live platform, embedded by a page on another
origin: connecting, chatting, isolation, keyboard, and what a visitor sees when things fail."""

from __future__ import annotations

import pytest

from widget.tests.support import Widget, wait_until

pytestmark = pytest.mark.browser


def open_widget(stack, driver, path: str = "/", **page) -> Widget:
    driver.get(stack.page(path, **page))
    widget = Widget(driver, stack.key)
    widget.open()
    widget.connected()
    return widget


def test_a_customer_page_on_another_origin_embeds_the_widget(stack, browsers):
    driver = browsers()
    widget = open_widget(stack, driver)
    state = widget.state()
    assert driver.current_url.startswith(stack.customer.origin)
    assert stack.customer.origin != stack.platform_url
    assert state["title"] == "Widget Test Shop"
    assert state["greeting"] == "Hello from the test shop!"
    widget.send("Hello, is anyone there?")
    widget.wait(
        lambda s: [(m["body"], m["state"]) for m in s["messages"]]
        == [("Hello, is anyone there?", "sent")],
        "the message is acknowledged",
    )
    assert widget.state()["messages"][0]["stateText"] == "Sent"
    widget.screenshot("widget-open")
