"""Signed tokens of follow-up mail: the reply address (short, expiring) and unsubscribe links.

A reply token must fit an email local part (64 characters, often lowercased by mail
systems), so it is `<tenant id>-<contact id>-<expiry, base 36>-<20 base32 characters of
HMAC-SHA256>`, all lowercase. The tenant id is inside the MAC: a token of tenant A names
A's contact and cannot be turned into one of tenant B's.
"""

from __future__ import annotations

import base64
import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core import signing
from django.utils.crypto import salted_hmac

REPLY_PREFIX = "reply+"
REPLY_TOKEN_PATTERN = re.compile(r"([0-9]+)-([0-9]+)-([0-9a-z]+)-([a-z2-7]{20})")
MAC_LENGTH = 20
UNSUBSCRIBE_SALT = "parlor.followup.unsubscribe"


class ReplyTokenError(ValueError):
    """A reply address whose token is missing, forged or expired; the message says which."""


@dataclass(frozen=True)
class ReplyTarget:
    """The contact a verified reply token names."""

    tenant_id: int
    contact_id: int


def reply_token_issue(*, tenant_id: int, contact_id: int, expires_at: datetime) -> str:
    """Return a reply token for the contact, valid until `expires_at`."""
    payload = f"{tenant_id}-{contact_id}-{_base36(int(expires_at.timestamp()))}"
    return f"{payload}-{_mac(payload)}"


def reply_address(*, token: str, domain: str) -> str:
    """Return the Reply-To address carrying `token` (plus addressing)."""
    return f"{REPLY_PREFIX}{token}@{domain}"


def reply_token_verify(address: str, *, now: datetime) -> ReplyTarget:
    """Return the target of the token in `address`; raise ReplyTokenError if forged or expired."""
    local = address.strip().strip("<>").rpartition("@")[0].lower()
    if not local.startswith(REPLY_PREFIX):
        raise ReplyTokenError("the address carries no reply token (reply+<token>@…).")
    token = local.removeprefix(REPLY_PREFIX)
    match = REPLY_TOKEN_PATTERN.fullmatch(token)
    if match is None:
        raise ReplyTokenError("the reply token is malformed.")
    payload = token.rpartition("-")[0]
    if not hmac.compare_digest(_mac(payload), match[4]):
        raise ReplyTokenError("the reply token's signature is not valid.")
    if int(match[3], 36) <= now.timestamp():
        raise ReplyTokenError("the reply token has expired; reply from the widget instead.")
    return ReplyTarget(tenant_id=int(match[1]), contact_id=int(match[2]))


def reply_token_expiry(now: datetime, days: int) -> datetime:
    """Return when a token issued at `now` expires."""
    return now + timedelta(days=days)


def unsubscribe_token_issue(*, tenant_id: int, contact_id: int) -> str:
    """Return the token of an unsubscribe link (it never expires: unsubscribing must work)."""
    return signing.dumps([tenant_id, contact_id], salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_token_verify(token: str) -> ReplyTarget:
    """Return the contact an unsubscribe token names; raise ReplyTokenError if forged."""
    try:
        tenant_id, contact_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise ReplyTokenError("the unsubscribe link is not valid.") from error
    return ReplyTarget(tenant_id=int(tenant_id), contact_id=int(contact_id))


def _mac(payload: str) -> str:
    digest = salted_hmac("parlor.followup.reply", payload, algorithm="sha256").digest()
    return base64.b32encode(digest).decode().lower()[:MAC_LENGTH]


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, remainder = divmod(number, 36)
        text = digits[remainder] + text
        if number == 0:
            return text
