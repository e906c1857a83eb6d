"""Delivery bookkeeping: what each receiver got, how late, and whether it was lost,
duplicated or out of order.

Every message body starts with `<sender>:<seq>:<intended send time in ns>:`. The intended
time is when the sender's schedule said to send it, not when it managed to, so a sender that
falls behind shows up as latency instead of hiding it.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field


def body_encode(sender: int, seq: int, intended_ns: int, size: int) -> str:
    """Return a message body carrying sender, seq and intended time, padded to `size` bytes."""
    head = f"{sender}:{seq}:{intended_ns}:"
    return head + "x" * max(0, size - len(head))


def body_decode(body: str) -> tuple[int, int, int]:
    """Return (sender, seq, intended_ns) from a body built by `body_encode`."""
    sender, seq, intended, _ = body.split(":", 3)
    return int(sender), int(seq), int(intended)


@dataclass
class LatencyLog:
    """Latencies (ns) recorded since the last `take()`."""

    samples: list[int] = field(default_factory=list)

    def take(self) -> list[int]:
        """Return the samples so far and start a new list."""
        samples, self.samples = self.samples, []
        return samples


class Receiver:
    """What one receiving socket saw: one bitmap of seen seqs and the highest seq per sender."""

    __slots__ = ("highest", "seen")

    def __init__(self) -> None:
        self.seen: dict[int, bytearray] = {}
        self.highest: dict[int, int] = {}


@dataclass
class DeliveryCounters:
    """Totals over every receiver of a run; `record()` is the hot path."""

    received: int = 0
    unique: int = 0
    duplicated: int = 0
    out_of_order: int = 0
    last_ns: int = 0
    latencies: LatencyLog = field(default_factory=LatencyLog)

    def record(self, receiver: Receiver, body: str, now_ns: int | None = None) -> int:
        """Count one message delivered to `receiver`; return its sender."""
        now_ns = time.monotonic_ns() if now_ns is None else now_ns
        sender, seq, intended_ns = body_decode(body)
        self.received += 1
        self.last_ns = now_ns
        seen = receiver.seen.get(sender)
        if seen is None:
            seen = receiver.seen[sender] = bytearray(max(1024, seq + 1))
        elif seq >= len(seen):
            seen.extend(bytes(max(len(seen), seq + 1 - len(seen))))
        if seen[seq]:
            self.duplicated += 1
            return sender
        seen[seq] = 1
        self.unique += 1
        if seq < receiver.highest.get(sender, -1):
            self.out_of_order += 1
        else:
            receiver.highest[sender] = seq
        self.latencies.samples.append(now_ns - intended_ns)
        return sender


def percentile(sorted_samples: list[int], fraction: float) -> int:
    """Return the sample at `fraction` (0..1) of a sorted list (nearest rank); 0 when empty."""
    if not sorted_samples:
        return 0
    rank = max(1, math.ceil(fraction * len(sorted_samples)))
    return sorted_samples[min(rank, len(sorted_samples)) - 1]


def latency_summary(samples: list[int]) -> dict[str, float]:
    """Return p50, p99 and max of `samples` (ns) in milliseconds."""
    ordered = sorted(samples)
    return {
        "p50_ms": percentile(ordered, 0.50) / 1e6,
        "p99_ms": percentile(ordered, 0.99) / 1e6,
        "max_ms": (ordered[-1] if ordered else 0) / 1e6,
    }
