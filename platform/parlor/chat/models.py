"""Chat models (tenant schema): rooms, their messages in seq order, and members' read positions."""

from __future__ import annotations

from django.db import models


class RoomKind(models.TextChoices):
    """A conversation belongs to one visitor or user; a channel is named and shared."""

    CONVERSATION = "conversation"
    CHANNEL = "channel"


class Room(models.Model):
    """A room of the tenant; `last_seq` is the seq of its newest message (0 when empty)."""

    id = models.CharField(primary_key=True, max_length=64)
    kind = models.CharField(max_length=16, choices=RoomKind.choices)
    # The visitor or user a conversation belongs to; empty for channels.
    owner_kind = models.CharField(max_length=16, blank=True, default="")
    owner_id = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    last_seq = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.kind} {self.id}"


class Message(models.Model):
    """One stored message; (room, seq) orders a room and (room, sender, client_msg_id) dedups."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="messages")
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
            # The kind is part of the sender: visitor "42" and user "42" are different people.
            models.UniqueConstraint(
                fields=["room", "sender_kind", "sender_id", "client_msg_id"],
                name="chat_message_room_sender_client_msg_id",
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
