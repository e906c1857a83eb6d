"""A staff user's role in the tenant (tenant schema, one row per staff user)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from parlor.team.roles import Role


class StaffRole(models.Model):
    """The role of one staff user; a staff user without a row is an agent."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_role"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.AGENT)
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.role}"
