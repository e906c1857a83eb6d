"""Reads of one subject's data in the current tenant's schema: what an export contains."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from parlor.base.errors import NotFound
from parlor.base.times import isoformat
from parlor.chat.models import Membership, Message, Room, RoomKind
from parlor.followup.selectors import contact_export
from parlor.subjects.models import RetentionPolicy
from parlor.subjects.records import Subject
from parlor.visitors.selectors import visitor_export


def subject_rooms(subject: Subject):
    """Return the conversations the subject owns."""
    return Room.objects.filter(
        kind=RoomKind.CONVERSATION, owner_kind=subject.kind, owner_id=subject.id
    )


def subject_messages(subject: Subject):
    """Return every message the subject sent, or that is in a conversation the subject owns."""
    owned = subject_rooms(subject).values("id")
    return Message.objects.filter(
        Q(sender_kind=subject.kind, sender_id=subject.id) | Q(room_id__in=owned)
    )


def subject_memberships(subject: Subject):
    """Return the subject's memberships (read positions)."""
    return Membership.objects.filter(member_kind=subject.kind, member_id=subject.id)


def subject_export(subject: Subject) -> dict[str, Any]:
    """Return everything stored about the subject, or raise NotFound if there is nothing."""
    rooms = list(subject_rooms(subject).order_by("created_at"))
    messages = list(subject_messages(subject).order_by("room_id", "seq"))
    memberships = list(subject_memberships(subject).order_by("room_id"))
    visitor = visitor_export(kind=subject.kind, subject=subject.id)
    contact = contact_export(visitor_id=subject.id) if subject.kind == "visitor" else None
    if not rooms and not messages and not memberships and visitor is None and contact is None:
        raise NotFound("no such subject.", code="subject_not_found")
    names = sorted(
        {m.sender_name for m in messages if m.sender_id == subject.id and m.sender_name}
        | {m.member_name for m in memberships if m.member_name}
    )
    return {
        "subject": {"kind": subject.kind, "id": subject.id},
        # `visitor`: the stored profile (name, email, attributes, page context), or null.
        "profile": {
            "names": names,
            "visitor": visitor,
            **({"contact": contact} if contact else {}),
        },
        "conversations": [
            {"id": room.id, "created_at": isoformat(room.created_at), "last_seq": room.last_seq}
            for room in rooms
        ],
        "messages": [_message(message) for message in messages],
        "read_positions": [
            {"room": m.room_id, "read_seq": m.read_seq, "joined_at": isoformat(m.joined_at)}
            for m in memberships
        ],
    }


def retention_days() -> int | None:
    """Return the tenant's retention in days for inactive conversations, None when off."""
    policy = RetentionPolicy.objects.filter(id=1).first()
    return policy.conversation_days if policy else None


def _message(message: Message) -> dict[str, Any]:
    return {
        "room": message.room_id,
        "seq": message.seq,
        "sender": {
            "kind": message.sender_kind,
            "id": message.sender_id,
            "name": message.sender_name,
        },
        "body": message.body,
        "sent_at": isoformat(message.sent_at),
    }
