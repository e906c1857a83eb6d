"""Widget sessions: a visitor token for a browser, keeping a returning visitor's conversation."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing

from parlor.base.conversations import conversation_room_id
from parlor.base.errors import ValidationFailed
from parlor.base.identity import PrincipalKind
from parlor.base.visitor_labels import visitor_label
from tenants.claims import claims_validate
from tenants.models import Tenant
from tenants.tokens import token_issue

VISITOR_ID_PATTERN = re.compile(r"v_[A-Za-z0-9_-]{22}")
VISITOR_MAX_AGE_SECONDS = 365 * 24 * 60 * 60
MAX_SIGNED_VISITOR_LENGTH = 256
WIDGET_DEFAULTS = {
    "title": None,  # the tenant's name
    "color": "#4f46e5",
    "position": "right",
    "greeting": "Hi! How can we help?",
    "avatar_url": None,
    "locale": "en",
}


@dataclass(frozen=True)
class WidgetSession:
    """Everything a widget needs to connect: token, visitor, conversation, URL and settings."""

    token: str
    expires_at: datetime
    visitor: str
    conversation: str
    ws_url: str
    widget: dict


def widget_session_start(
    *,
    tenant: Tenant,
    visitor: str | None = None,
    given_name: Callable[[str], str] | None = None,
) -> WidgetSession:
    """Issue a visitor token, for the returning `visitor` (signed id) or a new visitor.

    `given_name(visitor_id)` returns the name a returning visitor gave (`Parlor.identify`), if
    any: the token carries it, so their messages bear it with no lookup per message.
    """
    returning = visitor_id_unsign(tenant=tenant, signed=visitor)
    visitor_id = returning or _visitor_id_generate()
    name = given_name(visitor_id) if returning and given_name else ""
    issued = token_issue(
        tenant=tenant,
        kind=PrincipalKind.VISITOR,
        subject=visitor_id,
        name=_token_name(name, visitor_id),
    )
    return WidgetSession(
        token=issued.token,
        expires_at=issued.expires_at,
        visitor=_signer(tenant).sign(visitor_id),
        conversation=conversation_room_id(kind=PrincipalKind.VISITOR, subject=visitor_id),
        ws_url=websocket_url(),
        widget=widget_settings(tenant),
    )


def _token_name(given: str, visitor_id: str) -> str:
    # The token's name is what agents see on the visitor's messages: the name they gave, else a
    # friendly, stable label (parlor.base.visitor_labels), never the raw id.
    try:
        claims_validate(subject=visitor_id, name=given)
    except ValidationFailed:
        return visitor_label(kind=PrincipalKind.VISITOR.value, subject=visitor_id)
    return given


def visitor_id_unsign(*, tenant: Tenant, signed: object) -> str | None:
    """Return the visitor id inside `signed` if this tenant's platform signed it, else None."""
    if not isinstance(signed, str) or not 0 < len(signed) <= MAX_SIGNED_VISITOR_LENGTH:
        return None
    try:
        visitor_id = _signer(tenant).unsign(signed, max_age=VISITOR_MAX_AGE_SECONDS)
    except signing.BadSignature:
        return None
    return visitor_id if VISITOR_ID_PATTERN.fullmatch(visitor_id) else None


def visitor_sign(*, tenant: Tenant, visitor_id: str) -> str:
    """Return the signed visitor string a widget session accepts back (e.g. a reopen link)."""
    return _signer(tenant).sign(visitor_id)


def websocket_url() -> str:
    """Return the public WebSocket URL (ws or wss after PARLOR_PUBLIC_URL's scheme)."""
    parts = urlsplit(settings.PARLOR_PUBLIC_URL)
    scheme = "wss" if parts.scheme == "https" else "ws"
    return f"{scheme}://{parts.netloc}/ws/v1/"


def widget_settings(tenant: Tenant) -> dict:
    """Return the widget's settings: the tenant's own over Parlor's defaults, known keys only."""
    configured = tenant.widget_settings if isinstance(tenant.widget_settings, dict) else {}
    merged = {**WIDGET_DEFAULTS, "title": tenant.name}
    for name in WIDGET_DEFAULTS:
        value = configured.get(name)
        if isinstance(value, str) and value.strip():
            merged[name] = value
    return merged


def _visitor_id_generate() -> str:
    return "v_" + secrets.token_urlsafe(16)


def _signer(tenant: Tenant) -> signing.TimestampSigner:
    # The salt names the tenant, so a visitor id signed for one tenant is void for every other.
    return signing.TimestampSigner(salt=f"parlor.visitor.{tenant.id}.{tenant.slug}")
