"""Per-connection limits: a token bucket of client frames and the flood rule built on it."""

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
