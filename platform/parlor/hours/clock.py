"""The time business hours are judged at: now, or a frozen instant a test server is given."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.utils import timezone


def hours_now() -> datetime:
    """Return now, or PARLOR["HOURS_FROZEN_NOW"] (an ISO instant) when a test froze the clock."""
    # Browser tests run the server in another process: they cannot inject `now` into a call,
    # so test settings freeze it through the environment. Production settings never set it.
    frozen = getattr(settings, "PARLOR", {}).get("HOURS_FROZEN_NOW")
    return datetime.fromisoformat(frozen) if frozen else timezone.now()
