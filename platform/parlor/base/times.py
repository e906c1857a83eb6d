"""How Parlor spells a moment on the wire: ISO 8601 in UTC with a Z suffix."""

from __future__ import annotations

from datetime import UTC, datetime


def isoformat(moment: datetime | None) -> str | None:
    """Return `moment` as ISO 8601 UTC with a Z suffix, as every API answer spells times."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
