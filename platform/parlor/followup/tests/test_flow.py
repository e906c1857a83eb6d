"""Email left, agent replies, unread after the delay: one email; its reply lands in the chat."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from parlor.chat import services
from parlor.followup.models import Contact
from parlor.followup.services import contact_unsubscribe, followup_settings_update
from parlor.followup.tasks import followup_sweep
from parlor.followup.tests.support import (
    agent_reply,
    contact_leave,
    followup_jobs_run,
    mailgun_fields,
    messages_of,
    say,
    visitor_start,
)

pytestmark = pytest.mark.usefixtures("clean_followup")
ALPHA = "https://shop.alpha.example"
BRAVO = "https://shop.bravo.example"


@pytest.fixture
def client():
    return Client()


def later(minutes: float):
    return timezone.now() + timedelta(minutes=minutes)


def test_an_unread_reply_is_emailed_once_and_the_emailed_reply_lands_in_the_chat(
    client, tenant_alpha, mailoutbox
):
    visitor = visitor_start(client, tenant_alpha, ALPHA)
    say(visitor, "Do you ship to Norway?")
    response = contact_leave(client, visitor, "ada@example.com", page_url=f"{ALPHA}/help?x=1#top")
    assert response.status_code == 201, response.content
    agent_reply(visitor, "Yes, we do! <b>Free</b> over 50 €.")

    # Before the delay (default 10 minutes) nothing is due.
    followup_sweep(tenant=tenant_alpha.tenant, now=later(9))
    assert followup_jobs_run() == 0
    followup_sweep(tenant=tenant_alpha.tenant, now=later(11))
    assert followup_jobs_run() == 1
    [mail] = mailoutbox
    assert mail.to == ["ada@example.com"]
    assert mail.from_email.startswith("Alpha <")
    assert "Yes, we do! <b>Free</b> over 50 €." in mail.body
    html = mail.alternatives[0][0]
    assert "&lt;b&gt;Free&lt;/b&gt;" in html and "<b>Free</b>" not in html
    [reply_to] = mail.reply_to
    assert reply_to.startswith("reply+") and reply_to.endswith("@localhost")
    assert len(reply_to.partition("@")[0]) <= 64
    assert mail.extra_headers["List-Unsubscribe"].startswith("<http")

    # The reopen link goes to the page the visitor was on, and the widget accepts its visitor.
    reopen = next(word for word in mail.body.split() if "#parlor-reopen=" in word)
    page, _, signed = reopen.partition("#parlor-reopen=")
    assert page == f"{ALPHA}/help?x=1"
    again = client.post(
        "/api/v1/widget/sessions",
        json.dumps({"key": tenant_alpha.tenant.publishable_key, "visitor": signed}),
        content_type="application/json",
        HTTP_ORIGIN=ALPHA,
    )
    assert again.json()["conversation"] == visitor.room_id

    # A second sweep finds nothing new: the batch was claimed.
    followup_sweep(tenant=tenant_alpha.tenant, now=later(30))
    assert followup_jobs_run() == 0

    reply = "Great, thanks!\n\nOn Sat, Dec 5, 2026 at 18:00 Shop wrote:\n> Yes, we do!\n"
    response = client.post("/api/v1/inbound/email", mailgun_fields(reply_to, reply))
    assert response.status_code == 201, response.content
    assert messages_of(visitor)[-1] == ("visitor", "Great, thanks!")


def test_a_reply_read_in_the_widget_is_not_emailed(client, tenant_alpha, mailoutbox):
    visitor = visitor_start(client, tenant_alpha, ALPHA)
    say(visitor, "hello")
    contact_leave(client, visitor, "read@example.com")
    seq = agent_reply(visitor, "hi there")
    with schema_context(tenant_alpha.tenant.schema_name):
        services.read_mark(room_id=visitor.room_id, principal=visitor.principal, seq=seq)
    followup_sweep(tenant=tenant_alpha.tenant, now=later(60))
    assert followup_jobs_run() == 0
    assert mailoutbox == []


def test_the_delay_is_per_tenant(client, tenant_alpha, mailoutbox):
    with schema_context(tenant_alpha.tenant.schema_name):
        followup_settings_update(
            delay_minutes=30, ask_email=True, prechat_enabled=False, prechat_fields=[]
        )
    visitor = visitor_start(client, tenant_alpha, ALPHA)
    say(visitor, "hello")
    contact_leave(client, visitor, "slow@example.com")
    agent_reply(visitor, "hi")
    followup_sweep(tenant=tenant_alpha.tenant, now=later(11))
    assert followup_jobs_run() == 0
    followup_sweep(tenant=tenant_alpha.tenant, now=later(31))
    assert followup_jobs_run() == 1


def test_an_unsubscribed_visitor_gets_no_mail(client, tenant_alpha, mailoutbox):
    visitor = visitor_start(client, tenant_alpha, ALPHA)
    say(visitor, "hello")
    contact_leave(client, visitor, "gone@example.com")
    agent_reply(visitor, "first reply")
    followup_sweep(tenant=tenant_alpha.tenant, now=later(11))
    # Unsubscribed between the claim and the send: still no mail.
    with schema_context(tenant_alpha.tenant.schema_name):
        contact = Contact.objects.get(visitor_id=visitor.principal.subject)
        contact_unsubscribe(contact_id=contact.id)
    followup_jobs_run()
    agent_reply(visitor, "second reply")
    followup_sweep(tenant=tenant_alpha.tenant, now=later(30))
    followup_jobs_run()
    assert mailoutbox == []


def test_the_unsubscribe_link_unsubscribes(client, tenant_alpha, mailoutbox):
    visitor = visitor_start(client, tenant_alpha, ALPHA)
    say(visitor, "hello")
    contact_leave(client, visitor, "link@example.com")
    agent_reply(visitor, "reply")
    followup_sweep(tenant=tenant_alpha.tenant, now=later(11))
    followup_jobs_run()
    link = mailoutbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    path = link.split("://", 1)[1].partition("/")[2]
    page = client.get("/" + path)
    assert page.status_code == 200 and b"Stop emails" in page.content
    assert client.post("/" + path).status_code == 200
    with schema_context(tenant_alpha.tenant.schema_name):
        assert Contact.objects.get(visitor_id=visitor.principal.subject).unsubscribed_at
    assert client.get("/followup/unsubscribe/forged-token").status_code == 400


def test_a_contact_is_refused_for_a_bad_address_or_a_foreign_origin(client, tenant_alpha):
    visitor = visitor_start(client, tenant_alpha, ALPHA)
    response = contact_leave(client, visitor, "not an address")
    assert response.status_code == 400 and response.json()["code"] == "invalid_email"
    response = client.post(
        "/api/v1/widget/contact",
        json.dumps(
            {
                "key": tenant_alpha.tenant.publishable_key,
                "visitor": visitor.signed,
                "email": "a@b.c",
            }
        ),
        content_type="application/json",
        HTTP_ORIGIN=BRAVO,
    )
    assert response.status_code == 403
    # A page of a site the tenant does not allow is never a reopen link.
    contact_leave(client, visitor, "a@example.com", page_url="https://evil.example/phish")
    with schema_context(tenant_alpha.tenant.schema_name):
        assert Contact.objects.get(visitor_id=visitor.principal.subject).page_url == ""


def test_a_visitor_string_of_another_tenant_is_refused(client, tenant_alpha, tenant_bravo):
    bravo_visitor = visitor_start(client, tenant_bravo, BRAVO)
    response = client.post(
        "/api/v1/widget/contact",
        json.dumps(
            {
                "key": tenant_alpha.tenant.publishable_key,
                "visitor": bravo_visitor.signed,
                "email": "x@example.com",
            }
        ),
        content_type="application/json",
        HTTP_ORIGIN=ALPHA,
    )
    assert response.status_code == 400 and response.json()["code"] == "invalid_visitor"
