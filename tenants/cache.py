"""Per-process caches of what a socket handshake reads: bounded, short-lived, dropped on writes."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, ParamSpec, TypeVar

from django.db import transaction

from parlor.base.db import in_public_schema

P = ParamSpec("P")
R = TypeVar("R")
V = TypeVar("V")

# How stale a cached answer may be in a process that did not make the change itself. The
# process that writes (rotates, revokes, edits a tenant or domain) drops its entries at once;
# every other process sees the change after at most this long (docs/tokens.md, "Caching").
AUTH_CACHE_SECONDS = 1.0
MISSING: Any = object()
# Every TimedCache made, so that tests and operators can drop them all (`caches_clear`).
CACHES: list[TimedCache] = []

_cache_only: ContextVar[bool] = ContextVar("parlor_cache_only", default=False)


class CacheMiss(Exception):
    """A lookup inside `cache_only()` needs the database: run the caller on the DB thread."""


@contextmanager
def cache_only() -> Iterator[None]:
    """Within this block, cached lookups raise CacheMiss instead of querying the database."""
    token = _cache_only.set(True)
    try:
        yield
    finally:
        _cache_only.reset(token)


def database_needed(reason: str) -> None:
    """Raise CacheMiss inside `cache_only()`: the caller is about to query the database."""
    if _cache_only.get():
        raise CacheMiss(reason)


async def cached_first(function: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run the sync `function` on the event loop from caches alone; on a miss, on the DB thread."""
    # A warm handshake is pure CPU (header parse, one signature check, dict lookups): running it
    # here saves the thread hop, the connection check and the `SET search_path` of in_schema.
    try:
        with cache_only():
            return function(*args, **kwargs)
    except CacheMiss:
        return await in_public_schema(function, *args, **kwargs)


def caches_clear() -> None:
    """Drop every entry of every cache in this process."""
    for cache in CACHES:
        cache.discard()


class TimedCache:
    """A thread-safe LRU of at most `max_entries` answers, each kept for `ttl` seconds."""

    def __init__(
        self,
        *,
        name: str,
        max_entries: int,
        ttl: float = AUTH_CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name, self.max_entries, self.ttl, self.clock = name, max_entries, ttl, clock
        self._entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()
        # Bumped by every invalidation, so a load that raced a write is not stored.
        self._generation = 0
        CACHES.append(self)

    def __len__(self) -> int:
        return len(self._entries)

    def get_or_load(self, key: Hashable, load: Callable[[], V], *, keep_none: bool = True) -> V:
        """Return the answer for `key`, loading (and storing) it on a miss; see `cache_only`."""
        value = self.get(key)
        if value is not MISSING:
            return value
        database_needed(self.name)
        generation = self._generation
        value = load()
        if value is not None or keep_none:
            self.put(key, value, generation=generation)
        return value

    def get(self, key: Hashable) -> Any:
        """Return the fresh answer stored for `key`, or MISSING."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return MISSING
            if self.clock() >= entry[0]:
                del self._entries[key]
                return MISSING
            self._entries.move_to_end(key)
            return entry[1]

    def put(self, key: Hashable, value: Any, *, generation: int | None = None) -> None:
        """Store `value` for `key` unless the cache was invalidated since `generation`."""
        with self._lock:
            if generation is not None and generation != self._generation:
                return
            self._entries[key] = (self.clock() + self.ttl, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def discard(self, matches: Callable[[Hashable, Any], bool] | None = None) -> None:
        """Drop every entry for which `matches(key, value)` holds (all entries by default)."""
        with self._lock:
            self._generation += 1
            if matches is None:
                self._entries.clear()
                return
            for key in [key for key, (_, value) in self._entries.items() if matches(key, value)]:
                del self._entries[key]

    def discard_now_and_on_commit(self, matches: Callable[[Hashable, Any], bool] | None) -> None:
        """Drop matching entries now and again when the current transaction commits."""
        # Now, so this process never serves the old answer; again at commit, in case a handshake
        # reloaded the not-yet-committed old row in between.
        self.discard(matches)
        transaction.on_commit(lambda: self.discard(matches))
