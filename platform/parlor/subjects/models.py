"""Subject models (tenant schema): the retention setting and the log of erasures."""

from __future__ import annotations

from django.db import models


class RetentionPolicy(models.Model):
    """The tenant's one retention setting: conversations inactive this many days are deleted."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    conversation_days = models.PositiveIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"retention {self.conversation_days or 'off'}"


class ErasureRecord(models.Model):
    """That an erasure (or a retention run) happened, and how much it removed: never whose."""

    action = models.CharField(max_length=32)
    at = models.DateTimeField(auto_now_add=True)
    # Row counts per kind of data, e.g. {"messages": 12}; no identifier of the subject.
    removed = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"{self.action} at {self.at}"
