"""Every webhook event type Parlor sends, and the envelope each payload shares."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from parlor.base.times import isoformat

CONVERSATION_CREATED = "conversation.created"
MESSAGE_CREATED = "message.created"
CONVERSATION_UPDATED = "conversation.updated"
VISITOR_IDENTIFIED = "visitor.identified"
CONVERSATION_RATED = "conversation.rated"
EVENT_TYPES = (
    CONVERSATION_CREATED,
    MESSAGE_CREATED,
    CONVERSATION_UPDATED,
    VISITOR_IDENTIFIED,
    CONVERSATION_RATED,
)


def event_id_new() -> str:
    """Return a new event id: stable across retries, sent as `webhook-id`."""
    return f"evt_{secrets.token_urlsafe(18)}"


def event_payload(
    *,
    event_id: str,
    event_type: str,
    tenant: str,
    room: str,
    seq: int,
    data: dict[str, Any],
    at: datetime,
) -> dict[str, Any]:
    """Return the JSON document a receiver gets: who, where, which seq, and the event's data."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown webhook event type {event_type!r}")
    return {
        "id": event_id,
        "type": event_type,
        "timestamp": isoformat(at),
        "tenant": tenant,
        "room": room,
        "seq": seq,
        "data": data,
    }
