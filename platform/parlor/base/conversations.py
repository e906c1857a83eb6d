"""Naming of conversation rooms: one per visitor or user, known before it is created."""

from __future__ import annotations

import hashlib

from parlor.base.identity import PrincipalKind

CONVERSATION_PREFIX = "c-"


def conversation_room_id(*, kind: PrincipalKind, subject: str) -> str:
    """Return the room id of the conversation owned by the visitor or user `subject`."""
    if kind is PrincipalKind.AGENT:
        raise ValueError("agents have no conversation of their own.")
    digest = hashlib.sha256(f"{kind.value}:{subject}".encode()).hexdigest()
    return CONVERSATION_PREFIX + digest[:40]
