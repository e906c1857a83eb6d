"""Replies by email, adversarially: forged and expired tokens, another tenant, webhook auth,
the Postmark format and the `inboundmail` command; nothing is stored for a refused reply."""

from __future__ import annotations

import base64
import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from parlor.followup.models import Contact
from parlor.followup.tests.support import (
    INBOUND_SECRET,
    contact_leave,
    mailgun_fields,
    messages_of,
    say,
    visitor_start,
)
from parlor.followup.tokens import reply_address, reply_token_issue

pytestmark = pytest.mark.usefixtures("clean_followup")
ALPHA = "https://shop.alpha.example"
BRAVO = "https://shop.bravo.example"


@pytest.fixture
def client():
    return Client()


def with_contact(client, created, origin):
    visitor = visitor_start(client, created, origin)
    say(visitor, "hello")
    contact_leave(client, visitor, "v@example.com")
    with schema_context(created.tenant.schema_name):
        contact = Contact.objects.get(visitor_id=visitor.principal.subject)
    return visitor, contact


def address_for(created, contact_id: int, *, days: float = 30) -> str:
    token = reply_token_issue(
        tenant_id=created.tenant.id,
        contact_id=contact_id,
        expires_at=timezone.now() + timedelta(days=days),
    )
    return reply_address(token=token, domain="localhost")


def test_a_forged_or_expired_token_is_refused_and_nothing_is_stored(client, tenant_alpha):
    visitor, contact = with_contact(client, tenant_alpha, ALPHA)
    before = messages_of(visitor)
    good = address_for(tenant_alpha, contact.id)
    forged = good.replace(f"-{contact.id}-", f"-{contact.id + 1}-")
    expired = address_for(tenant_alpha, contact.id, days=-1)
    for sent_to, words in ((forged, "signature"), (expired, "expired")):
        response = client.post("/api/v1/inbound/email", mailgun_fields(sent_to, "sneaky"))
        assert response.status_code == 400, response.content
        assert response.json()["code"] == "reply_token_invalid"
        assert words in response.json()["detail"]
    # The sender's address alone never matches: a reply to no token is refused.
    response = client.post("/api/v1/inbound/email", mailgun_fields("support@localhost", "hi"))
    assert response.status_code == 400
    assert messages_of(visitor) == before


def test_alphas_token_cannot_post_into_bravo(client, tenant_alpha, tenant_bravo):
    alpha_visitor, alpha_contact = with_contact(client, tenant_alpha, ALPHA)
    bravo_visitor, bravo_contact = with_contact(client, tenant_bravo, BRAVO)
    alpha_address = address_for(tenant_alpha, alpha_contact.id)
    # Swapping in bravo's tenant id (and even bravo's contact id) breaks the signature.
    swapped = alpha_address.replace(
        f"reply+{tenant_alpha.tenant.id}-{alpha_contact.id}-",
        f"reply+{tenant_bravo.tenant.id}-{bravo_contact.id}-",
    )
    bravo_before = messages_of(bravo_visitor)
    response = client.post("/api/v1/inbound/email", mailgun_fields(swapped, "into bravo?"))
    assert response.status_code == 400
    assert messages_of(bravo_visitor) == bravo_before
    # The genuine token posts into alpha's conversation only.
    response = client.post("/api/v1/inbound/email", mailgun_fields(alpha_address, "into alpha"))
    assert response.status_code == 201
    assert messages_of(alpha_visitor)[-1] == ("visitor", "into alpha")
    assert messages_of(bravo_visitor) == bravo_before


def test_the_webhook_refuses_a_bad_signature_or_an_old_one(client, tenant_alpha):
    visitor, contact = with_contact(client, tenant_alpha, ALPHA)
    sent_to = address_for(tenant_alpha, contact.id)
    wrong = mailgun_fields(sent_to, "x", secret="not-the-secret")
    assert client.post("/api/v1/inbound/email", wrong).status_code == 401
    old = mailgun_fields(sent_to, "x")
    old["timestamp"] = str(int(old["timestamp"]) - 3600)
    assert client.post("/api/v1/inbound/email", old).status_code == 401
    assert ("visitor", "x") not in messages_of(visitor)


def test_the_postmark_format_with_basic_auth(client, tenant_alpha):
    visitor, contact = with_contact(client, tenant_alpha, ALPHA)
    body = {
        "OriginalRecipient": address_for(tenant_alpha, contact.id),
        "TextBody": "From Postmark <script>alert(1)</script>\n\n> old",
        "MessageID": "pm-1",
    }
    basic = "Basic " + base64.b64encode(f"inbound:{INBOUND_SECRET}".encode()).decode()
    response = client.post(
        "/api/v1/inbound/email", body, content_type="application/json", HTTP_AUTHORIZATION=basic
    )
    assert response.status_code == 201, response.content
    # Stored as text, as any message: every renderer escapes it.
    assert messages_of(visitor)[-1] == ("visitor", "From Postmark <script>alert(1)</script>")
    # The webhook retried: posted once.
    client.post(
        "/api/v1/inbound/email", body, content_type="application/json", HTTP_AUTHORIZATION=basic
    )
    assert [m for m in messages_of(visitor) if m[1].startswith("From Postmark")] == [
        messages_of(visitor)[-1]
    ]
    unauthenticated = client.post("/api/v1/inbound/email", body, content_type="application/json")
    assert unauthenticated.status_code == 401


def raw_message(to: str, text: str) -> bytes:
    return (
        f"From: Visitor <v@example.com>\r\nTo: {to}\r\nSubject: Re: New reply\r\n"
        f"Message-ID: <raw-{to[:12]}@example.com>\r\nContent-Type: text/plain; charset=utf-8\r\n"
        f"\r\n{text}\r\n"
    ).encode()


def test_the_inboundmail_command_reads_a_raw_message(client, tenant_alpha, monkeypatch):
    visitor, contact = with_contact(client, tenant_alpha, ALPHA)
    sent_to = address_for(tenant_alpha, contact.id)
    raw = raw_message(sent_to, "By pipe.\r\n\r\nOn Sat, Shop wrote:\r\n> earlier")
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(raw)))
    out = io.StringIO()
    call_command("inboundmail", stdout=out)
    assert out.getvalue().startswith(f"posted {visitor.room_id}#")
    assert messages_of(visitor)[-1] == ("visitor", "By pipe.")

    forged = raw_message(sent_to.replace(f"-{contact.id}-", "-999999-"), "forged")
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(forged)))
    with pytest.raises(CommandError, match="reply_token_invalid"):
        call_command("inboundmail")
    assert ("visitor", "forged") not in messages_of(visitor)
