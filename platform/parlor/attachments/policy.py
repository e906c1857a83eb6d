"""The tenant's attachment policy: its size limit and the sniffed types it accepts."""

from __future__ import annotations

from dataclasses import dataclass

from parlor.attachments.models import AttachmentPolicy
from parlor.attachments.sniffing import OCTET_STREAM, SNIFFABLE_TYPES
from parlor.base.conf import setting
from parlor.base.errors import ValidationFailed

POLICY_ID = 1


@dataclass(frozen=True)
class Policy:
    """What one upload of the tenant may be."""

    max_bytes: int
    allowed_types: list[str]


def policy_get() -> Policy:
    """Return the current tenant's policy (its schema must be active), defaults filled in."""
    stored = AttachmentPolicy.objects.filter(id=POLICY_ID).first()
    max_bytes = stored.max_bytes if stored and stored.max_bytes else setting("ATTACHMENT_MAX_BYTES")
    types = stored.allowed_types if stored and stored.allowed_types is not None else None
    return Policy(
        max_bytes=max_bytes,
        allowed_types=list(types if types is not None else setting("ATTACHMENT_TYPES")),
    )


def attachment_policy_set(*, max_bytes: object, allowed_types: object) -> Policy:
    """Store the current tenant's policy; None for either restores its default."""
    if max_bytes is not None and (
        isinstance(max_bytes, bool)
        or not isinstance(max_bytes, int)
        or not 1 <= max_bytes <= setting("ATTACHMENT_MAX_BYTES_CAP")
    ):
        raise ValidationFailed(
            f"max_bytes must be null or 1-{setting('ATTACHMENT_MAX_BYTES_CAP')}.",
            code="invalid_field",
            status=422,
        )
    if allowed_types is not None:
        allowed_types = _types_check(allowed_types)
    AttachmentPolicy.objects.update_or_create(
        id=POLICY_ID, defaults={"max_bytes": max_bytes, "allowed_types": allowed_types}
    )
    return policy_get()


def _types_check(allowed_types: object) -> list[str]:
    known = sorted(SNIFFABLE_TYPES - {OCTET_STREAM})
    if not isinstance(allowed_types, list) or not all(
        isinstance(kind, str) and kind in known for kind in allowed_types
    ):
        raise ValidationFailed(
            f"allowed_types must be a list of: {', '.join(known)}.",
            code="invalid_field",
            status=422,
        )
    return sorted(set(allowed_types))
