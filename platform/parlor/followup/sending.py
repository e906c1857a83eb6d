"""Sending follow-up mail: one claimed batch of replies, and offline agents' notices."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction

from parlor.base.identity import PrincipalKind
from parlor.chat.models import Membership, Message, Room, RoomKind
from parlor.followup.mail import new_conversation_email_build, reply_email_build
from parlor.followup.models import AgentPreference, Contact, FollowupSettings
from tenants.models import Tenant

NOTICE_LOOKBACK = timedelta(minutes=15)


def reply_email_send(
    *, tenant: Tenant, contact_id: int, after_seq: int, up_to_seq: int, now: datetime
) -> bool:
    """Email the contact the agent messages (after_seq, up_to_seq] still unread; True if sent."""
    contact = Contact.objects.filter(id=contact_id).first()
    if contact is None or not contact.email or contact.unsubscribed_at is not None:
        return False  # unsubscribed after the batch was claimed: never emailed again
    read = (
        Membership.objects.filter(
            room_id=contact.room_id,
            member_kind=PrincipalKind.VISITOR.value,
            member_id=contact.visitor_id,
        )
        .values_list("read_seq", flat=True)
        .first()
        or 0
    )
    messages = list(
        Message.objects.filter(
            room_id=contact.room_id,
            sender_kind=PrincipalKind.AGENT.value,
            seq__gt=max(after_seq, read),
            seq__lte=up_to_seq,
        ).order_by("seq")
    )
    if not messages:
        return False  # read in the widget meanwhile
    # An SMTP failure raises: the job fails and procrastinate retries it.
    reply_email_build(tenant=tenant, contact=contact, messages=messages, now=now).send()
    return True


def new_conversations_claim(
    *, now: datetime, agents_offline: bool, defer: Callable[[str], None]
) -> list[str]:
    """Move the mark to `now` and `defer` a notice of each conversation begun since, atomically.

    Only when agents are offline and somebody opted in; the first look only sets the mark.
    """
    if not _opted_in_addresses():
        return []  # nobody wants these: no write either (this runs every minute per tenant)
    with transaction.atomic():
        followup, _ = FollowupSettings.objects.select_for_update().get_or_create(singleton=True)
        since, followup.conversations_seen_at = followup.conversations_seen_at, now
        followup.save(update_fields=["conversations_seen_at"])
        if since is None or not agents_offline:
            return []
        # A mark left from before a pause (nobody opted in) must not unleash a backlog.
        rooms = Room.objects.filter(
            kind=RoomKind.CONVERSATION,
            created_at__gt=max(since, now - NOTICE_LOOKBACK),
            created_at__lte=now,
        ).order_by("created_at")
        room_ids = list(rooms.values_list("id", flat=True))
        for room_id in room_ids:
            defer(room_id)
    return room_ids


def new_conversation_email_send(*, tenant: Tenant, room_id: str) -> bool:
    """Email the opted-in staff of now about one new conversation; True if sent."""
    recipients = _opted_in_addresses()
    first = Message.objects.filter(room_id=room_id).order_by("seq").first()
    if not recipients or first is None:
        return False  # everyone opted out meanwhile, or the conversation was erased
    new_conversation_email_build(tenant=tenant, to=recipients, first_message=first.body).send()
    return True


def _opted_in_addresses() -> list[str]:
    user_ids = AgentPreference.objects.filter(new_conversation_email=True).values_list(
        "user_id", flat=True
    )
    users = get_user_model().objects.filter(id__in=list(user_ids), is_active=True, is_staff=True)
    return sorted(user.email for user in users if user.email)
