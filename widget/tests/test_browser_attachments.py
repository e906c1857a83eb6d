"""Files and ratings in real browsers: a visitor sends a PNG and the agent sees its thumbnail in
the dashboard; an uploaded HTML page with a script is downloaded, never rendered; a resolved
conversation asks the visitor for a rating, which is stored."""

from __future__ import annotations

import io
import time
import urllib.request

import pytest
from PIL import Image

from widget.tests.support import ARTIFACTS, Widget, start_conversation, wait_until
from widget.tests.test_browser_dashboard import PASSWORD, Dashboard, open_widget

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812, "deviceScaleFactor": 1, "mobile": True}
HTML_WITH_SCRIPT = (
    b"<!doctype html><html><head><title>safe</title></head>"
    b"<body><script>document.title='pwned';parent.postMessage('pwned','*')</script></body></html>"
)
# Records the page's sockets, so a test can hand the widget a frame as the server sends it.
SOCKETS = """<script>
window.__sockets = [];
(function () {
  const NativeSocket = window.WebSocket;
  window.WebSocket = class extends NativeSocket {
    constructor(url, protocols) { super(url, protocols); window.__sockets.push(this); }
  };
})();
</script>"""
RATING_TEXT = """
const rating = document.querySelector("parlor-widget").shadowRoot.querySelector(".rating");
const line = rating && (rating.querySelector(".thanks") || rating.querySelector(".note"));
return line ? line.textContent : null;
"""
THUMBS = """
const root = arguments[0] ? document.querySelector("parlor-widget").shadowRoot : document;
return [...root.querySelectorAll("img.thumb")].map((img) => ({
  loaded: img.complete && img.naturalWidth > 0, width: img.naturalWidth, src: img.src,
}));
"""
FILE_LINKS = """
const root = arguments[0] ? document.querySelector("parlor-widget").shadowRoot : document;
return [...root.querySelectorAll("a.attachment.file")].map((a) => ({
  text: a.textContent, href: a.href, download: a.getAttribute("download"),
}));
"""


@pytest.fixture
def staff(stack, django_db_blocker) -> Dashboard:
    """An owner of the test tenant, and where their dashboard is (through the proxy)."""
    import secrets

    from parlor.dashboard.services import staff_create

    username = f"files-{secrets.token_hex(4)}"
    with django_db_blocker.unblock():
        staff_create(
            tenant=stack.tenant, username=username, password=PASSWORD, name="Dana", role="owner"
        )
        domain = stack.tenant.get_primary_domain().domain
    return Dashboard(base=f"http://{domain}:{stack.proxy.port}/dashboard", username=username)


def png_file(tmp_path, name: str = "screenshot.png", color: str = "#16a34a"):
    path = tmp_path / name
    Image.new("RGB", (320, 200), color).save(path, format="PNG")
    return path


def choose_file(widget: Widget, path) -> None:
    """Pick `path` in the widget's file input, as the browser's file picker would."""
    file_input = widget.find("input.file")
    widget.driver.execute_script("arguments[0].hidden = false;", file_input)
    file_input.send_keys(str(path))
    widget.driver.execute_script("arguments[0].hidden = true;", file_input)


def thumbs(driver, in_widget: bool) -> list[dict]:
    return driver.execute_script(THUMBS, in_widget)


