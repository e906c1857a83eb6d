"""Adversarial browser tests: markup stays text, only safe links, the page and the widget
cannot break each other, and bad keys, origins and tokens end in one line without retrying."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import pytest
from selenium.common.exceptions import NoAlertPresentException

from widget.tests.support import COUNTERS, Widget, seen, start_conversation

pytestmark = pytest.mark.browser

# Long enough for the first retries' backoff (0.5 s, 1 s, 2 s) to have fired had they been due.
RETRY_WINDOW_SECONDS = 4

HOSTILE_CSS = """<style>
* { font-family: "Comic Sans MS", cursive !important; color: red !important;
    box-sizing: content-box !important; letter-spacing: 4px !important; }
button { display: none !important; background: yellow !important; }
div, section, textarea, ol, li { visibility: hidden !important; }
parlor-widget { display: none !important; position: static !important; opacity: 0 !important;
    transform: scale(0) !important; width: 0 !important; height: 0 !important; }
</style>"""

PAGE_ELEMENTS = """<button id="page-button" style="display:inline-block!important">Buy</button>
<p id="page-text">Our products</p><div id="page-box">box</div>"""

PAGE_HANDLERS = """<script>
window.__handlers = {};
window.onmessage = function () {}; window.__handlers.message = window.onmessage;
window.onerror = function () {}; window.__handlers.error = window.onerror;
document.onkeydown = function () {}; window.__handlers.keydown = document.onkeydown;
window.onload = function () {}; window.__handlers.load = window.onload;
</script>"""

STYLES = """return ["page-button", "page-text", "page-box"].map(function (id) {
  const style = getComputedStyle(document.getElementById(id));
  return [style.fontFamily, style.fontSize, style.color, style.display, style.boxSizing,
          style.margin, style.padding, style.lineHeight, style.backgroundColor].join("|");
});"""


def open_widget(driver, url: str, key: str) -> Widget:
    driver.get(url)
    widget = Widget(driver, key)
    widget.open()
    widget.connected()
    return widget


def no_alert(driver) -> bool:
    try:
        driver.switch_to.alert
    except NoAlertPresentException:
        return True
    return False


def test_markup_arrives_as_visible_text_and_only_safe_links(stack, browsers, agent_for):
    driver = browsers()
    widget = open_widget(driver, stack.page("/xss"), stack.key)
    attack = "<img src=x onerror=alert(1)>"
    room = start_conversation(widget, attack)
    agent = agent_for("<b>Eve</b>")
    agent.join(room)
    agent.say(room, attack)
    agent.say(room, "<script>window.__pwned = 1</script>")
    agent.say(
        room, "javascript:alert(1) data:text/html,x https://ok.example/path mailto:a@b.example"
    )
    widget.wait(lambda s: len(s["messages"]) == 4, "every message arrives")
    state = widget.state()
    assert [m["body"] for m in state["messages"]] == [
        attack,
        attack,
        "<script>window.__pwned = 1</script>",
        "javascript:alert(1) data:text/html,x https://ok.example/path mailto:a@b.example",
    ]
    assert state["messages"][1]["sender"] == "<b>Eve</b>", "names are text too"
    assert "&lt;img" in state["messages"][0]["html"], "shown as text, escaped in the DOM"
    elements = driver.execute_script(
        "const log = document.querySelector('parlor-widget').shadowRoot.querySelector('.log');"
        "return [log.querySelectorAll('img, script, b').length,"
        " [...log.querySelectorAll('a')].map(a => [a.getAttribute('href'), a.rel, a.target])];"
    )
    assert elements[0] == 0
    assert elements[1] == [
        ["https://ok.example/path", "noopener noreferrer", "_blank"],
        ["mailto:a@b.example", "noopener noreferrer", "_blank"],
    ]
    assert no_alert(driver)
    assert driver.execute_script("return window.__pwned;") is None
    assert agent.all_messages(room)[0]["body"] == attack, "stored as typed"


def test_the_page_and_the_widget_cannot_break_each_other(stack, browsers):
    driver = browsers()
    driver.get(
        stack.page("/plain", head=HOSTILE_CSS + PAGE_HANDLERS, body=PAGE_ELEMENTS, key="pk_none")
    )
    stack.customer.pages["/plain"] = stack.customer.pages["/plain"].replace(
        "widget.js", "nothing.js"
    )
    driver.refresh()
    without_widget = driver.execute_script(STYLES)

    url = stack.page("/hostile", head=HOSTILE_CSS + PAGE_HANDLERS, body=PAGE_ELEMENTS)
    driver.get(url)
    widget = Widget(driver, stack.key)
    widget.wait(lambda s: s["launcherLabel"], "the launcher is there")
    launcher = widget.find(".launcher")
    assert launcher.is_displayed()
    size = launcher.size
    assert (size["width"], size["height"]) == (56, 56)
    box = driver.execute_script(
        "const r = document.querySelector('parlor-widget').shadowRoot"
        ".querySelector('.launcher').getBoundingClientRect();"
        "return [innerWidth - r.right, innerHeight - r.bottom];"
    )
    assert box == [20, 20], "bottom right, where it belongs"
    launcher.click()
    widget.wait(lambda s: s["open"], "it opens")
    widget.connected()
    panel = widget.find(".panel")
    assert panel.is_displayed()
    purple = "rgba(124, 58, 237, 1)"
    assert launcher.value_of_css_property("background-color") == purple, "the tenant's colour"
    assert "Comic" not in widget.find("textarea").value_of_css_property("font-family")
    assert widget.find("textarea").value_of_css_property("visibility") == "visible"
    widget.send("still works")
    widget.wait(lambda s: s["messages"] and s["messages"][-1]["state"] == "sent", "it chats")
    widget.screenshot("widget-on-hostile-page")

    assert driver.execute_script(STYLES) == without_widget, "the widget's CSS stays inside"
    same = driver.execute_script(
        "return window.onmessage === __handlers.message && window.onerror === __handlers.error"
        " && document.onkeydown === __handlers.keydown && window.onload === __handlers.load;"
    )
    assert same, "the page's own handlers are untouched"


def test_a_page_whose_origin_is_not_listed_cannot_start_a_session(stack, browsers):
    request = urllib.request.Request(
        f"{stack.server.http_url}/api/v1/widget/sessions",
        data=json.dumps({"key": stack.key}).encode(),
        headers={"Content-Type": "application/json", "Origin": stack.stranger.origin},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    assert refused.value.code == 403
    assert json.load(refused.value)["code"] == "origin_forbidden"

    driver = browsers()
    driver.get(stack.page("/stranger", site=stack.stranger, head=COUNTERS))
    widget = Widget(driver, stack.key)
    widget.open()
    widget.wait(
        lambda s: (
            s["fatal"] and s["status"] == "This chat is not enabled for this website or this key."
        ),
        "one clear line",
    )
    assert widget.find("textarea").get_attribute("disabled") == "true"
    assert_no_more_attempts(driver, sockets=0)
    assert widget.storage("visitor") is None


def test_a_wrong_key_shows_one_line_and_stops(stack, browsers):
    # The platform refuses a bad key without CORS headers, so the page cannot read the reason:
    # the widget says the one thing it knows, for a key as for an origin.
    driver = browsers()
    driver.get(stack.page("/wrong-key", head=COUNTERS, key="pk_" + "0" * 32))
    widget = Widget(driver, "pk_" + "0" * 32)
    widget.open()
    widget.wait(
        lambda s: (
            s["fatal"] and s["status"] == "This chat is not enabled for this website or this key."
        ),
        "one clear line",
    )
    assert_no_more_attempts(driver, sockets=0)


def test_an_expired_token_shows_one_line_and_stops(stack, browsers, django_db_blocker):
    from tenants.tests.forgery import claims, signed_by_tenant

    now = int(time.time())
    with django_db_blocker.unblock():
        expired = signed_by_tenant(
            stack.tenant, claims(stack.tenant, sub="u-expired", iat=now - 600, exp=now - 60)
        )
    driver = browsers()
    driver.get(stack.page("/expired", head=COUNTERS, attributes=f'data-token="{expired}"'))
    widget = Widget(driver, stack.key)
    widget.open()
    widget.wait(
        lambda s: (
            s["fatal"] and s["status"] == "Your chat session has expired. Please reload the page."
        ),
        "one clear line",
    )
    assert_no_more_attempts(driver, sockets=1)


def assert_no_more_attempts(driver, *, sockets: int) -> None:
    before = seen(driver)
    assert len(before["sockets"]) == sockets
    time.sleep(RETRY_WINDOW_SECONDS)  # a deliberate window: nothing may happen in it
    after = seen(driver)
    assert after["sessions"] == before["sessions"], "no more session requests"
    assert len(after["sockets"]) == sockets, "no more sockets"
