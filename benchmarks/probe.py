"""Snapshots of the server's and the stack's CPU and memory, and of the load generator's CPU."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

from benchmarks import procfs
from benchmarks.config import SERVER_CORE


@dataclass(frozen=True)
class Snapshot:
    """CPU seconds and RSS at one instant."""

    wall: float
    server_cpu: float
    stack_cpu: float
    server_rss: int
    stack_rss: int
    loadgen_cpu: float
    server_core_busy: float


class Probe:
    """Reads the server process tree (`server_pids` and their children) and the stack (Redis,
    PostgreSQL) from /proc."""

    def __init__(
        self, server_pids: list[int], stack_pids: list[int], cores: list[int] | None = None
    ) -> None:
        self.server_pids = server_pids
        self.stack_pids = stack_pids
        # The cores the servers and the stack are pinned to; anything else busy there is foreign.
        self.cores = cores or [SERVER_CORE]

    def snapshot(self) -> Snapshot:
        server = [p for root in self.server_pids for p in procfs.descendants(root)]
        stack = [p for root in self.stack_pids for p in procfs.descendants(root)]
        times = os.times()
        return Snapshot(
            wall=time.monotonic(),
            server_cpu=procfs.cpu_seconds(server),
            stack_cpu=procfs.cpu_seconds(stack),
            server_rss=procfs.rss_bytes(server),
            stack_rss=procfs.rss_bytes(stack),
            loadgen_cpu=times.user + times.system,
            server_core_busy=sum(procfs.core_busy_seconds(core) for core in self.cores),
        )


def usage_between(before: Snapshot, after: Snapshot, work: int) -> dict[str, float]:
    """Return CPU use between two snapshots, per million units of `work` and as core shares."""
    wall = max(after.wall - before.wall, 1e-9)
    server_cpu = after.server_cpu - before.server_cpu
    stack_cpu = after.stack_cpu - before.stack_cpu
    per_million = 1e6 / work if work else 0.0
    return {
        "server_cpu_s": round(server_cpu, 3),
        "server_cpu_s_per_million": round(server_cpu * per_million, 2),
        "stack_cpu_s_per_million": round(stack_cpu * per_million, 2),
        "server_core_share": round(server_cpu / wall, 3),
        "stack_core_share": round(stack_cpu / wall, 3),
        "loadgen_core_share": round((after.loadgen_cpu - before.loadgen_cpu) / wall, 3),
        # Work on the server core by anything but the server and its stack (other tenants of
        # the machine): when high, the step measured the neighbours too.
        "foreign_core_share": round(
            max(0.0, after.server_core_busy - before.server_core_busy - server_cpu - stack_cpu)
            / wall,
            3,
        ),
        "server_rss_mib": round(after.server_rss / 2**20, 1),
    }
