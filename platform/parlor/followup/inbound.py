"""Replies by email: verify the reply token, cut the quote, post the text as the visitor.

A reply is matched only by the signed token in the address it was sent to (reply+<token>@),
never by its sender: anyone can write any From. The token names the tenant and the contact;
the text is posted through the one posting service, as the visitor, into their own
conversation, so every rule of a message sent from the widget applies.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

from django_tenants.utils import schema_context

from parlor.base.errors import NotFound, ValidationFailed
from parlor.base.identity import Principal, PrincipalKind, TenantRef
from parlor.chat.posting import message_post
from parlor.chat.records import MessageSent
from parlor.followup.models import Contact
from parlor.followup.quoting import reply_text_extract
from parlor.followup.tokens import (
    REPLY_PREFIX,
    ReplyTarget,
    ReplyTokenError,
    reply_token_verify,
)
from tenants.models import Tenant

VISITOR_NAME = "Visitor"


@dataclass(frozen=True)
class InboundReply:
    """One reply as the webhook or the raw message gives it."""

    recipients: list[str]
    text: str
    message_id: str = ""


def email_reply_receive(*, reply: InboundReply, now: datetime) -> MessageSent:
    """Post the reply into the conversation its token names; raise ValidationFailed otherwise."""
    target = _target(reply.recipients, now)
    tenant = Tenant.objects.filter(id=target.tenant_id).first()
    if tenant is None:
        raise NotFound("the reply token names no tenant.", code="reply_token_invalid")
    text = reply_text_extract(reply.text)
    if not text:
        raise ValidationFailed("the reply holds no new text.", code="reply_empty")
    with schema_context(tenant.schema_name):
        contact = Contact.objects.filter(id=target.contact_id).first()
        if contact is None:
            raise NotFound("the reply token names no contact.", code="reply_token_invalid")
        # The same email delivered twice (webhook retries) posts once: client_msg_id dedups.
        dedup = hashlib.sha256(f"{reply.message_id or text}".encode()).hexdigest()[:32]
        return message_post(
            sender=_visitor(tenant, contact),
            room_id=contact.room_id,
            body=text,
            client_msg_id=f"email-{dedup}",
        )


def raw_message_parse(raw: bytes) -> InboundReply:
    """Return the recipients, plain text and Message-ID of an RFC 5322 message."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    if not isinstance(message, EmailMessage):
        raise ValidationFailed("the input is not an email message.", code="invalid_message")
    recipients = [
        address
        for header in ("Delivered-To", "X-Original-To", "To", "Cc")
        for address in _addresses(message, header)
    ]
    body = message.get_body(preferencelist=("plain",))
    text = body.get_content() if body is not None else ""
    return InboundReply(
        recipients=recipients, text=text, message_id=str(message.get("Message-ID", ""))
    )


def _addresses(message: EmailMessage, header: str) -> list[str]:
    values = message.get_all(header) or []
    return [address.addr_spec for value in values for address in getattr(value, "addresses", ())]


def _target(recipients: list[str], now: datetime) -> ReplyTarget:
    # Only reply+ addresses carry tokens; the first one decides (the others are copies).
    tokened = [address for address in recipients if REPLY_PREFIX in address.lower()]
    if not tokened:
        raise ValidationFailed(
            "the reply was not sent to a reply+<token> address.", code="reply_token_invalid"
        )
    try:
        return reply_token_verify(tokened[0], now=now)
    except ReplyTokenError as error:
        raise ValidationFailed(str(error), code="reply_token_invalid") from error


def _visitor(tenant: Tenant, contact: Contact) -> Principal:
    return Principal(
        kind=PrincipalKind.VISITOR,
        subject=contact.visitor_id,
        name=contact.name or VISITOR_NAME,
        tenant=TenantRef(id=tenant.id, slug=tenant.slug, schema_name=tenant.schema_name),
        token_id="email-reply",
        issued_at=0,
        expires_at=0,
    )
