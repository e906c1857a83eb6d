"""Naming of conversation rooms: one per visitor or user, known before it is created."""

from __future__ import annotations

import functools
import hashlib

from parlor.base.identity import PrincipalKind

CONVERSATION_PREFIX = "c-"


def conversation_room_id(*, kind: PrincipalKind, subject: str) -> str:
    """Return the room id of the conversation owned by the visitor or user `subject`."""
    if kind is PrincipalKind.AGENT:
        raise ValueError("agents have no conversation of their own.")
    return _conversation_room_id(kind, subject)


# Asked two or three times per send (may write, begins a conversation, auto-assign): a hash
# each time cost ~2 % of a send's CPU (issue 11). Sockets come and go, so the cache is bounded.
@functools.lru_cache(maxsize=8192)
def _conversation_room_id(kind: PrincipalKind, subject: str) -> str:
    digest = hashlib.sha256(f"{kind.value}:{subject}".encode()).hexdigest()
    return CONVERSATION_PREFIX + digest[:40]
