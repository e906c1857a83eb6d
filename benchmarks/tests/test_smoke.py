"""The harness counts right: a tiny fanout against the bare peer, then injected faults."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from dataclasses import asdict, replace

from benchmarks import scenarios
from benchmarks.adapters import RoomUrlAdapter
from benchmarks.config import ORIGIN, REPO_ROOT, Sizes
from benchmarks.loadgen import LoadGenerator
from parlor.testing.redis import free_port

TINY = replace(
    Sizes.quick(),
    fanout_clients=6,
    fanout_rooms=2,
    fanout_steps=(60, 120),
    step_seconds=0.5,
    drain_seconds=2.0,
    warmup_seconds=0.2,
)


async def _wait_until(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


async def _port_open(port: int) -> None:
    async def attempt() -> bool:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            return False
        writer.close()
        return True

    deadline = time.monotonic() + 15
    while not await attempt():
        assert time.monotonic() < deadline, "bare peer did not start"
        await asyncio.sleep(0.05)


async def test_tiny_fanout_counts_deliveries_and_injected_duplicates_and_reordering():
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.peers.bare", "--port", str(port)], cwd=REPO_ROOT
    )
    generator = LoadGenerator(
        RoomUrlAdapter(f"ws://127.0.0.1:{port}"), origin=ORIGIN, body_bytes=64
    )
    try:
        await _port_open(port)
        spec = {"sizes": asdict(TINY), "server_pids": [server.pid], "stack_pids": []}
        result = await scenarios.fanout(generator, spec)

        assert result["steps"][0]["offered"] == 60
        for step in result["steps"]:
            # Counts only: latency depends on the machine, and this is not a timed test.
            assert (step["lost"], step["duplicated"], step["out_of_order"]) == (0, 0, 0)
            assert (step["unacked"], step["errors"]) == (0, 0)
            # Three members per room; each room's sender sends offered / 6 per second.
            assert step["delivered"] == step["offered"] * TINY.step_seconds
        counters = generator.deliveries
        assert counters.received == counters.unique

        # Inject faults through the real server: a repeated seq, then a seq sent late.
        sender = generator.clients[0]
        members = sum(1 for client in generator.clients if client.room == sender.room)
        now = time.monotonic_ns()
        sender.next_seq -= 1
        generator.send(sender, now)  # the last seq again: one duplicate per member
        sender.next_seq += 1
        generator.send(sender, now)  # seq n + 1, skipping n
        sender.next_seq -= 2
        generator.send(sender, now)  # seq n, after n + 1: one out-of-order per member
        received = counters.received
        await _wait_until(lambda: counters.received == received + 3 * members)
        assert counters.duplicated == members
        assert counters.out_of_order == members
        assert counters.unique == counters.received - members
    finally:
        await generator.close_all()
        server.terminate()
        server.wait(10)
