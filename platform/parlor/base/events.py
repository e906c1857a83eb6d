"""Channel-layer events that layers below `chat` send, and how every event record is sent.

Every event type, its record and the consumer handler it reaches are listed in
`parlor.chat.events`; the one a lower layer must send (tenants announces revocations) lives
here so that `tenants` never imports `chat`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

AUTH_REVOKED = "auth.revoked"


@dataclass(frozen=True, slots=True)
class AuthRevoked:
    """A tenant's tokens revoked: one token id, one signing key, a subject's older tokens, or
    all of them while the tenant is suspended (`suspended`)."""

    type: ClassVar[str] = AUTH_REVOKED
    group: str
    tenant_id: int
    jti: str | None = None
    kid: str | None = None
    subject: str | None = None
    issued_before: float | None = None
    suspended: bool = False


def event_message(event: Any) -> dict[str, Any]:
    """Return the channel-layer message (a plain dict) that carries the event record `event`."""
    message = {"type": event.type}
    for name in event.__slots__:
        message[name] = getattr(event, name)
    return message
