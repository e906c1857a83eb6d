"""The one way to write the audit log: `audit_record`, called by every admin action."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection

from parlor.audit.actions import LABELS
from parlor.audit.models import AuditEntry

MAX_DETAIL_KEYS = 20


class AuditSchemaError(RuntimeError):
    """Raised when audit_record is called outside a tenant's schema."""


def audit_record(
    *, actor: Any, action: str, target: str = "", detail: dict | None = None
) -> AuditEntry:
    """Store one audit row in the current tenant schema; `actor` is a staff user or a label.

    Call it inside the tenant's schema (a dashboard request, or `schema_context`). `detail`
    holds small facts (ids, counts, role names): never a secret, token or message body.
    """
    if connection.schema_name == settings.PUBLIC_SCHEMA_NAME:
        raise AuditSchemaError("audit_record needs a tenant's schema: wrap it in schema_context.")
    if action not in LABELS:
        raise ValueError(f"unknown audit action {action!r}: add it to parlor.audit.actions.")
    actor_id, actor_name = actor_describe(actor)
    return AuditEntry.objects.create(
        actor=actor_id,
        actor_name=actor_name,
        action=action,
        target=str(target)[:200],
        detail=dict(list((detail or {}).items())[:MAX_DETAIL_KEYS]),
    )


def actor_describe(actor: Any) -> tuple[str, str]:
    """Return (stable id, display name) of a staff user, or of a label such as "api-key"."""
    if isinstance(actor, str):
        return actor[:100], ""
    # Same subject as the staff user's agent tokens (parlor.dashboard.services.staff_principal).
    name = (actor.get_full_name() or actor.get_username()).strip()
    return f"staff-{actor.pk}", name[:150]
