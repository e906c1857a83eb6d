"""Nobody online, in real Chromium: the closed message with the next opening in the tenant's
timezone (the server's clock frozen), and the email follow-up loop: an address left in the
widget, an agent's reply emailed after the delay, its reopen link, and a reply by email."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
import urllib.parse
import urllib.request
from datetime import timedelta

import pytest
from django_tenants.utils import schema_context

from widget.tests.support import PageServer, TcpProxy, Widget, chromium, wait_until

pytestmark = pytest.mark.browser

# Saturday 2026-12-05 13:00 in Berlin; weekdays open 09:00-17:00: back Monday 09:00.
FROZEN_NOW = "2026-12-05T12:00:00+00:00"
WEEKDAYS = [[["09:00", "17:00"]]] * 5 + [[], []]
INBOUND_SECRET = "inbound-test-secret"  # parlor.settings.test


@pytest.fixture(scope="module")
def offline(browser_available, django_db_setup, django_db_blocker, redis_url, tmp_path_factory):
    """A tenant closed at the frozen instant, its customer site, and a server with that clock."""
    from parlor.hours.services import business_hours_update
    from parlor.testing.database import database_url_for_tests
    from parlor.testing.servers import start_server
    from tenants.services import tenant_create

    site, proxy = PageServer(), TcpProxy()
    suffix = secrets.token_hex(4)
    with django_db_blocker.unblock():
        created = tenant_create(
            slug=f"offline_{suffix}",
            name="Closed Shop",
            domain=f"offline-{suffix}.localhost",
            allowed_origins=[site.origin],
        )
        with schema_context(created.tenant.schema_name):
            business_hours_update(
                enabled=True, timezone="Europe/Berlin", weekly=WEEKDAYS, holidays=[]
            )
    server = start_server(
        database_url=database_url_for_tests(),
        log_dir=tmp_path_factory.mktemp("offline-server"),
        redis_url=redis_url,
        extra_env={
            "PARLOR_HOURS_FROZEN_NOW": FROZEN_NOW,
            "PARLOR_PUBLIC_URL": proxy.url,
            "PARLOR_CHANNEL_PREFIX": f"offline{suffix}",
        },
    )
    proxy.target_port = server.port
    server.public_url = proxy.url
    try:
        yield server, site, created.tenant
    finally:
        server.stop()
        proxy.close()
        site.close()


@pytest.fixture
def browsers(tmp_path):
    started = []

    def start(width: int = 1280, height: int = 900):
        driver = chromium(tmp_path / f"profile-{len(started)}", width=width, height=height)
        started.append(driver)
        return driver

    yield start
    for driver in started:
        driver.quit()


def page(offline, path: str) -> str:
    from widget.tests.support import customer_page

    server, site, tenant = offline
    site.pages[path] = customer_page(platform_url=server.public_url, key=tenant.publishable_key)
    return site.origin + path


def open_widget(driver, offline, url: str) -> Widget:
    driver.get(url)
    widget = Widget(driver, offline[2].publishable_key)
    widget.open()
    widget.connected()
    return widget


@pytest.mark.parametrize("width", [1280, 375])
def test_outside_hours_the_widget_shows_when_it_opens_again(offline, browsers, width):
    driver = browsers()
    if width < 500:  # below Chromium's smallest window: emulate a phone
        metrics = {"width": width, "height": 812, "deviceScaleFactor": 1, "mobile": True}
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    widget = open_widget(driver, offline, page(offline, "/closed"))
    widget.wait(lambda s: "closed" in s["presence"], "the closed message")
    assert widget.state()["presence"] == "We're closed. Back Monday 09:00."
    widget.screenshot(f"widget-closed-{width}")


def test_email_left_reply_emailed_reopened_and_answered_by_email(
    offline, browsers, django_db_blocker, mailoutbox
):
    from django.utils import timezone

    from parlor.base.identity import PrincipalKind
    from parlor.chat.posting import message_post
    from parlor.chat.tests.support import principal_for
    from parlor.followup.tasks import followup_sweep
    from parlor.followup.tests.support import followup_jobs_run

    server, site, tenant = offline
    driver = browsers()
    widget = open_widget(driver, offline, page(offline, "/help"))
    email = widget.find(".capture input[type=email]")
    email.send_keys("ada@example.com")
    widget.find(".capture .send").click()
    wait_until(lambda: not driver.execute_script(CAPTURE_SHOWN), "the form goes once saved")
    widget.send("Where is my order?")
    widget.wait(lambda s: s["messages"] and s["messages"][-1]["state"] == "sent", "sent")
    room = widget.storage("room") or conversation_of(widget)
    driver.quit()  # the visitor goes away

    created = type("Created", (), {"tenant": tenant})
    agent = principal_for(created, PrincipalKind.AGENT, name="Ada")
    with django_db_blocker.unblock():
        with schema_context(tenant.schema_name):
            message_post(sender=agent, room_id=room, body="It ships <today>!", client_msg_id="a1")
        followup_sweep(tenant=tenant, now=timezone.now() + timedelta(minutes=11))
        assert followup_jobs_run() == 1
    [mail] = mailoutbox
    assert mail.to == ["ada@example.com"] and "It ships <today>!" in mail.body
    assert "It ships &lt;today&gt;!" in mail.alternatives[0][0]
    reopen = next(word for word in mail.body.split() if "#parlor-reopen=" in word)
    assert reopen.startswith(site.origin + "/help#")

    # The link reopens the conversation in another browser, with the reply in it.
    again = browsers()
    again.get(reopen)
    reopened = Widget(again, tenant.publishable_key)
    reopened.wait(lambda s: s["open"] and "It ships <today>!" in reopened.bodies(), "reopened")
    assert "Where is my order?" in reopened.bodies()

    fields = mailgun_fields(mail.reply_to[0], "Thanks!\n\nOn Sat, Shop wrote:\n> It ships")
    request = urllib.request.Request(
        server.public_url + "/api/v1/inbound/email",
        data=urllib.parse.urlencode(fields).encode(),
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201
    reopened.wait(lambda s: s["messages"][-1]["body"] == "Thanks!", "the emailed reply shows")


CAPTURE_SHOWN = """
const host = document.querySelector("parlor-widget");
return Boolean(host && host.shadowRoot.querySelector(".capture"));
"""


def conversation_of(widget: Widget) -> str:
    return widget.driver.execute_script(
        "return JSON.parse(localStorage.getItem(arguments[0]) || 'null');",
        f"parlor:{widget.key}:room",
    )


def mailgun_fields(recipient: str, text: str) -> dict:
    timestamp, token = str(int(time.time())), secrets.token_hex(8)
    digest = hmac.new(INBOUND_SECRET.encode(), f"{timestamp}{token}".encode(), hashlib.sha256)
    return {
        "recipient": recipient,
        "body-plain": text,
        "timestamp": timestamp,
        "token": token,
        "signature": digest.hexdigest(),
    }


def test_the_offline_form_replaces_the_composer_while_closed(offline, browsers, django_db_blocker):
    from parlor.followup.models import Contact
    from parlor.hours.services import business_hours_update

    _server, site, tenant = offline

    def offline_form(on: bool) -> None:
        with django_db_blocker.unblock(), schema_context(tenant.schema_name):
            business_hours_update(
                enabled=True,
                timezone="Europe/Berlin",
                weekly=WEEKDAYS,
                holidays=[],
                offline_form=on,
            )

    offline_form(True)
    try:
        driver = browsers()
        widget = open_widget(driver, offline, page(offline, "/form"))
        wait_until(lambda: driver.execute_script(CAPTURE_SHOWN), "the message form")
        assert not widget.find("form:not(.capture)").is_displayed(), "the composer is hidden"
        assert driver.execute_script(NO_SKIP), "the offline form cannot be skipped"
        widget.find(".capture input[name=name]").send_keys("Ada <b>L</b>")
        widget.find(".capture input[name=email]").send_keys("form@example.com")
        widget.find(".capture textarea[name=question]").send_keys("Do you repair bikes?")
        widget.find(".capture .send").click()
        widget.wait(
            lambda s: (
                [(m["body"], m["state"]) for m in s["messages"]]
                == [("Do you repair bikes?", "sent")]
            ),
            "the question is sent as the first message",
        )
        assert widget.find("form:not(.capture)").is_displayed()
        with django_db_blocker.unblock(), schema_context(tenant.schema_name):
            contact = Contact.objects.get(email="form@example.com")
        assert contact.name == "Ada <b>L</b>"
        assert contact.page_url == site.origin + "/form"
    finally:
        offline_form(False)


NO_SKIP = """
const root = document.querySelector("parlor-widget").shadowRoot;
return root.querySelector(".capture .skip") === null;
"""
