"""One timer per process instead of one per socket: deadlines kept in one-second buckets.

Every idle socket used to hold two asyncio timers, its keepalive ping and its token's expiry
(a uvloop TimerHandle and its libuv timer each, issue 11, idle memory). A `Sweep` keeps each
registered item in the set of the second its deadline falls in; one task per process wakes
once a `resolution` and calls `sweep_due()` on every item whose second has passed. An item is
therefore called at most one resolution (plus the loop's own lateness) after its deadline,
never before it.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable
from typing import Protocol

logger = logging.getLogger(__name__)


class SweepItem(Protocol):
    """What a sweep calls once an item's deadline has passed."""

    def sweep_due(self) -> None:
        """Called once, after the deadline; schedule again to be called again."""


class Sweep:
    """Deadlines on `clock`, bucketed by `resolution` seconds, served by one task per loop."""

    def __init__(self, name: str, *, clock: Callable[[], float], resolution: float = 1.0) -> None:
        self.name = name
        self.clock = clock
        self.resolution = resolution
        self.buckets: dict[int, set[SweepItem]] = {}
        self.keys: dict[SweepItem, int] = {}
        self.task: asyncio.Task | None = None

    def __len__(self) -> int:
        return len(self.keys)

    def __contains__(self, item: object) -> bool:
        return item in self.keys

    def schedule(self, item: SweepItem, deadline: float) -> None:
        """Call `item.sweep_due()` once `deadline` (on this sweep's clock) has passed."""
        self.cancel(item)
        key = math.ceil(deadline / self.resolution)
        bucket = self.buckets.get(key)
        if bucket is None:
            bucket = self.buckets[key] = set()
        bucket.add(item)
        self.keys[item] = key
        self._ensure_task()

    def cancel(self, item: SweepItem) -> None:
        """Forget `item`'s deadline, if it has one."""
        key = self.keys.pop(item, None)
        if key is None:
            return
        bucket = self.buckets.get(key)
        if bucket is not None:
            bucket.discard(item)
            if not bucket:
                del self.buckets[key]

    def run_due(self) -> int:
        """Call every item whose deadline's bucket has passed; return how many were called."""
        now_key = math.floor(self.clock() / self.resolution)
        due = [key for key in self.buckets if key <= now_key]
        called = 0
        for key in sorted(due):
            for item in self.buckets.pop(key, ()):
                if self.keys.get(item) != key:
                    continue
                del self.keys[item]
                called += 1
                try:
                    item.sweep_due()
                except Exception:
                    logger.exception("sweep %s: an item failed", self.name)
        return called

    def _ensure_task(self) -> None:
        task = self.task
        loop = asyncio.get_running_loop()
        if task is not None and not task.done() and task.get_loop() is loop:
            return
        self.task = loop.create_task(self._run(), name=f"sweep-{self.name}")

    async def _run(self) -> None:
        # Runs while anything is scheduled; the next schedule() starts it again.
        while self.keys:
            now = self.clock()
            # Wake just after the next bucket boundary, so a deadline is never seen early.
            boundary = (math.floor(now / self.resolution) + 1) * self.resolution
            await asyncio.sleep(max(0.0, boundary - now) + 0.001)
            self.run_due()


# Wall-clock deadlines (a token's `exp` is in Unix seconds) and loop-clock ones (keepalive).
wall_sweep = Sweep("wall", clock=time.time)
monotonic_sweep = Sweep("monotonic", clock=time.monotonic)