def test_a_visitors_png_shows_as_a_thumbnail_to_the_agent(stack, browsers, staff, tmp_path):
    visitor = open_widget(browsers(), stack.page("/attach-png"), stack.key)
    room = start_conversation(visitor, "Here is what I see")
    agent = browsers()
    staff.login(agent)
    staff.open_live(agent, room)

    choose_file(visitor, png_file(tmp_path))
    wait_until(
        lambda: [t["loaded"] for t in thumbs(visitor.driver, True)] == [True],
        "the visitor sees their image",
    )
    shown = wait_until(
        lambda: [t for t in thumbs(agent, False) if t["loaded"]], "the agent sees the thumbnail"
    )
    assert shown[0]["width"] == 320 and "/api/v1/attachments/files/" in shown[0]["src"]
    visitor.screenshot("attachments-widget-1280")
    agent.save_screenshot(str(ARTIFACTS / "attachments-dashboard-1280.png"))

    # A reload renders it from the server's page, then shows the file once the token is known.
    agent.refresh()
    wait_until(lambda: [t for t in thumbs(agent, False) if t["loaded"]], "shown after a reload")

    # The downloaded bytes are the re-encoded image, served inline as a PNG (the visitor's URL:
    # the agent's is on the tenant's *.localhost domain, which only the browser resolves).
    url = thumbs(visitor.driver, True)[0]["src"]
    with urllib.request.urlopen(url, timeout=10) as answer:
        assert answer.headers["Content-Type"] == "image/png"
        assert answer.headers["Content-Disposition"].startswith("inline")
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert Image.open(io.BytesIO(answer.read())).size == (320, 200)


def test_the_widget_on_a_phone_shows_the_thumbnail(stack, browsers, tmp_path):
    driver = browsers(width=375, height=812)
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)
    visitor = open_widget(driver, stack.page("/attach-phone"), stack.key)
    start_conversation(visitor, "From my phone")
    choose_file(visitor, png_file(tmp_path, "phone.png", "#2563eb"))
    wait_until(lambda: [t["loaded"] for t in thumbs(driver, True)] == [True], "thumbnail shown")
    visitor.screenshot("attachments-widget-375")


@pytest.fixture
def html_allowed(stack, django_db_blocker):
    from django_tenants.utils import schema_context

    from parlor.attachments.policy import attachment_policy_set

    def set_types(types):
        with django_db_blocker.unblock(), schema_context(stack.tenant.schema_name):
            attachment_policy_set(max_bytes=None, allowed_types=types)

    set_types(["image/png", "text/html"])
    yield
    set_types(None)


@pytest.mark.usefixtures("html_allowed")
def test_an_uploaded_html_page_is_downloaded_never_rendered(stack, browsers, staff, tmp_path):
    visitor = open_widget(browsers(), stack.page("/attach-html"), stack.key)
    room = start_conversation(visitor, "My invoice")
    page = tmp_path / "invoice.html"
    page.write_bytes(HTML_WITH_SCRIPT)
    choose_file(visitor, page)
    links = wait_until(lambda: visitor.driver.execute_script(FILE_LINKS, True), "a file link")
    assert links[0]["text"].startswith("invoice.html (")

    agent = browsers()
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    agent.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    staff.login(agent)
    staff.open_live(agent, room)
    wait_until(lambda: agent.execute_script(FILE_LINKS, False), "the agent's file link")
    title, handles = agent.title, set(agent.window_handles)
    agent.find_element("css selector", "a.attachment.file").click()
    # Chromium may create the final name before it has written the bytes: wait for both.
    saved = wait_until(
        lambda: [p for p in downloads.iterdir() if p.read_bytes() == HTML_WITH_SCRIPT],
        "the page is downloaded whole",
    )
    assert [p.name for p in saved] == ["invoice.html"]
    # Nothing was rendered: no tab titled by the script, the dashboard untouched.
    time.sleep(0.5)  # a rendered page would have run its script by now
    for handle in set(agent.window_handles) - handles:
        agent.switch_to.window(handle)
        assert agent.title != "pwned"
    agent.switch_to.window(next(iter(handles)))
    assert agent.title == title

    # Opened directly, the browser still only downloads it: no document with its script.
    with urllib.request.urlopen(links[0]["href"], timeout=10) as answer:
        assert answer.headers["Content-Disposition"].startswith("attachment;")
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["Content-Security-Policy"].startswith("sandbox")


