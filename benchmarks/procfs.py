"""CPU time and memory of process trees, read from /proc (Linux only)."""

from __future__ import annotations

import os
from pathlib import Path

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


def descendants(pid: int) -> list[int]:
    """Return `pid` and every live process below it."""
    found = [pid]
    index = 0
    while index < len(found):
        found.extend(_children(found[index]))
        index += 1
    return [p for p in found if Path(f"/proc/{p}").exists()]


def _children(pid: int) -> list[int]:
    children: list[int] = []
    task_dir = Path(f"/proc/{pid}/task")
    try:
        tasks = list(task_dir.iterdir())
    except OSError:
        return children
    for task in tasks:
        try:
            children.extend(int(c) for c in (task / "children").read_text().split())
        except OSError:
            continue
    return children


def cpu_seconds(pids: list[int]) -> float:
    """Return user + system CPU seconds used so far by `pids` (missing processes count 0)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # Fields after the command name start at field 3 (state); utime and stime are 14, 15.
        total += int(fields[11]) + int(fields[12])
    return total / TICKS_PER_SECOND


def rss_bytes(pids: list[int]) -> int:
    """Return the summed resident set size of `pids` in bytes."""
    total = 0
    for pid in pids:
        try:
            pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
        except OSError:
            continue
        total += pages * PAGE_SIZE
    return total


def core_busy_seconds(core: int) -> float:
    """Return the CPU seconds core `core` has spent busy (not idle or waiting) since boot."""
    for line in Path("/proc/stat").read_text().splitlines():
        if line.startswith(f"cpu{core} "):
            user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, line.split()[1:9])
            return (user + nice + system + irq + softirq + steal) / TICKS_PER_SECOND
    return 0.0
