"""Changes to the team: roles, deactivation and reactivation, each checked and audited.

The rules: only owners and admins change the team; an admin never makes, changes or
deactivates an owner; nobody deactivates themselves; the tenant always keeps an active owner.
Each function runs in the current tenant schema (a dashboard request or `schema_context`).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from parlor.audit import actions
from parlor.audit.services import audit_record
from parlor.base.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from parlor.team.models import StaffRole
from parlor.team.roles import Role, role_manages
from parlor.team.selectors import active_owner_count, staff_role_get
from tenants.models import Tenant
from tenants.revocation import subject_revoke

STAFF_SUBJECT_PREFIX = "staff-"


def staff_subject(user: AbstractBaseUser) -> str:
    """Return the subject of a staff user's agent tokens (and of their audit rows)."""
    return f"{STAFF_SUBJECT_PREFIX}{user.pk}"


def staff_role_assign(*, user: AbstractBaseUser, role: str) -> None:
    """Store `role` for a staff user with no checks (creation, commands and migrations)."""
    if role not in Role.values:
        raise ValidationFailed("role must be owner, admin or agent.", code="invalid_role")
    StaffRole.objects.update_or_create(user=user, defaults={"role": role})


def staff_grant_check(*, actor: AbstractBaseUser, role: str) -> None:
    """Raise PermissionDenied unless `actor` may give someone `role`."""
    actor_role = staff_role_get(user=actor)
    if not role_manages(actor_role):
        raise PermissionDenied("only owners and admins manage staff.", code="not_allowed")
    if role == Role.OWNER and actor_role != Role.OWNER:
        raise PermissionDenied("only an owner can make someone an owner.", code="owner_only")


def staff_role_change(*, actor: AbstractBaseUser, user_id: int, role: str) -> AbstractBaseUser:
    """Give staff user `user_id` a new role; keep at least one active owner."""
    if role not in Role.values:
        raise ValidationFailed("role must be owner, admin or agent.", code="invalid_role")
    staff_grant_check(actor=actor, role=role)
    with transaction.atomic():
        user, current = _staff_locked(user_id)
        _owner_guard(actor=actor, current=current)
        if current == role:
            return user
        if current == Role.OWNER and user.is_active:
            _keep_an_owner()
        staff_role_assign(user=user, role=role)
        audit_record(
            actor=actor,
            action=actions.STAFF_ROLE_CHANGED,
            target=user.get_username(),
            detail={"user_id": user.pk, "from": current, "to": role},
        )
    return user


def staff_deactivate(*, tenant: Tenant, actor: AbstractBaseUser, user_id: int) -> None:
    """Deactivate a staff user: their sessions stop working and their live sockets close."""
    with transaction.atomic():
        user, current = _staff_locked(user_id)
        staff_grant_check(actor=actor, role=current)
        _owner_guard(actor=actor, current=current)
        if user.pk == actor.pk:
            raise Conflict("you cannot deactivate yourself.", code="self_deactivation")
        if not user.is_active:
            return
        if current == Role.OWNER:
            _keep_an_owner()
        user.is_active = False
        user.save(update_fields=["is_active"])
        audit_record(
            actor=actor,
            action=actions.STAFF_DEACTIVATED,
            target=user.get_username(),
            detail={"user_id": user.pk, "role": current},
        )
    # Inactive users fail Django's session check at once (ModelBackend.get_user); the agent
    # tokens they hold are revoked by subject, which closes their sockets everywhere.
    subject_revoke(tenant=tenant, subject=staff_subject(user))


def staff_reactivate(*, actor: AbstractBaseUser, user_id: int) -> None:
    """Let a deactivated staff user log in again (with the role they had)."""
    with transaction.atomic():
        user, current = _staff_locked(user_id)
        staff_grant_check(actor=actor, role=current)
        if user.is_active:
            return
        user.is_active = True
        user.save(update_fields=["is_active"])
        audit_record(
            actor=actor,
            action=actions.STAFF_REACTIVATED,
            target=user.get_username(),
            detail={"user_id": user.pk, "role": current},
        )


def _staff_locked(user_id: int) -> tuple[AbstractBaseUser, str]:
    user = get_user_model().objects.select_for_update().filter(pk=user_id, is_staff=True).first()
    if user is None:
        raise NotFound("no such staff user.", code="staff_not_found")
    return user, staff_role_get(user=user)


def _owner_guard(*, actor: AbstractBaseUser, current: str) -> None:
    if current == Role.OWNER and staff_role_get(user=actor) != Role.OWNER:
        raise PermissionDenied("only an owner can change an owner.", code="owner_only")


def _keep_an_owner() -> None:
    # Lock every owner row so two owners demoting each other at once cannot both succeed.
    list(StaffRole.objects.select_for_update().filter(role=Role.OWNER))
    if active_owner_count() <= 1:
        raise Conflict(
            "the tenant needs an active owner: make someone else an owner first.",
            code="last_owner",
        )