def send_frame(driver, frame: dict) -> None:
    """Deliver `frame` on the widget's open socket, as the server's frame would arrive."""
    import json

    driver.execute_script(
        "const open = window.__sockets.filter((s) => s.readyState === 1);"
        "open[open.length - 1].dispatchEvent(new MessageEvent('message', {data: arguments[0]}));",
        json.dumps(frame),
    )


@pytest.mark.parametrize("size", ["1280", "375"])
def test_a_resolved_conversation_asks_for_a_rating(stack, browsers, django_db_blocker, size):
    from django_tenants.utils import schema_context

    from parlor.ratings.models import Rating

    driver = browsers() if size == "1280" else browsers(width=375, height=812)
    if size == "375":
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)
    visitor = open_widget(driver, stack.page(f"/rate-{size}", head=SOCKETS), stack.key)
    room = start_conversation(visitor, "Thanks for the help")
    # The agent inbox resolves the conversation and sends this frame to the room's sockets.
    send_frame(driver, {"type": "conversation", "room": "c-someone-else", "status": "resolved"})
    send_frame(driver, {"type": "conversation", "room": room, "status": "open"})
    time.sleep(0.2)  # neither frame may show the prompt; give a wrong handler time to
    assert not driver.execute_script(
        "return !!document.querySelector('parlor-widget').shadowRoot.querySelector('.rating')"
    )
    send_frame(driver, {"type": "conversation", "room": room, "status": "resolved"})
    visitor.find(".rating")
    visitor.find(".rating label:nth-child(4)").click()
    visitor.find(".rating textarea").send_keys("<b>Quick</b> and kind")
    visitor.screenshot(f"rating-prompt-{size}")
    visitor.find(".rating .send").click()
    wait_until(
        lambda: driver.execute_script(RATING_TEXT) == "Thanks for your feedback!",
        "the visitor is thanked",
    )
    visitor.screenshot(f"rating-thanks-{size}")
    with django_db_blocker.unblock(), schema_context(stack.tenant.schema_name):
        rating = Rating.objects.get(room_id=room)
    assert (rating.score, rating.comment) == (4, "<b>Quick</b> and kind")


FIGURES = """
return [...document.querySelectorAll("table.figures tbody tr")].map(
  (tr) => [...tr.children].map((cell) => cell.textContent.trim()));
"""


def test_resolve_rate_four_and_the_rating_is_on_the_analytics_page(stack, browsers, staff):
    """The issue's whole path: an agent resolves in the dashboard, the visitor rates 4, and the
    agent's Insights page counts it (its CSAT chart and the table under it)."""
    import datetime

    from selenium.webdriver.common.by import By

    visitor_driver = browsers()
    visitor = open_widget(visitor_driver, stack.page("/rate-end-to-end"), stack.key)
    room = start_conversation(visitor, "Was my refund sent?")
    agent = browsers()
    staff.login(agent)
    staff.open_live(agent, room)
    agent.find_element(By.ID, "resolve").click()
    wait_until(lambda: "resolved this" in agent.page_source, "the agent resolves it")
    wait_until(
        lambda: visitor_driver.execute_script(
            "return !!document.querySelector('parlor-widget').shadowRoot.querySelector('.rating')"
        ),
        "the widget asks for a rating",
    )
    visitor.find(".rating label:nth-child(4)").click()
    visitor.find(".rating .send").click()
    wait_until(
        lambda: visitor_driver.execute_script(RATING_TEXT) == "Thanks for your feedback!",
        "the visitor is thanked",
    )
    agent.get(f"{staff.base}/insights")
    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    rows = {row[0]: row for row in agent.execute_script(FIGURES)}
    # Day, conversations, messages, first response, resolution, average rating, ratings.
    assert rows[today][5] == "4" and int(rows[today][6]) >= 1, rows[today]
    assert "Customer satisfaction" in agent.page_source
    assert "No data: no ratings are stored yet." not in agent.page_source
