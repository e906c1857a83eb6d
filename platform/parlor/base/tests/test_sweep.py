"""Tests of the process-wide deadline sweep: never early, once, cancellable, rescheduled."""

from __future__ import annotations

import asyncio

from parlor.base.sweep import Sweep


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Item:
    """Counts its calls; reschedules itself `again` times."""

    def __init__(self, sweep: Sweep, again: int = 0) -> None:
        self.sweep = sweep
        self.calls = 0
        self.again = again

    def sweep_due(self) -> None:
        self.calls += 1
        if self.again:
            self.again -= 1
            self.sweep.schedule(self, self.sweep.clock() + 5)


async def test_an_item_is_called_once_after_its_deadline_never_before():
    clock = Clock()
    sweep = Sweep("test", clock=clock)
    item = Item(sweep)
    sweep.schedule(item, 1002.5)
    clock.now = 1002.9
    assert sweep.run_due() == 0 and item.calls == 0  # the deadline's second has not passed
    clock.now = 1003.0
    assert sweep.run_due() == 1 and item.calls == 1
    clock.now = 1010.0
    assert sweep.run_due() == 0 and item.calls == 1
    assert item not in sweep and len(sweep) == 0 and not sweep.buckets


async def test_cancel_and_reschedule_keep_one_deadline_per_item():
    clock = Clock()
    sweep = Sweep("test", clock=clock)
    cancelled, moved = Item(sweep), Item(sweep)
    sweep.schedule(cancelled, 1001)
    sweep.cancel(cancelled)
    sweep.schedule(moved, 1001)
    sweep.schedule(moved, 1050)  # replaces the earlier deadline
    clock.now = 1002
    assert sweep.run_due() == 0
    assert cancelled.calls == 0 and moved.calls == 0 and len(sweep) == 1
    clock.now = 1050
    assert sweep.run_due() == 1 and moved.calls == 1


async def test_an_item_may_schedule_itself_again_from_sweep_due():
    clock = Clock()
    sweep = Sweep("test", clock=clock)
    item = Item(sweep, again=1)
    sweep.schedule(item, 1001)
    clock.now = 1001
    sweep.run_due()
    assert item.calls == 1 and item in sweep
    clock.now = 1006
    sweep.run_due()
    assert item.calls == 2 and item not in sweep


async def test_a_failing_item_does_not_stop_the_others():
    clock = Clock()
    sweep = Sweep("test", clock=clock)

    class Failing(Item):
        def sweep_due(self) -> None:
            raise RuntimeError("boom")

    ok = Item(sweep)
    sweep.schedule(Failing(sweep), 1001)
    sweep.schedule(ok, 1001)
    clock.now = 1001
    assert sweep.run_due() == 2 and ok.calls == 1


async def test_the_task_calls_past_deadlines_and_stops_when_nothing_is_left():
    sweep = Sweep("test", clock=asyncio.get_running_loop().time, resolution=0.05)
    item = Item(sweep)
    sweep.schedule(item, sweep.clock())
    task = sweep.task
    async with asyncio.timeout(10):
        await task
    assert item.calls == 1 and len(sweep) == 0
