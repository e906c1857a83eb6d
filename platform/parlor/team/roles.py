"""The three roles of tenant staff and what each may do."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    """Owners and admins manage the tenant; agents work conversations."""

    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    AGENT = "agent", "Agent"


# Who may manage API keys, signing keys, widget settings, webhooks, personal data and staff.
MANAGING_ROLES = frozenset({Role.OWNER, Role.ADMIN})


def role_manages(role: str) -> bool:
    """Return whether `role` may use the tenant's admin pages and actions."""
    return role in MANAGING_ROLES
