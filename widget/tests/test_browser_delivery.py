"""Delivery through the widget in real browsers: the same room sees a message and a different
room does not; a dropped socket loses and doubles nothing. (An agent answering from the
dashboard: test_browser_dashboard.py.)"""

from __future__ import annotations

import pytest

from widget.tests.support import Widget, conversation_of, start_conversation

pytestmark = pytest.mark.browser


def open_widget(driver, url: str, key: str) -> Widget:
    driver.get(url)
    widget = Widget(driver, key)
    widget.open()
    widget.connected()
    return widget


def test_the_same_room_sees_a_message_and_a_different_room_does_not(stack, browsers, agent_for):
    url = stack.page("/rooms")
    first = browsers()
    window_one = open_widget(first, url, stack.key)
    room = start_conversation(window_one, "hello from window one")
    # A second window of the same browser is the same visitor: the same conversation.
    first.switch_to.new_window("tab")
    window_two = open_widget(first, url, stack.key)
    assert conversation_of(window_two) == room
    window_two.wait(lambda s: "hello from window one" in [m["body"] for m in s["messages"]], "seen")

    second = browsers()
    other = open_widget(second, url, stack.key)
    other_room = start_conversation(other, "hello from another visitor")
    assert other_room != room

    agent = agent_for()
    agent.join(room)
    agent.join(other_room)
    agent.say(room, "answer for the first visitor")
    agent.say(other_room, "answer for the other visitor")

    window_two.wait(lambda s: s["messages"][-1]["body"] == "answer for the first visitor", "2")
    first.switch_to.window(first.window_handles[0])
    window_one.wait(lambda s: s["messages"][-1]["body"] == "answer for the first visitor", "1")
    other.wait(lambda s: s["messages"][-1]["body"] == "answer for the other visitor", "other")
    # The other visitor's latest message arrived after the first room's: had anything of the
    # first room leaked into the other, it would be there by now.
    assert other.bodies() == ["hello from another visitor", "answer for the other visitor"]
    assert window_one.bodies() == ["hello from window one", "answer for the first visitor"]


def test_nothing_is_lost_or_doubled_when_the_server_drops_the_socket(stack, browsers, agent_for):
    driver = browsers()
    widget = open_widget(driver, stack.page("/drop"), stack.key)
    room = start_conversation(widget, "before the drop")
    agent = agent_for()
    agent.join(room)

    stack.proxy.hold()
    stack.proxy.cut()
    try:
        widget.wait(
            lambda s: s["status"] == "Connection lost. Reconnecting…", "the visitor is told"
        )
        agent.say(room, "missed one")
        agent.say(room, "missed two")
        widget.send("typed while offline")
        widget.wait(
            lambda s: (
                (s["messages"][-1]["body"], s["messages"][-1]["state"])
                == ("typed while offline", "sending")
            ),
            "the offline message waits as sending",
        )
        assert widget.storage("outbox")[0]["body"] == "typed while offline"
    finally:
        stack.proxy.release()

    expected = ["before the drop", "missed one", "missed two", "typed while offline"]
    widget.wait(
        lambda s: (
            [m["body"] for m in s["messages"]] == expected
            and s["messages"][-1]["state"] == "sent"
            and not s["status"]
        ),
        "after the reconnect: everything, once, in order",
        timeout=40,
    )
    assert [m["body"] for m in agent.all_messages(room)] == expected, "stored once each"
    assert widget.storage("outbox") == []

    # A drop without an outage (the socket is replaced at once) doubles nothing either.
    stack.proxy.cut()
    agent.say(room, "after the second drop")
    widget.wait(
        lambda s: [m["body"] for m in s["messages"]] == [*expected, "after the second drop"],
        "the second drop loses and doubles nothing",
        timeout=40,
    )
    seqs = [m["seq"] for m in widget.state()["messages"]]
    assert seqs == list(range(1, 6))
