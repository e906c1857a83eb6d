"""Chat models (tenant schema): rooms, their messages in seq order, members' read positions,
and the conversation workflow (status, assignee, events, canned responses, agent availability)."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Now


class RoomKind(models.TextChoices):
    """A conversation belongs to one visitor or user; a channel is named and shared."""

    CONVERSATION = "conversation"
    CHANNEL = "channel"


class RoomStatus(models.TextChoices):
    """Where a conversation stands in the inbox (channels stay open)."""

    OPEN = "open"
    PENDING = "pending"
    SNOOZED = "snoozed"
    RESOLVED = "resolved"


class Room(models.Model):
    """A room of the tenant; `last_seq` is the seq of its newest message (0 when empty)."""

    id = models.CharField(primary_key=True, max_length=64)
    kind = models.CharField(max_length=16, choices=RoomKind.choices)
    # The visitor or user a conversation belongs to; empty for channels.
    owner_kind = models.CharField(max_length=16, blank=True, default="")
    owner_id = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    last_seq = models.BigIntegerField(default=0)
    # The workflow (parlor.chat.workflow). Database defaults: the hot path's raw INSERTs
    # (parlor.chat.statements) name only the columns they set.
    status = models.CharField(
        max_length=16, choices=RoomStatus.choices, default=RoomStatus.OPEN, db_default="open"
    )
    snoozed_until = models.DateTimeField(null=True, blank=True)
    # The staff user (pk in this tenant's schema) the conversation is assigned to.
    assignee = models.IntegerField(null=True, blank=True)
    # The newest message's time (or the creation while empty): the inbox's order.
    last_activity_at = models.DateTimeField(db_default=Now())

    class Meta:
        indexes = [
            # The inbox: conversations of one status, newest activity first, paged by
            # (last_activity_at, id); with an assignee (mine) or without (all).
            models.Index(
                "status",
                models.F("last_activity_at").desc(),
                models.F("id").desc(),
                name="chat_room_inbox",
                condition=models.Q(kind="conversation"),
            ),
            models.Index(
                "assignee",
                "status",
                models.F("last_activity_at").desc(),
                models.F("id").desc(),
                name="chat_room_inbox_assignee",
                condition=models.Q(kind="conversation"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.id}"


class Message(models.Model):
    """One stored message; (room, seq) orders a room and (room, sender, client_msg_id) dedups."""

    # No index of its own: the unique (room, seq) serves every lookup by room, and a second
    # index on room alone let PostgreSQL's generic plan for the idempotency probe walk a
    # room's messages instead of the unique (room, sender, client_msg_id) key (issue 11).
    room = models.ForeignKey(
        Room, on_delete=models.CASCADE, related_name="messages", db_index=False
    )
    seq = models.BigIntegerField()
    sender_kind = models.CharField(max_length=16)
    sender_id = models.CharField(max_length=255)
    sender_name = models.CharField(max_length=255, blank=True, default="")
    body = models.TextField()
    client_msg_id = models.CharField(max_length=64)
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["room", "seq"], name="chat_message_room_seq"),
            # The idempotency key. The kind is part of the sender: visitor "42" and user "42"
            # are different people. client_msg_id leads so the hot path's probe, which
            # compares the room in a form no index serves, can only take this index
            # (parlor.chat.statements: a generic plan made on a new tenant's empty table
            # otherwise chose chat_message_room_seq and walked the room's messages).
            models.UniqueConstraint(
                fields=["client_msg_id", "sender_id", "sender_kind", "room"],
                name="chat_message_idempotency_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.room_id}#{self.seq}"


class Membership(models.Model):
    """A principal who joined a room, with the seq it has read up to."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="memberships")
    member_kind = models.CharField(max_length=16)
    member_id = models.CharField(max_length=255)
    member_name = models.CharField(max_length=255, blank=True, default="")
    read_seq = models.BigIntegerField(default=0)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["room", "member_kind", "member_id"], name="chat_membership_room_member"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member_kind}:{self.member_id} in {self.room_id}"


class ConversationEvent(models.Model):
    """A stored change of a conversation (status, assignment, note), shown in its transcript.

    `detail` by kind: status_changed {"from", "to", "until"?}, assigned {"from", "to",
    "to_name"}, note {"body"}. Notes are for staff only: they are never messages, so no
    visitor's socket or history ever carries them.
    """

    id = models.BigAutoField(primary_key=True)
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="events")
    kind = models.TextField()
    actor = models.TextField()
    detail = models.JSONField(default=dict)
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        indexes = [models.Index("room", "created_at", name="chat_convevent_room_created")]

    def __str__(self) -> str:
        return f"{self.room_id} {self.kind}"


class CannedResponse(models.Model):
    """A saved reply of the tenant, inserted in the reply box with `/shortcut`."""

    shortcut = models.CharField(max_length=32, unique=True)
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"/{self.shortcut}"


class AgentAvailability(models.Model):
    """The availability a staff user chose (online or away) and their last auto-assignment.

    Offline is not stored: an agent with no open socket is offline (parlor.chat.availability).
    """

    user_id = models.IntegerField(primary_key=True)
    status = models.CharField(max_length=16, default="online")
    last_assigned_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.status}"


class InboxSettings(models.Model):
    """The tenant's inbox settings (one row): round-robin auto-assignment on or off."""

    id = models.SmallIntegerField(primary_key=True, default=1)
    auto_assign = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"auto_assign={self.auto_assign}"
