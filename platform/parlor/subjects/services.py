"""Writes of personal data in the current tenant's schema: erase a subject, apply retention."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Max, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from parlor.attachments.services import attachments_delete
from parlor.base.errors import ValidationFailed
from parlor.chat.models import Room, RoomKind
from parlor.followup.services import contact_erase
from parlor.subjects.models import ErasureRecord, RetentionPolicy
from parlor.subjects.records import Subject
from parlor.subjects.selectors import subject_memberships, subject_messages, subject_rooms
from parlor.visitors.services import visitor_profile_erase
from parlor.webhooks.models import WebhookEvent
from tenants.models import Tenant
from tenants.revocation import subject_revoke

MAX_RETENTION_DAYS = 3650


def subject_erase(*, tenant: Tenant, subject: Subject) -> dict[str, int]:
    """Erase the subject's messages, conversations, files, read positions, profile and events.

    Also closes its sockets. The erasure log keeps only counts. Runs in the tenant's schema, in
    one transaction; the stored files are deleted once it commits.
    """
    with transaction.atomic():
        room_ids = list(subject_rooms(subject).values_list("id", flat=True))
        removed = {
            "webhook_events": _events_delete(subject, room_ids),
            # Before the rooms: their deletion would cascade to the rows and orphan the files.
            "attachments": attachments_delete(
                room_ids=room_ids, uploader=(subject.kind, subject.id)
            ),
            "messages": subject_messages(subject).delete()[0],
            "read_positions": subject_memberships(subject).delete()[0],
            # Cascades to what is left in them (other members' positions, conversation
            # events); counted are the rooms themselves.
            "conversations": _rooms_delete(room_ids),
            "profile": visitor_profile_erase(kind=subject.kind, subject=subject.id),
            # The email address a visitor left for follow-up mail (docs/offline.md).
            "contacts": contact_erase(visitor_id=subject.id) if subject.kind == "visitor" else 0,
        }
        ErasureRecord.objects.create(action="subject_erased", removed=removed)
    # Revokes every token of the subject issued until now, which closes its open sockets.
    subject_revoke(tenant=tenant, subject=subject.id)
    return removed


def retention_set(*, days: int | None) -> int | None:
    """Set the days after which inactive conversations are deleted (None: keep them)."""
    if days is not None and (
        isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_RETENTION_DAYS
    ):
        raise ValidationFailed(
            f"conversation_days must be null or 1-{MAX_RETENTION_DAYS}.",
            code="invalid_field",
            status=422,
        )
    RetentionPolicy.objects.update_or_create(id=1, defaults={"conversation_days": days})
    return days


def retention_apply(*, days: int) -> int:
    """Delete conversations with no message (or creation) for `days` days; return how many."""
    cutoff = timezone.now() - timedelta(days=days)
    stale = (
        Room.objects.filter(kind=RoomKind.CONVERSATION)
        .annotate(active_at=Coalesce(Max("messages__sent_at"), "created_at"))
        .filter(active_at__lt=cutoff)
        .values_list("id", flat=True)
    )
    room_ids = list(stale)
    if not room_ids:
        return 0
    with transaction.atomic():
        WebhookEvent.objects.filter(room__in=room_ids).delete()
        attachments_delete(room_ids=room_ids)
        count = _rooms_delete(room_ids)
        ErasureRecord.objects.create(action="retention", removed={"conversations": len(room_ids)})
    return count


def _events_delete(subject: Subject, room_ids: list[str]) -> int:
    sender = {"data__message__sender__kind": subject.kind, "data__message__sender__id": subject.id}
    owner = {
        "data__conversation__owner__kind": subject.kind,
        "data__conversation__owner__id": subject.id,
    }
    # visitor.identified names the subject in data.visitor, even after its room is gone.
    visitor = {
        "payload__data__visitor__kind": subject.kind,
        "payload__data__visitor__id": subject.id,
    }
    named = (
        Q(room__in=room_ids)
        | Q(**visitor)
        | Q(**{f"payload__{k}": v for k, v in sender.items()})
        | Q(**{f"payload__{k}": v for k, v in owner.items()})
    )
    return WebhookEvent.objects.filter(named).delete()[0]


def _rooms_delete(room_ids: list[str]) -> int:
    """Delete rooms (their messages, positions and events cascade); return how many rooms."""
    return Room.objects.filter(id__in=room_ids).delete()[1].get(Room._meta.label, 0)
