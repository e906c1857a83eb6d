"""Limits of client frames: per connection (a token bucket, the flood rule) and per tenant."""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import Enum


class TokenBucket:
    """Allows `rate` actions per second on average and bursts of up to `burst`."""

    # One per socket: slots keep an idle socket small (issue 11).
    __slots__ = ("burst", "clock", "rate", "tokens", "updated")

    def __init__(self, *, rate: float, burst: int, clock: Callable[[], float] = time.monotonic):
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self.tokens = float(burst)
        self.updated = clock()

    def take(self) -> bool:
        """Spend one token if there is one; return whether the action may go ahead."""
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class Verdict(Enum):
    """What to do with one client frame."""

    ALLOW = "allow"
    REFUSE = "refuse"
    CLOSE = "close"


class FloodGuard:
    """Refuses frames over the bucket; after `strikes_before_close` refusals in a row, closes."""

    __slots__ = ("bucket", "strikes", "strikes_before_close")

    def __init__(self, bucket: TokenBucket, *, strikes_before_close: int) -> None:
        self.bucket = bucket
        self.strikes_before_close = strikes_before_close
        self.strikes = 0

    def check(self) -> Verdict:
        """Return the verdict for the next client frame."""
        if self.bucket.take():
            self.strikes = 0
            return Verdict.ALLOW
        self.strikes += 1
        if self.strikes >= self.strikes_before_close:
            return Verdict.CLOSE
        return Verdict.REFUSE


class TenantMessageQuota:
    """Each tenant's messages per minute in this process: a bucket of one minute's worth each.

    Checked on every send, so it lives in memory (no query, no Redis round trip): behind N
    processes a tenant may send up to N times its quota (docs/quotas.md).
    """

    # Past this many tenants, buckets idle long enough to be full again are dropped.
    SWEEP_ABOVE = 10_000

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.buckets: dict[tuple[int, int], TokenBucket] = {}

    def take(self, *, tenant_id: int, per_minute: int) -> bool:
        """Spend one of the tenant's messages; return whether the send may go ahead."""
        # Keyed by the quota too: a changed quota starts a fresh, full bucket.
        key = (tenant_id, per_minute)
        bucket = self.buckets.get(key)
        if bucket is None:
            if len(self.buckets) > self.SWEEP_ABOVE:
                self._sweep()
            bucket = self.buckets[key] = TokenBucket(
                rate=per_minute / 60.0, burst=per_minute, clock=self.clock
            )
        return bucket.take()

    def _sweep(self) -> None:
        now = self.clock()
        self.buckets = {
            key: bucket
            for key, bucket in self.buckets.items()
            if bucket.tokens + (now - bucket.updated) * bucket.rate < bucket.burst
        }


# One per process: every socket of the process sends through it (the event loop is one thread).
TENANT_MESSAGES = TenantMessageQuota()
