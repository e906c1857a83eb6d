"""Offline follow-up over HTTP: a visitor leaves an email address; mail services post replies.

`POST /api/v1/widget/contact` (CORS, from the widget): the key, the signed visitor string of
the widget session, and an email address (name and page optional).

`POST /api/v1/inbound/email`: an inbound-mail webhook, Mailgun style (form fields `recipient`,
`body-plain`, `stripped-text`, `Message-Id`, signed `timestamp`/`token`/`signature`) or
Postmark style (JSON `OriginalRecipient`/`To`, `TextBody`, `MessageID`, the secret as the HTTP
Basic password). Both are authenticated with PARLOR_INBOUND_EMAIL_SECRET.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django_tenants.utils import schema_context
from ninja import Router

from parlor.api.parsing import json_object
from parlor.api.schemas import Closed, body_schema, responses
from parlor.api.widget import allow_origin, preflight, widget_request_open
from parlor.base.errors import NotAuthenticated, ValidationFailed
from parlor.followup.conf import followup_setting
from parlor.followup.inbound import InboundReply, email_reply_receive
from parlor.followup.services import contact_capture
from tenants.widget_sessions import visitor_id_unsign

UNAUTHENTICATED = "inbound_unauthenticated"
CONTACT_FIELDS = {"key", "visitor", "email", "name", "page_url"}
router = Router(tags=["offline"])


class ContactRequest(Closed):
    """A widget's key, its session's visitor string, and what the visitor left."""

    key: str
    visitor: str
    email: str
    name: str | None = None
    page_url: str | None = None


class ContactStored(Closed):
    """The address was stored."""

    stored: bool


class ReplyPosted(Closed):
    """Where the emailed reply was posted."""

    room_id: str
    seq: int


@router.api_operation(
    ["OPTIONS"], "/widget/contact", response=responses(_204=None), url_name="api-widget-contact"
)
def widget_contact_preflight(request: HttpRequest) -> HttpResponse:
    """Answer the CORS preflight of a page some tenant allows."""
    return preflight(request.headers.get("Origin"))


@router.post(
    "/widget/contact",
    response=responses(_201=ContactStored),
    openapi_extra=body_schema(ContactRequest),
)
def widget_contact(request: HttpRequest) -> HttpResponse:
    """Store the email address a visitor left in the widget (once, skippable)."""
    tenant, origin, body = widget_request_open(request, fields=CONTACT_FIELDS)
    visitor_id = visitor_id_unsign(tenant=tenant, signed=body.get("visitor"))
    if visitor_id is None:
        raise ValidationFailed(
            "visitor must be the widget session's string.", code="invalid_visitor"
        )
    values = {name: body.get(name) or "" for name in ("email", "name", "page_url")}
    if not all(isinstance(value, str) for value in values.values()):
        raise ValidationFailed("email, name and page_url are strings.", code="invalid")
    with schema_context(tenant.schema_name):
        contact_capture(tenant=tenant, visitor_id=visitor_id, **values)
    return allow_origin(JsonResponse({"stored": True}, status=201), origin)


@router.post("/inbound/email", response=responses(_201=ReplyPosted), url_name="api-inbound-email")
def inbound_email(request: HttpRequest) -> HttpResponse:
    """Post an emailed reply into the conversation its reply address's token names."""
    secret = str(followup_setting("INBOUND_EMAIL_SECRET"))
    if not secret:
        raise NotAuthenticated(
            "inbound email is off: set PARLOR_INBOUND_EMAIL_SECRET.", code="inbound_disabled"
        )
    if request.content_type == "application/json":
        _basic_auth_check(request, secret)
        reply = _postmark_reply(json_object(request))
    else:
        _mailgun_signature_check(request.POST, secret)
        reply = _mailgun_reply(request.POST)
    sent = email_reply_receive(reply=reply, now=timezone.now())
    return JsonResponse({"room_id": sent.message.room_id, "seq": sent.message.seq}, status=201)


def _mailgun_signature_check(fields, secret: str) -> None:
    timestamp, token, signature = (
        fields.get(name, "") for name in ("timestamp", "token", "signature")
    )
    expected = hmac.new(secret.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    if not (timestamp and token and hmac.compare_digest(expected, signature)):
        raise NotAuthenticated(
            "the webhook signature is not valid.", code="inbound_unauthenticated"
        )
    max_age = float(followup_setting("INBOUND_SIGNATURE_MAX_AGE_SECONDS"))
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > max_age:
        raise NotAuthenticated("the webhook signature is too old.", code=UNAUTHENTICATED)


def _basic_auth_check(request: HttpRequest, secret: str) -> None:
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    try:
        password = base64.b64decode(encoded).decode().partition(":")[2]
    except (ValueError, UnicodeDecodeError):
        password = ""
    if scheme.lower() != "basic" or not hmac.compare_digest(password.encode(), secret.encode()):
        raise NotAuthenticated(
            "send the inbound secret as the HTTP Basic password.", code=UNAUTHENTICATED
        )


def _mailgun_reply(fields) -> InboundReply:
    text = fields.get("body-plain") or fields.get("stripped-text") or ""
    return InboundReply(
        recipients=[fields.get("recipient", "")],
        text=text,
        message_id=fields.get("Message-Id", ""),
    )


def _postmark_reply(body: dict) -> InboundReply:
    recipients = [str(body.get("OriginalRecipient") or "")]
    for entry in body.get("ToFull") or []:
        if isinstance(entry, dict):
            recipients.append(str(entry.get("Email") or ""))
    recipients.append(str(body.get("To") or ""))
    text = body.get("TextBody") or ""
    if not isinstance(text, str):
        raise ValidationFailed("TextBody must be a string.", code="invalid")
    return InboundReply(
        recipients=[address for address in recipients if address],
        text=text,
        message_id=json.dumps(body.get("MessageID", "")),
    )
