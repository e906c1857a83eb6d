"""When to try a failed delivery again: exponential backoff with jitter, for WEBHOOK_RETRY_FOR."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from parlor.base.conf import setting

JITTER = 0.2


def retry_delay(attempts: int) -> timedelta:
    """Return how long to wait after the `attempts`-th failure (x3 each time, capped, +-20%)."""
    first = float(setting("WEBHOOK_RETRY_FIRST_SECONDS"))
    cap = float(setting("WEBHOOK_RETRY_MAX_SECONDS"))
    base = min(cap, first * 3 ** max(0, attempts - 1))
    # Jitter spreads the retries of many deliveries that failed together (an outage ending).
    return timedelta(seconds=base * random.uniform(1 - JITTER, 1 + JITTER))  # noqa: S311


def retry_window_over(*, since: datetime, now: datetime) -> bool:
    """Return whether failures since `since` have lasted the whole retry window."""
    return now - since >= timedelta(seconds=float(setting("WEBHOOK_RETRY_FOR_SECONDS")))
