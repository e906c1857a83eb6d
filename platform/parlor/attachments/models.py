"""Attachment models (tenant schema): one row per stored file, and the tenant's upload policy."""

from __future__ import annotations

from django.db import models

from parlor.chat.models import Room


class Attachment(models.Model):
    """A file sent in a room; `message_id` is the message that carries it (chat's Message.id)."""

    # "att_" and 22 URL-safe characters; it is also the carrying message's client_msg_id.
    id = models.CharField(primary_key=True, max_length=64)
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="attachments")
    message_id = models.BigIntegerField(null=True, blank=True)
    uploader_kind = models.CharField(max_length=16)
    uploader_id = models.CharField(max_length=255)
    name = models.CharField(max_length=200)
    size = models.BigIntegerField()
    # Sniffed from the bytes, never the client's claim.
    content_type = models.CharField(max_length=100)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    # The name in the attachments storage: tenant schema, room digest and id; never user input.
    storage_key = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["room", "created_at"], name="attachments_room_created")]

    def __str__(self) -> str:
        return f"{self.id} in {self.room_id}"


class AttachmentPolicy(models.Model):
    """The tenant's one upload policy (id 1): size limit, allowed sniffed types; null: default."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    max_bytes = models.BigIntegerField(null=True, blank=True)
    allowed_types = models.JSONField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"attachment policy: {self.max_bytes} bytes, {self.allowed_types}"
