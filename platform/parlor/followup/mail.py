"""Follow-up email: a visitor's unread replies as text and escaped HTML, reply and unsubscribe."""

from __future__ import annotations

from datetime import datetime
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from parlor.chat.models import Message
from parlor.followup.conf import followup_setting
from parlor.followup.models import Contact
from parlor.followup.tokens import (
    reply_address,
    reply_token_expiry,
    reply_token_issue,
    unsubscribe_token_issue,
)
from tenants.models import Tenant
from tenants.widget_sessions import visitor_sign

REOPEN_FRAGMENT = "parlor-reopen"


def reply_email_build(
    *, tenant: Tenant, contact: Contact, messages: list[Message], now: datetime
) -> EmailMultiAlternatives:
    """Return the email of `messages` to the contact; the HTML template escapes every body."""
    token = reply_token_issue(
        tenant_id=tenant.id,
        contact_id=contact.id,
        expires_at=reply_token_expiry(now, int(followup_setting("REPLY_TOKEN_DAYS"))),
    )
    unsubscribe = unsubscribe_url(tenant=tenant, contact=contact)
    context = {
        "tenant_name": tenant.name,
        "messages": messages,
        "reopen_url": reopen_url(tenant=tenant, contact=contact),
        "unsubscribe_url": unsubscribe,
    }
    email = EmailMultiAlternatives(
        subject=f"New reply from {tenant.name}",
        from_email=sender_address(tenant),
        body=render_to_string("followup/reply_email.txt", context),
        to=[contact.email],
        reply_to=[reply_address(token=token, domain=followup_setting("INBOUND_EMAIL_DOMAIN"))],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    email.attach_alternative(render_to_string("followup/reply_email.html", context), "text/html")
    return email


def sender_address(tenant: Tenant) -> str:
    """Return DEFAULT_FROM_EMAIL's address under the tenant's name ("Acme <noreply@…>")."""
    return formataddr((tenant.name, parseaddr(settings.DEFAULT_FROM_EMAIL)[1]))


def reopen_url(*, tenant: Tenant, contact: Contact) -> str:
    """Return the link that reopens the conversation in the widget on the tenant's page."""
    page = contact.page_url or (tenant.allowed_origins[0] + "/" if tenant.allowed_origins else "")
    signed = visitor_sign(tenant=tenant, visitor_id=contact.visitor_id)
    return f"{page}#{REOPEN_FRAGMENT}={signed}"


def unsubscribe_url(*, tenant: Tenant, contact: Contact) -> str:
    """Return the contact's unsubscribe link on the platform."""
    token = unsubscribe_token_issue(tenant_id=tenant.id, contact_id=contact.id)
    return settings.PARLOR_PUBLIC_URL + reverse("followup-unsubscribe", args=[token])


def new_conversation_email_build(
    *, tenant: Tenant, to: list[str], first_message: str
) -> EmailMultiAlternatives:
    """Return the email telling offline agents of a new conversation."""
    context = {
        "tenant_name": tenant.name,
        "first_message": first_message,
        "dashboard_url": f"{settings.PARLOR_PUBLIC_URL}/dashboard/",
    }
    return EmailMultiAlternatives(
        subject=f"New conversation on {tenant.name}",
        body=render_to_string("followup/new_conversation_email.txt", context),
        to=to,
        headers={"Auto-Submitted": "auto-generated"},
    )
