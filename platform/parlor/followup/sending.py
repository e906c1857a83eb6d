"""Sending follow-up mail: one claimed batch of replies, and offline agents' notices."""

from __future__ import annotations

import logging
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction

from parlor.base.identity import PrincipalKind
from parlor.chat.models import Membership, Message, Room, RoomKind
from parlor.followup.mail import new_conversation_email_build, reply_email_build
from parlor.followup.models import AgentPreference, Contact, FollowupSettings
from tenants.models import Tenant

logger = logging.getLogger(__name__)


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


def new_conversations_notify(*, tenant: Tenant, now: datetime, agents_offline: bool) -> int:
    """Email opted-in staff each conversation begun since the last look, if agents are offline."""
    with transaction.atomic():
        followup, _ = FollowupSettings.objects.select_for_update().get_or_create(singleton=True)
        since, followup.conversations_seen_at = followup.conversations_seen_at, now
        followup.save(update_fields=["conversations_seen_at"])
    if since is None or not agents_offline:
        return 0  # the first look only sets the mark: no mail about old conversations
    recipients = _opted_in_addresses()
    if not recipients:
        return 0
    rooms = Room.objects.filter(
        kind=RoomKind.CONVERSATION, created_at__gt=since, created_at__lte=now
    ).order_by("created_at")
    sent = 0
    for room in rooms:
        first = Message.objects.filter(room=room).order_by("seq").first()
        body = first.body if first is not None else ""
        new_conversation_email_build(tenant=tenant, to=recipients, first_message=body).send()
        sent += 1
    return sent


def _opted_in_addresses() -> list[str]:
    user_ids = AgentPreference.objects.filter(new_conversation_email=True).values_list(
        "user_id", flat=True
    )
    users = get_user_model().objects.filter(id__in=list(user_ids), is_active=True, is_staff=True)
    return sorted(user.email for user in users if user.email)
