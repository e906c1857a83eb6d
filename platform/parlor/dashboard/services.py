"""Writes the dashboard makes on its own: staff users, their agent tokens and replies."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django_tenants.utils import schema_context

from parlor.base.errors import Conflict, QuotaExceeded, ValidationFailed
from parlor.base.identity import Principal, PrincipalKind, TenantRef
from parlor.chat import posting
from parlor.chat.records import MessageSent
from parlor.team.roles import Role
from parlor.team.services import STAFF_SUBJECT_PREFIX, staff_role_assign
from parlor.team.services import staff_reactivate as team_staff_reactivate
from tenants.models import Tenant
from tenants.quota_refusals import quota_refusal_record
from tenants.quotas import AGENTS, tenant_quotas
from tenants.revocation import subject_revoke
from tenants.tokens import IssuedToken, token_issue

__all__ = ["STAFF_SUBJECT_PREFIX", "staff_create", "staff_ensure", "staff_principal"]


def staff_create(
    *,
    tenant: Tenant,
    username: str,
    password: str,
    name: str = "",
    email: str = "",
    role: str | None = None,
    check_password: bool = True,
) -> AbstractBaseUser:
    """Create a staff user in the tenant's schema; raise Conflict or ValidationFailed.

    Without a `role`, the tenant's first staff user becomes its owner and later ones agents.
    """
    try:
        return _staff_create(
            tenant=tenant,
            username=username,
            password=password,
            name=name,
            email=email,
            role=role,
            check_password=check_password,
        )
    except QuotaExceeded:
        # Counted after the rollback, so the refusal itself is kept.
        quota_refusal_record(tenant_id=tenant.id, quota=AGENTS)
        raise


def staff_seats_check(*, tenant: Tenant) -> None:
    """Refuse one more active staff user over the tenant's plan (sync, in its schema)."""
    seats = tenant_quotas(tenant).agents
    if get_user_model().objects.filter(is_staff=True, is_active=True).count() >= seats:
        raise QuotaExceeded(
            f"the plan has {seats} staff seats and all are taken; deactivate someone first.",
            quota=AGENTS,
            status=422,
        )


def staff_reactivate(*, tenant: Tenant, actor: AbstractBaseUser, user_id: int) -> None:
    """Let a deactivated staff user log in again, if the plan has a free seat."""
    user = get_user_model().objects.filter(pk=user_id, is_staff=True).first()
    if user is not None and not user.is_active:
        try:
            staff_seats_check(tenant=tenant)
        except QuotaExceeded:
            quota_refusal_record(tenant_id=tenant.id, quota=AGENTS)
            raise
    team_staff_reactivate(actor=actor, user_id=user_id)


def _staff_create(
    *,
    tenant: Tenant,
    username: str,
    password: str,
    name: str,
    email: str,
    role: str | None,
    check_password: bool,
) -> AbstractBaseUser:
    User = get_user_model()
    with schema_context(tenant.schema_name), transaction.atomic():
        if not username or len(username) > 150:
            raise ValidationFailed("username must be 1 to 150 characters.", code="invalid_username")
        if User.objects.filter(username=username).exists():
            raise Conflict(f"a staff user '{username}' already exists in this tenant.")
        staff_seats_check(tenant=tenant)
        if role is None:
            role = Role.AGENT if User.objects.filter(is_staff=True).exists() else Role.OWNER
        user = User(
            username=username,
            first_name=name[:150],
            email=email[:254],
            is_staff=True,
            is_active=True,
        )
        if check_password:
            try:
                validate_password(password, user)
            except ValidationError as error:
                raise ValidationFailed(" ".join(error.messages), code="weak_password") from None
        user.set_password(password)
        user.save()
        staff_role_assign(user=user, role=role)
        return user


def staff_ensure(*, tenant: Tenant, username: str, password: str, name: str = "") -> None:
    """Create the staff user as an owner, or give the existing one `password` and ownership
    (for the demo's known login)."""
    User = get_user_model()
    with schema_context(tenant.schema_name):
        user = User.objects.filter(username=username).first()
        if user is None:
            staff_create(
                tenant=tenant,
                username=username,
                password=password,
                name=name,
                role=Role.OWNER,
                check_password=False,
            )
            return
        if not user.check_password(password) or not (user.is_staff and user.is_active):
            user.set_password(password)
            user.is_staff = user.is_active = True
            user.save(update_fields=["password", "is_staff", "is_active"])
        staff_role_assign(user=user, role=Role.OWNER)


def staff_principal(*, tenant: Tenant, user: AbstractBaseUser) -> Principal:
    """Return the agent principal a staff user replies as (also the subject of their tokens)."""
    return Principal(
        kind=PrincipalKind.AGENT,
        subject=f"{STAFF_SUBJECT_PREFIX}{user.pk}",
        name=staff_name(user),
        tenant=TenantRef(id=tenant.id, slug=tenant.slug, schema_name=tenant.schema_name),
        token_id="",
        issued_at=0,
        expires_at=0,
    )


def staff_name(user: AbstractBaseUser) -> str:
    """Return the name customers see for a staff user: the full name, else the username."""
    name = (user.get_full_name() or user.get_username()).strip()
    return name[:100]


def agent_token_issue(*, tenant: Tenant, user: AbstractBaseUser) -> IssuedToken:
    """Issue an agent token for a logged-in staff user of `tenant`."""
    principal = staff_principal(tenant=tenant, user=user)
    return token_issue(
        tenant=tenant, kind=PrincipalKind.AGENT, subject=principal.subject, name=principal.name
    )


def staff_sockets_end(*, tenant: Tenant, user: AbstractBaseUser) -> None:
    """Revoke the staff user's agent tokens issued so far: their live sockets close (4401)."""
    subject_revoke(tenant=tenant, subject=staff_principal(tenant=tenant, user=user).subject)


def reply_send(
    *, tenant: Tenant, user: AbstractBaseUser, room_id: str, body: str, client_msg_id: str
) -> MessageSent:
    """Post a staff reply through the one message service (stored, then delivered live)."""
    sender = staff_principal(tenant=tenant, user=user)
    return posting.message_post(
        sender=sender, room_id=room_id, body=body, client_msg_id=client_msg_id
    )
