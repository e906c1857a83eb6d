"""Signed, short-lived capabilities: an upload grant and a download URL token.

Both are HMAC-signed with the deployment's SECRET_KEY (django.core.signing, one salt each, so
one can never pass for the other) and carry their tenant and room: whoever holds one may do
exactly that one thing, in that room of that tenant, until it expires. JWTs stay with
tenants.tokens: these are not identities, and need no key rotation of their own.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import asdict, dataclass

from django.core import signing

from parlor.base.conf import setting
from parlor.base.errors import NotAuthenticated

UPLOAD_SALT = "parlor.attachments.upload.v1"
DOWNLOAD_SALT = "parlor.attachments.download.v1"
ATTACHMENT_ID_PATTERN = re.compile(r"att_[A-Za-z0-9_-]{22}")
MAX_SIGNED_LENGTH = 2048


class GrantError(NotAuthenticated):
    """A grant or download token that is missing, forged, tampered with or expired."""

    code = "grant_invalid"


@dataclass(frozen=True)
class UploadGrant:
    """What an upload may be: who sends it, to which room of which tenant, with which id."""

    tenant_id: int
    schema_name: str
    tenant_slug: str
    room: str
    sender_kind: str
    sender_id: str
    sender_name: str
    attachment_id: str
    name: str
    max_bytes: int
    allowed_types: list[str]
    origin: str


@dataclass(frozen=True)
class DownloadTicket:
    """A download of one attachment of one room of one tenant."""

    tenant_id: int
    room: str
    attachment_id: str


def attachment_id_new() -> str:
    """Return a new attachment id: `att_` and 22 URL-safe characters (also a client_msg_id)."""
    return "att_" + secrets.token_urlsafe(16)


def upload_grant_sign(grant: UploadGrant) -> str:
    """Return `grant` signed and timestamped, to be sent back as the upload URL's last segment."""
    return signing.dumps(asdict(grant), salt=UPLOAD_SALT, compress=True)


def upload_grant_verify(signed: object) -> UploadGrant:
    """Return the grant `signed` holds if it verifies and has not expired; raise GrantError."""
    payload = _loads(signed, salt=UPLOAD_SALT, max_age=setting("ATTACHMENT_GRANT_SECONDS"))
    try:
        return UploadGrant(**payload)
    except TypeError:
        raise GrantError("the upload grant is not valid; ask for a new one.") from None


def download_token_sign(ticket: DownloadTicket) -> str:
    """Return `ticket` signed and timestamped, for the download URL."""
    return signing.dumps(
        [ticket.tenant_id, ticket.room, ticket.attachment_id], salt=DOWNLOAD_SALT, compress=True
    )


def download_token_verify(signed: object) -> DownloadTicket:
    """Return the ticket `signed` holds if it verifies and has not expired; raise GrantError."""
    payload = _loads(signed, salt=DOWNLOAD_SALT, max_age=setting("ATTACHMENT_URL_SECONDS"))
    if not (isinstance(payload, list) and len(payload) == 3):
        raise GrantError("the download link is not valid.")
    tenant_id, room, attachment_id = payload
    return DownloadTicket(tenant_id=tenant_id, room=room, attachment_id=attachment_id)


def _loads(signed: object, *, salt: str, max_age: float):
    if not isinstance(signed, str) or not signed or len(signed) > MAX_SIGNED_LENGTH:
        raise GrantError("no valid grant or link was given.")
    try:
        return signing.loads(signed, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise GrantError(
            "the grant or link has expired; ask for a new one.", code="grant_expired"
        ) from None
    except (signing.BadSignature, ValueError):
        raise GrantError("the grant or link is not valid (forged or altered).") from None
