"""Tests of the per-process cache: bounded, timed, invalidated, and cache-only on the event loop."""

from __future__ import annotations

import pytest

from tenants import cache
from tenants.cache import CacheMiss, TimedCache, cache_only, cached_first
from tenants.tests.conftest import ManualClock


def timed(max_entries: int = 3, ttl: float = 1.0) -> tuple[TimedCache, ManualClock]:
    clock = ManualClock()
    made = TimedCache(name="test", max_entries=max_entries, ttl=ttl, clock=clock)
    cache.CACHES.remove(made)
    return made, clock


def test_an_answer_is_served_until_its_ttl_then_loaded_again():
    made, clock = timed(ttl=1.0)
    loads = []
    assert made.get_or_load("k", lambda: loads.append(1) or "first") == "first"
    clock.advance(0.999)
    assert made.get_or_load("k", lambda: "second") == "first"
    clock.advance(0.001)
    assert made.get_or_load("k", lambda: "second") == "second"
    assert loads == [1]


def test_the_cache_never_holds_more_than_max_entries():
    made, _ = timed(max_entries=3)
    for key in range(100):
        made.get_or_load(key, lambda key=key: key)
        assert len(made) <= 3
    assert [made.get(key) for key in (97, 98, 99)] == [97, 98, 99]


def test_the_least_recently_used_answer_goes_first():
    made, _ = timed(max_entries=3)
    for key in range(3):
        made.get_or_load(key, lambda key=key: key)
    made.get_or_load(0, lambda: "reloaded")  # 0 is now the most recently used
    made.get_or_load(3, lambda: 3)
    assert made.get(0) == 0 and made.get(1) is cache.MISSING


def test_none_is_not_stored_when_asked_not_to():
    made, _ = timed()
    assert made.get_or_load("unknown", lambda: None, keep_none=False) is None
    assert len(made) == 0
    assert made.get_or_load("nobody", lambda: None) is None
    assert len(made) == 1


def test_discard_drops_matching_entries_only():
    made, _ = timed(max_entries=10)
    for key in range(4):
        made.get_or_load(key, lambda key=key: key)
    made.discard(lambda key, value: value % 2 == 0)
    assert [made.get(key) for key in range(4)] == [cache.MISSING, 1, cache.MISSING, 3]
    made.discard()
    assert len(made) == 0


def test_a_load_that_raced_an_invalidation_is_not_stored():
    made, _ = timed()

    def load_while_a_write_lands():
        made.discard()  # a write in another thread, while this load read the old row
        return "old"

    assert made.get_or_load("k", load_while_a_write_lands) == "old"
    assert made.get("k") is cache.MISSING


def test_cache_only_raises_cache_miss_instead_of_loading():
    made, _ = timed()
    made.get_or_load("warm", lambda: "cached")

    def forbidden():
        raise AssertionError("loaded inside cache_only")

    with cache_only():
        assert made.get_or_load("warm", forbidden) == "cached"
        with pytest.raises(CacheMiss):
            made.get_or_load("cold", forbidden)
    assert made.get_or_load("cold", lambda: "loaded") == "loaded"


async def test_cached_first_runs_on_the_loop_when_warm_and_hops_on_a_miss(monkeypatch):
    made, _ = timed()
    hops = []

    async def in_public_schema(function, *args, **kwargs):
        hops.append(function)
        return function(*args, **kwargs)

    monkeypatch.setattr(cache, "in_public_schema", in_public_schema)

    def lookup(key):
        return made.get_or_load(key, lambda: f"loaded {key}")

    assert await cached_first(lookup, "a") == "loaded a"
    assert hops == [lookup]
    assert await cached_first(lookup, "a") == "loaded a"
    assert hops == [lookup]
