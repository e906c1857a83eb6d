"""One stored row per admin action, kept in the tenant's schema (never in public)."""

from __future__ import annotations

from django.db import models


class AuditEntry(models.Model):
    """Who did what to which target, when; `detail` holds small, non-secret facts."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # A stable id of the actor ("staff-12", "api-key", "cli") and the name shown then.
    actor = models.CharField(max_length=100)
    actor_name = models.CharField(max_length=150, blank=True, default="")
    action = models.CharField(max_length=64)
    target = models.CharField(max_length=200, blank=True, default="")
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.actor} {self.action} {self.target}".strip()
