"""Fixtures of the tenants tests: a hand-driven clock for the per-process auth caches."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tenants.cache import AUTH_CACHE_SECONDS, CACHES, caches_clear


class ManualClock:
    """A monotonic clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock `seconds` forward."""
        self.now += seconds

    def past_the_bound(self) -> None:
        """Move the clock just past the documented staleness bound of every auth cache."""
        self.advance(AUTH_CACHE_SECONDS + 0.001)


@pytest.fixture
def auth_clock(monkeypatch) -> Iterator[ManualClock]:
    """Every auth cache, emptied, on a clock the test moves (no sleeping)."""
    clock = ManualClock()
    caches_clear()
    for cache in CACHES:
        monkeypatch.setattr(cache, "clock", clock)
    yield clock
    caches_clear()
