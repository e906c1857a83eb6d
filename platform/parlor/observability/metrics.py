"""Every Prometheus metric Parlor exports, defined once, with bounded label sets.

Labels take values from closed sets only (outcomes, frame types, error kinds): a label fed
from input (a room id, a tenant slug, a path) would let a client grow the series without
bound. Per-tenant series are opt-in (`PARLOR_METRICS_TENANT_LABELS`) for small platforms.
"""

from __future__ import annotations

import functools
from collections.abc import Collection
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

OTHER = "other"
REGISTRY = CollectorRegistry(auto_describe=True)

# Latency buckets in seconds: a chat ack is expected in milliseconds, a fan-out within 100 ms.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)

sockets_open = Gauge("parlor_sockets_open", "WebSocket connections open now.", registry=REGISTRY)
handshakes = Counter(
    "parlor_handshakes",
    "WebSocket handshakes by outcome (accepted, or the refusal's close code name).",
    ["outcome"],
    registry=REGISTRY,
)
frames_in = Counter(
    "parlor_frames_in", "Frames received from clients, by type.", ["type"], registry=REGISTRY
)
frames_out = Counter(
    "parlor_frames_out", "Frames sent to clients, by type.", ["type"], registry=REGISTRY
)
messages_stored = Counter(
    "parlor_messages_stored", "Chat messages stored (each once).", registry=REGISTRY
)
ack_latency = Histogram(
    "parlor_ack_latency_seconds",
    "From a send frame's arrival to its ack (the message is durable by then).",
    buckets=LATENCY_BUCKETS,
    registry=REGISTRY,
)
fanout_delay = Histogram(
    "parlor_fanout_delay_seconds",
    "From a message's commit to its hand-over to this process's sockets.",
    buckets=LATENCY_BUCKETS,
    registry=REGISTRY,
)
slow_consumer_closes = Counter(
    "parlor_slow_consumer_closes",
    "Sockets closed with 4408 because their client stopped reading.",
    registry=REGISTRY,
)
rate_limit_refusals = Counter(
    "parlor_rate_limit_refusals",
    "Requests and frames refused by a rate limit, by limit.",
    ["limit"],
    registry=REGISTRY,
)
backend_errors = Counter(
    "parlor_backend_errors",
    "Failed calls to a backing service (database, database pool, redis).",
    ["backend"],
    registry=REGISTRY,
)
job_queue_depth = Gauge(
    "parlor_job_queue_depth",
    "Background jobs waiting to run, read at scrape time.",
    ["queue"],
    registry=REGISTRY,
)


def bounded(value: str, allowed: Collection[str]) -> str:
    """Return `value` if it is one of `allowed`, else "other": a label never takes raw input."""
    return value if value in allowed else OTHER


@functools.lru_cache(maxsize=256)
def frame_counter(counter: Counter, frame_type: str) -> Any:
    """Return `counter`'s child for a bounded frame type, made once (labels() costs a lock and
    a lookup, on every frame in and out: issue 11)."""
    return counter.labels(frame_type)
