"""Reads of the team: a staff user's role, the tenant's staff with their roles."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser

from parlor.team.models import StaffRole
from parlor.team.roles import Role


@dataclass(frozen=True)
class StaffMember:
    """A staff user as the staff page lists them."""

    pk: int
    username: str
    name: str
    email: str
    role: str
    is_active: bool
    last_login: object


def staff_role_get(*, user: AbstractBaseUser) -> str:
    """Return the user's role in the current tenant schema (agent when none is stored)."""
    row = StaffRole.objects.filter(user_id=user.pk).values_list("role", flat=True).first()
    return row or Role.AGENT


def staff_list() -> list[StaffMember]:
    """Return the current tenant's staff, active first, then by username."""
    users = get_user_model().objects.filter(is_staff=True).select_related("staff_role")
    members = [
        StaffMember(
            pk=user.pk,
            username=user.username,
            name=user.get_full_name(),
            email=user.email,
            role=getattr(getattr(user, "staff_role", None), "role", None) or Role.AGENT,
            is_active=user.is_active,
            last_login=user.last_login,
        )
        for user in users.order_by("-is_active", "username")
    ]
    return members


def active_owner_count() -> int:
    """Return how many active staff users own the current tenant."""
    return StaffRole.objects.filter(
        role=Role.OWNER, user__is_active=True, user__is_staff=True
    ).count()
