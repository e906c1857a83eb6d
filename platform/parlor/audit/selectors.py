"""Reads of the audit log: newest first, a page at a time by cursor."""

from __future__ import annotations

from dataclasses import dataclass

from parlor.audit.models import AuditEntry

PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditPage:
    """One page of entries, newest first, and the cursor of the next (older) page."""

    entries: list[AuditEntry]
    next_before: int | None


def audit_list(*, before: int | None = None, limit: int = PAGE_SIZE) -> AuditPage:
    """Return entries of the current tenant schema with ids below `before`, newest first."""
    rows = AuditEntry.objects.order_by("-id")
    if before is not None:
        rows = rows.filter(id__lt=before)
    entries = list(rows[: limit + 1])
    more = len(entries) > limit
    entries = entries[:limit]
    return AuditPage(entries=entries, next_before=entries[-1].id if more else None)
