"""Canned responses: a tenant's saved replies, inserted in the reply box with `/shortcut`."""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction

from parlor.base.errors import ValidationFailed
from parlor.chat.models import CannedResponse

SHORTCUT = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")
TEXT_MAX_CHARS = 4000


def canned_response_list() -> list[dict[str, str]]:
    """Return the current tenant's canned responses by shortcut (text shown as text only)."""
    rows = CannedResponse.objects.order_by("shortcut").values("shortcut", "text")
    return [dict(row) for row in rows]


def canned_response_create(*, shortcut: str, text: str) -> CannedResponse:
    """Store a canned response; raise ValidationFailed for a bad or taken shortcut."""
    shortcut = shortcut.strip().lstrip("/").lower()
    if not SHORTCUT.fullmatch(shortcut):
        raise ValidationFailed(
            "a shortcut is 1 to 32 of a-z, 0-9, _ and -, starting with a letter or digit.",
            code="invalid_shortcut",
        )
    if not text.strip() or len(text) > TEXT_MAX_CHARS or "\x00" in text:
        raise ValidationFailed(
            f"the text must be 1 to {TEXT_MAX_CHARS} characters.", code="invalid_text"
        )
    try:
        with transaction.atomic():
            return CannedResponse.objects.create(shortcut=shortcut, text=text.strip())
    except IntegrityError:
        raise ValidationFailed(f"/{shortcut} exists already.", code="shortcut_taken") from None


def canned_response_delete(*, shortcut: str) -> None:
    """Delete the canned response `shortcut` (nothing when there is none)."""
    CannedResponse.objects.filter(shortcut=shortcut).delete()
