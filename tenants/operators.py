"""Platform operators and what they do to tenants: each action checked, then logged.

An operator is a user of the public schema in the `platform-operators` group. Tenant staff
are users of their tenant's own schema, so no tenant staff account can ever be an operator,
and an operator can only be made while the public schema is the current one (never from a
tenant's host or `tenant_command`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from parlor.base.errors import Conflict, PermissionDenied, ValidationFailed
from tenants.export import TenantExport, tenant_export
from tenants.models import Tenant
from tenants.platform_audit import (
    OPERATOR_CREATED,
    TENANT_CREATED,
    TENANT_DELETED,
    TENANT_PLAN_CHANGED,
    platform_audit_record,
)
from tenants.quotas import tenant_plan_set
from tenants.selectors import tenant_get
from tenants.services import TenantCreated, tenant_create

OPERATORS_GROUP = "platform-operators"


def public_schema_check() -> None:
    """Refuse unless the current schema is the public one (the platform's, not a tenant's)."""
    if connection.schema_name != settings.PUBLIC_SCHEMA_NAME:
        raise PermissionDenied(
            "operators live in the public schema: run this on the platform, not a tenant.",
            code="not_public_schema",
        )


def is_operator(user: Any) -> bool:
    """Return whether `user` (of the current schema) is an active platform operator."""
    if connection.schema_name != settings.PUBLIC_SCHEMA_NAME:
        return False
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.groups.filter(name=OPERATORS_GROUP).exists()
    )


def operator_create(*, username: str, password: str, email: str = "") -> AbstractBaseUser:
    """Create a platform operator in the public schema; raise on a tenant's schema or bad input."""
    public_schema_check()
    User = get_user_model()
    if not username or len(username) > 150:
        raise ValidationFailed("username must be 1 to 150 characters.", code="invalid_username")
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            raise Conflict(f"a user '{username}' already exists on the platform.")
        user = User(username=username, email=email[:254], is_active=True)
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise ValidationFailed(" ".join(error.messages), code="weak_password") from None
        user.set_password(password)
        user.save()
        group, _ = Group.objects.get_or_create(name=OPERATORS_GROUP)
        user.groups.add(group)
        platform_audit_record(actor="cli", action=OPERATOR_CREATED, detail={"username": username})
    return user


def tenant_create_logged(
    *, actor: str, slug: str, name: str, domain: str, plan: str
) -> TenantCreated:
    """Create a tenant (tenants.services.tenant_create) and log who did."""
    created = tenant_create(slug=slug, name=name, domain=domain, plan=plan)
    platform_audit_record(
        actor=actor,
        action=TENANT_CREATED,
        tenant_slug=slug,
        detail={"plan": plan, "domain": domain},
    )
    return created


def tenant_plan_set_logged(*, actor: str, tenant: Tenant, plan: str, overrides: dict) -> Tenant:
    """Change the tenant's plan and overrides (all checked first) and log the change."""
    before = {"plan": tenant.plan, "overrides": dict(tenant.quota_overrides or {})}
    with transaction.atomic():
        tenant_plan_set(tenant=tenant, plan=plan, overrides=overrides)
        after = {"plan": tenant.plan, "overrides": tenant.quota_overrides}
        platform_audit_record(
            actor=actor,
            action=TENANT_PLAN_CHANGED,
            tenant_slug=tenant.slug,
            detail={"before": before, "after": after},
        )
    return tenant


def tenant_delete_exported(*, actor: str, slug: str) -> TenantExport:
    """Export the tenant `slug` to a file, then delete it and its schema; log both."""
    if slug == settings.PUBLIC_SCHEMA_NAME:
        raise ValidationFailed("the public schema is the platform itself.", code="public_schema")
    tenant = tenant_get(slug=slug)  # NotFound: "no tenant with slug ..."
    export = tenant_export(tenant=tenant)
    with transaction.atomic():
        tenant.delete(force_drop=True)
        platform_audit_record(
            actor=actor,
            action=TENANT_DELETED,
            tenant_slug=slug,
            detail={"export": str(export.path), "sha256": export.sha256, "bytes": export.bytes},
        )
    return export
