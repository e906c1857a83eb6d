"""Reads the dashboard shows: rooms by activity, a room's transcript, the tenant's API keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django_tenants.utils import schema_context

from parlor.base.errors import NotFound
from parlor.base.groups import ROOM_ID_PATTERN
from parlor.chat import selectors as chat_selectors
from parlor.chat.records import MessagePage, RoomActivity, StoredMessage, StoredRoom
from tenants.models import ApiKey, Tenant

ROOMS_SHOWN = 100
TRANSCRIPT_PAGE = 100


@dataclass(frozen=True)
class Transcript:
    """A room and one page of its messages, oldest first."""

    room: StoredRoom
    page: MessagePage


def room_activity_list(*, tenant: Tenant, kind: str | None) -> list[RoomActivity]:
    """Return the tenant's rooms (of `kind`, if given) with their newest message, newest first."""
    with schema_context(tenant.schema_name):
        return chat_selectors.room_list_by_activity(kind=kind, limit=ROOMS_SHOWN)


def transcript_get(*, tenant: Tenant, room_id: str, before: int | None = None) -> Transcript:
    """Return a room of the tenant with its newest messages (before seq `before`), or raise."""
    with schema_context(tenant.schema_name):
        room = None
        if ROOM_ID_PATTERN.fullmatch(room_id):
            room = chat_selectors.room_get(room_id=room_id)
        if room is None:
            raise NotFound("no such conversation.", code="room_not_found")
        page = chat_selectors.message_list(room_id=room_id, before=before, limit=TRANSCRIPT_PAGE)
    return Transcript(room=room, page=page)


def transcript_entries(
    messages: list[StoredMessage], events: list[dict], *, older: bool, newest: bool
) -> list[tuple[str, object]]:
    """Return ("message", message) and ("event", event) in time order for one transcript page.

    Only the events within the page's time span: after its first message when older ones
    exist, and before its last one unless it is the newest page.
    """
    start = messages[0].sent_at if older and messages else None
    end = messages[-1].sent_at if not newest and messages else None
    entries: list[tuple[object, int, str, object]] = [
        (message.sent_at, 0, "message", message) for message in messages
    ]
    for event in events:
        at = datetime.fromisoformat(event["created_at"].replace("Z", "+00:00"))
        if event["kind"] == "created" or (start and at < start) or (end and at > end):
            continue
        entries.append((at, 1, "event", event))
    entries.sort(key=lambda entry: (entry[0], entry[1]))
    return [(kind, value) for _, _, kind, value in entries]


def api_key_list(*, tenant: Tenant) -> list[ApiKey]:
    """Return the tenant's secret API keys (prefix and dates only matter), newest first."""
    return list(ApiKey.objects.filter(tenant=tenant).order_by("-created_at", "-id"))
