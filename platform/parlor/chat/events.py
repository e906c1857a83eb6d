"""Every channel-layer event: its type name, its record, and the consumer handler it reaches.

Events travel between server processes only; clients never see them. Each is published to a
group (named by `parlor.base.groups`), received once per process by the fan-out
(`parlor.chat.fanout`), parsed here into its record, and handed to each local socket's
`ChatConsumer.<handler>`. `fanout.probe` is the fan-out's own round trip and reaches no socket.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from parlor.base.events import AUTH_REVOKED, AuthRevoked, event_message

__all__ = [
    "AGENTS_INBOX",
    "AUTH_REVOKED",
    "EVENTS",
    "FANOUT_PROBE",
    "ROOM_EVENT",
    "ROOM_MESSAGE",
    "TENANT_FRAME",
    "AgentsInbox",
    "AuthRevoked",
    "EventError",
    "EventSpec",
    "FanoutProbe",
    "RoomEvent",
    "RoomMessage",
    "TenantFrame",
    "event_message",
    "event_parse",
]

ROOM_MESSAGE = "room.message"
ROOM_EVENT = "room.event"
AGENTS_INBOX = "agents.inbox"
TENANT_FRAME = "tenant.frame"
FANOUT_PROBE = "fanout.probe"


@dataclass(frozen=True, slots=True)
class RoomMessage:
    """A stored message for a room's sockets: its seq and its `message` frame, encoded once."""

    type: ClassVar[str] = ROOM_MESSAGE
    group: str
    room: str
    seq: int
    text: str
    # Wall-clock time of the publish, just after the commit (parlor_fanout_delay_seconds);
    # 0 from a publisher that does not say.
    published_at: float = 0.0


@dataclass(frozen=True, slots=True)
class RoomEvent:
    """An unstored frame for a room's sockets (presence, typing, read); `skip` is the sender."""

    type: ClassVar[str] = ROOM_EVENT
    group: str
    room: str
    text: str
    skip: str | None = None


@dataclass(frozen=True, slots=True)
class AgentsInbox:
    """A conversation's new message, as an `inbox` frame for every agent socket of the tenant."""

    type: ClassVar[str] = AGENTS_INBOX
    group: str
    text: str


@dataclass(frozen=True, slots=True)
class TenantFrame:
    """A frame for every socket of the tenant, visitors included (`availability`)."""

    type: ClassVar[str] = TENANT_FRAME
    group: str
    text: str


@dataclass(frozen=True, slots=True)
class FanoutProbe:
    """The fan-out's round trip through the layer to its own channel (health and recovery)."""

    type: ClassVar[str] = FANOUT_PROBE
    nonce: str


@dataclass(frozen=True, slots=True)
class EventSpec:
    """An event type's record and the `ChatConsumer` method it reaches (None: the fan-out's)."""

    record: type
    handler: str | None


EVENTS: dict[str, EventSpec] = {
    ROOM_MESSAGE: EventSpec(RoomMessage, "room_message"),
    ROOM_EVENT: EventSpec(RoomEvent, "room_event"),
    AGENTS_INBOX: EventSpec(AgentsInbox, "agents_inbox"),
    TENANT_FRAME: EventSpec(TenantFrame, "tenant_frame"),
    AUTH_REVOKED: EventSpec(AuthRevoked, "auth_revoked"),
    FANOUT_PROBE: EventSpec(FanoutProbe, None),
}


class EventError(ValueError):
    """A channel-layer message that is not one of the events above, or not of its shape."""


def event_parse(message: dict[str, Any]) -> Any:
    """Return the record of the channel-layer `message`; raise EventError if it is not one."""
    spec = EVENTS.get(message.get("type"))  # type: ignore[arg-type]
    if spec is None:
        raise EventError(f"unknown event type {message.get('type')!r}")
    fields = {name: value for name, value in message.items() if name != "type"}
    try:
        return spec.record(**fields)
    except TypeError as error:
        raise EventError(f"malformed {message['type']} event: {error}") from None
