"""Follow-up settings, each read from PARLOR with its default (docs/offline.md)."""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Replies go to reply+<token>@ this domain; route its mail to POST /api/v1/inbound/email.
    "INBOUND_EMAIL_DOMAIN": "localhost",
    # The inbound webhook's shared secret; without one the endpoint refuses every request.
    "INBOUND_EMAIL_SECRET": "",
    # A reply token (and so a follow-up email's reply address) works this long.
    "REPLY_TOKEN_DAYS": 30,
    # A Mailgun-style signature older than this is refused (replay window).
    "INBOUND_SIGNATURE_MAX_AGE_SECONDS": 300,
}


def followup_setting(name: str) -> Any:
    """Return PARLOR[name], or the follow-up default for it."""
    value = getattr(settings, "PARLOR", {}).get(name)
    return DEFAULTS[name] if value in (None, "") else value
