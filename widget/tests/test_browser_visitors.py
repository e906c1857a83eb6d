"""Visitor context in real browsers: a page calls `Parlor.identify({name, email})`, its visitor
writes, and the agent's transcript shows the visitor panel (name as text, page, browser)."""

from __future__ import annotations

import secrets

import pytest

from widget.tests.support import ARTIFACTS, Widget, start_conversation, wait_until
from widget.tests.test_browser_dashboard import PASSWORD, PHONE, Dashboard, _emulate, state

pytestmark = pytest.mark.browser
NAME = "Ana <b>Tester</b>"
# The stub of widget/README.md, then identify() queued before the loader has arrived (the page's
# <title> comes before this in customer_page, so the script renames the page at once).
IDENTIFY = (
    "<script>window.Parlor=window.Parlor||function(){(Parlor.q=Parlor.q||[]).push(arguments)};"
    f"Parlor('identify', {{name: {NAME!r}, email: 'ana@example.com',"
    " attributes: {plan: 'forged'}});"
    "document.title = 'Pricing plans';"
    "</script>"
)
SESSIONS = (
    "return performance.getEntriesByType('resource')"
    ".filter((entry) => entry.name.includes('/api/v1/widget/sessions')).length;"
)
PANEL = """
const panel = document.querySelector(".visitor-panel");
const text = (selector) => (panel.querySelector(selector) || {}).textContent || "";
return panel && {
  title: text("h2"), name: text(".visitor-name"), email: text(".visitor-email"),
  page: text(".visitor-page"), browser: text(".visitor-browser"), locale: text(".visitor-locale"),
  elementsInName: panel.querySelectorAll(".visitor-name b, h2 b").length,
  attributes: panel.querySelectorAll(".visitor-attributes dt").length,
};
"""


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


def stored_name(stack, django_db_blocker, room: str) -> str:
    from django_tenants.utils import schema_context

    from parlor.chat.models import Room
    from parlor.visitors.models import VisitorProfile

    with django_db_blocker.unblock(), schema_context(stack.tenant.schema_name):
        owner = Room.objects.get(id=room)
        profile = VisitorProfile.objects.filter(
            kind=owner.owner_kind, subject=owner.owner_id
        ).first()
        return profile.name if profile else ""


def newest_sender(stack, django_db_blocker, room: str) -> str:
    from django_tenants.utils import schema_context

    from parlor.chat.models import Message

    with django_db_blocker.unblock(), schema_context(stack.tenant.schema_name):
        newest = Message.objects.filter(room_id=room).order_by("-seq").first()
        return newest.sender_name if newest else ""


def test_the_agent_sees_who_the_visitor_is_and_where(stack, browsers, dashboard, django_db_blocker):
    visitor_driver = browsers()
    visitor_driver.get(stack.page("/pricing", head=IDENTIFY) + "?plan=pro")
    visitor = Widget(visitor_driver, stack.key)
    visitor.open()
    visitor.connected()
    room = start_conversation(visitor, "Which plan fits me?")
    wait_until(lambda: stored_name(stack, django_db_blocker, room) == NAME, "identify is stored")
    # Once the name is stored, the widget takes a session token bearing it (a second session
    # request) and swaps it into the open socket: the visitor's next message bears the name.
    wait_until(lambda: visitor_driver.execute_script(SESSIONS) >= 2, "the token is renewed")
    visitor.send("It's Ana here")
    wait_until(
        lambda: newest_sender(stack, django_db_blocker, room) == NAME, "the name is on new messages"
    )

    agent = browsers()
    dashboard.login(agent)
    agent.get(f"{dashboard.base}/conversations/{room}")
    panel = agent.execute_script(PANEL)
    assert panel["title"] == NAME and NAME in panel["name"] and "unverified" in panel["name"]
    assert panel["elementsInName"] == 0, "the name is text, never markup"
    assert "ana@example.com" in panel["email"]
    assert "Pricing plans" in panel["page"] and "/pricing?plan=pro" in panel["page"]
    assert "Chrome" in panel["browser"] and "Linux" in panel["browser"]
    assert panel["locale"].startswith("en")
    assert panel["attributes"] == 0, "attributes from the page are never stored"

    ARTIFACTS.mkdir(exist_ok=True)
    for width, metrics in (("1280", None), ("375", PHONE)):
        _emulate(agent, metrics)
        agent.get(f"{dashboard.base}/conversations/{room}")
        wait_until(lambda: state(agent)["status"] == "Live", "the transcript goes live", 20)
        overflow = agent.execute_script(
            "return document.documentElement.scrollWidth - window.innerWidth;"
        )
        assert overflow <= 0, f"the transcript at {width} px is wider than the screen"
        agent.save_screenshot(str(ARTIFACTS / f"dashboard-transcript-visitor-panel-{width}.png"))
