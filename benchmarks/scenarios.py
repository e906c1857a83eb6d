"""The scenarios, each `async def name(generator, spec) -> dict`, run inside the load generator.

fanout and bigroom step offered deliveries per second up until p99 passes the limit or a
message is lost; ingest does the same with acknowledged sends; connect opens sockets as fast
as the server accepts them; idle measures the server's memory per open socket; scaleout runs
fanout and ingest against one or two server processes (`benchmarks.scaleout`).
"""

from __future__ import annotations

import asyncio
import collections
import functools
import gc
import statistics
import time
from dataclasses import dataclass, field

from benchmarks.config import (
    BIGROOM_P99_LIMIT_MS,
    DISTURBED_FOREIGN_SHARE,
    FANOUT_P99_LIMIT_MS,
    INGEST_P99_LIMIT_MS,
    NOISY_A_PER_MINUTE,
    NOISY_QUIET_FOREIGN_SHARE,
)
from benchmarks.loadgen import Client, LoadGenerator
from benchmarks.pairing import paired_ratio_median
from benchmarks.probe import Probe, usage_between
from benchmarks.scaleout import process_of
from benchmarks.tracking import latency_summary

CONNECT_TIMEOUT = 15.0
SETUP_CONCURRENCY = 100
SETUP_ATTEMPTS = 5


class SetupFailed(RuntimeError):
    """Some clients could not connect or join before the measured part began."""


@dataclass
class Opened:
    """What `open_many` got: the clients, the failures by reason, the placements that failed
    and each success's handshake latency in ns."""

    clients: list[Client] = field(default_factory=list)
    failures: collections.Counter[str] = field(default_factory=collections.Counter)
    failed: list[tuple[int, str]] = field(default_factory=list)
    latencies: list[int] = field(default_factory=list)


async def open_many(
    generator: LoadGenerator,
    placements: list[tuple[int, str]],
    *,
    concurrency: int,
    join: bool,
) -> Opened:
    """Open one client per (index, room) with at most `concurrency` handshakes in flight."""
    opened = Opened()
    pending = iter(placements)

    async def worker() -> None:
        for index, room in pending:
            started = time.monotonic_ns()
            try:
                client = await generator.open_client(
                    index, room, join=join, timeout=CONNECT_TIMEOUT
                )
            except Exception as error:  # every failure is counted, none stops the run
                opened.failures[_reason(error)] += 1
                opened.failed.append((index, room))
                continue
            opened.latencies.append(time.monotonic_ns() - started)
            opened.clients.append(client)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return opened


def probe_for(spec: dict) -> Probe:
    """Return a probe of the spec's server processes, its stack and the cores they occupy."""
    return Probe(spec["server_pids"], spec["stack_pids"], spec.get("cores"))


def _reason(error: Exception) -> str:
    status = getattr(getattr(error, "response", None), "status_code", None)
    return f"{type(error).__name__}{f' {status}' if status else ''}"


async def _setup(
    generator: LoadGenerator, placements: list[tuple[int, str]]
) -> tuple[list[Client], dict]:
    """Connect and join every placement, retrying failures as a real client would;
    return the clients and the failures seen on the way."""
    clients: list[Client] = []
    failures: collections.Counter[str] = collections.Counter()
    for attempt in range(SETUP_ATTEMPTS):
        opened = await open_many(generator, placements, concurrency=SETUP_CONCURRENCY, join=True)
        clients += opened.clients
        failures.update(opened.failures)
        placements = opened.failed
        if not placements:
            break
        await asyncio.sleep(1.0 + attempt)
    if placements:
        raise SetupFailed(f"{len(placements)} clients could not connect: {dict(failures)}")
    return sorted(clients, key=lambda client: client.index), dict(failures)


async def fanout(generator: LoadGenerator, spec: dict) -> dict:
    """Many rooms, one sender each: offered deliveries stepped up."""
    sizes = spec["sizes"]
    rooms = [f"fan{r}" for r in range(sizes["fanout_rooms"])]
    placements = [(i, rooms[i % len(rooms)]) for i in range(sizes["fanout_clients"])]
    return await _measured(
        generator, spec, placements, senders=len(rooms), steps=sizes["fanout_steps"]
    )


async def bigroom(generator: LoadGenerator, spec: dict) -> dict:
    """One room with many members and one sender: offered deliveries stepped up."""
    sizes = spec["sizes"]
    placements = [(i, "big") for i in range(sizes["bigroom_members"])]
    return await _measured(
        generator,
        spec,
        placements,
        senders=1,
        steps=sizes["bigroom_steps"],
        limit_ms=BIGROOM_P99_LIMIT_MS,
    )


async def ingest(generator: LoadGenerator, spec: dict) -> dict:
    """Many senders, each alone in its room: acknowledged (for Parlor: persisted) sends."""
    sizes = spec["sizes"]
    placements = [(i, f"in{i}") for i in range(sizes["ingest_senders"])]
    return await _measured(
        generator,
        spec,
        placements,
        senders=len(placements),
        steps=sizes["ingest_steps"],
        by_ack=True,
    )


async def scaleout(generator: LoadGenerator, spec: dict) -> dict:
    """Fanout, then ingest with one listener per sender, against `spec["processes"]` server
    processes behind one Redis: every room has members on every process and the senders
    alternate between them, so every message crosses processes. Fixed rates unless
    `spec["scaleout_measured"]` (enough cores to climb to capacity)."""
    sizes = spec["sizes"]
    processes = spec["processes"]
    measured = spec["scaleout_measured"]
    rooms = sizes["fanout_rooms"]
    generator.server_of = lambda index: process_of(index, rooms, processes)
    placements = [(i, f"fan{i % rooms}") for i in range(sizes["fanout_clients"])]
    fan = await _measured(
        generator,
        spec,
        placements,
        senders=rooms,
        steps=sizes["scaleout_fanout_steps" if measured else "scaleout_fanout_rates"],
        stop_on_failure=measured,
    )
    await generator.close_all()
    generator.counters_reset()
    senders = sizes["ingest_senders"]
    generator.server_of = lambda index: process_of(index, senders, processes)
    # Ingest's rooms hold one sender each; a listener apiece, on another process than its
    # sender's, makes every send cross processes too (each send is then two deliveries).
    placements = [(i, f"in{i % senders}") for i in range(2 * senders)]
    ingested = await _measured(
        generator,
        spec,
        placements,
        senders=senders,
        steps=sizes["scaleout_ingest_steps" if measured else "scaleout_ingest_rates"],
        by_ack=True,
        stop_on_failure=measured,
    )
    return {"processes": processes, "fanout": fan, "ingest": ingested}


async def _measured(
    generator: LoadGenerator,
    spec: dict,
    placements: list[tuple[int, str]],
    *,
    senders: int,
    steps: list[int],
    by_ack: bool = False,
    stop_on_failure: bool = True,
    limit_ms: float | None = None,
) -> dict:
    """Connect and join everyone, wait for the server to go quiet, then run the steps."""
    started = time.monotonic()
    clients, failures = await _setup(generator, placements)
    setup_seconds = time.monotonic() - started
    probe = probe_for(spec)
    settle_seconds = await _settle(probe)
    gc.freeze()
    result = await _stepped(
        generator,
        spec,
        clients[:senders],
        clients,
        steps,
        by_ack=by_ack,
        stop_on_failure=stop_on_failure,
        limit_ms=limit_ms,
    )
    return {
        **result,
        "setup_failures": failures,
        "setup_seconds": round(setup_seconds, 1),
        "settle_seconds": round(settle_seconds, 1),
    }


async def _settle(probe: Probe, *, quiet_share: float = 0.05, limit: float = 300.0) -> float:
    """Wait until the server uses under `quiet_share` of a core (work left over from joins,
    such as presence, would otherwise be billed to the first step); return the wait."""
    started = time.monotonic()
    before = probe.snapshot()
    while time.monotonic() - started < limit:
        await asyncio.sleep(0.5)
        after = probe.snapshot()
        if (after.server_cpu - before.server_cpu) / (after.wall - before.wall) < quiet_share:
            break
        before = after
    return time.monotonic() - started


async def _stepped(
    generator: LoadGenerator,
    spec: dict,
    senders: list[Client],
    members: list[Client],
    steps: list[int],
    *,
    by_ack: bool = False,
    stop_on_failure: bool = True,
    limit_ms: float | None = None,
) -> dict:
    """Run the warm-up, then each step of offered load until one fails (or every step, if not
    `stop_on_failure`); return every step.

    Offered load counts deliveries (every member's copy) or, with `by_ack`, sends.
    """
    sizes = spec["sizes"]
    room_size = collections.Counter(client.room for client in members)
    fan = sum(room_size[sender.room] for sender in senders) / len(senders)
    per_send = 1.0 if by_ack else fan
    if limit_ms is None:
        limit_ms = INGEST_P99_LIMIT_MS if by_ack else FANOUT_P99_LIMIT_MS
    probe = probe_for(spec)
    expected = _Expected()
    await _phase(
        generator, senders, room_size, steps[0] / per_send, sizes["warmup_seconds"], expected
    )
    await _drain(generator, expected, sizes["drain_seconds"])
    generator.deliveries.latencies.take()
    generator.acks.latencies = []
    results = []
    step_run = functools.partial(
        _step_judged, generator, senders, room_size, per_send=per_send, expected=expected,
        probe=probe, spec=spec, by_ack=by_ack, limit_ms=limit_ms,
    )  # fmt: skip
    for offered in steps:
        step = await step_run(offered)
        if step_disturbed(step):
            step = {**await step_run(offered), "disturbed_attempt": step}
        results.append(step)
        if stop_on_failure and not step["passed"]:
            break
    passed = [step["offered"] for step in results if step["passed"]]
    return {
        "steps": results,
        "capacity": max(passed) if passed else 0,
        "fan": fan,
        "error_reasons": dict(generator.errors),
        "closed_by_server": sum(1 for client in members if client.connection.closed.done()),
    }


async def _step_judged(
    generator, senders, room_size, offered, *, per_send, expected, probe, spec, by_ack, limit_ms
) -> dict:
    """Run one step at `offered` (deliveries or sends a second) and say whether it passed."""
    step = await _step(
        generator, senders, room_size, offered / per_send, expected, probe, spec, by_ack
    )
    step["offered"] = offered
    latency = step["ack"] if by_ack else step["delivery"]
    step["passed"] = (
        latency["p99_ms"] <= limit_ms
        and step["lost"] == 0
        and step["unacked"] <= 0
        and not step["errors"]
    )
    return step


def step_disturbed(step: dict) -> bool:
    """Return True if a step failed on latency alone while other processes of the machine
    took DISTURBED_FOREIGN_SHARE or more of the server core: it is run once more."""
    return (
        not step["passed"]
        and step["lost"] == 0
        and step["unacked"] <= 0
        and not step["errors"]
        and step.get("foreign_core_share", 0.0) >= DISTURBED_FOREIGN_SHARE
    )


class _Expected:
    """Deliveries and acks that should have arrived so far."""

    def __init__(self) -> None:
        self.deliveries = 0
        self.sends = 0


async def _phase(generator, senders, room_size, sends_per_second, seconds, expected) -> None:
    rate = sends_per_second / len(senders)
    start_ns = time.monotonic_ns() + 20_000_000
    counts = await asyncio.gather(
        *(
            generator.send_on_schedule(
                sender, rate=rate, seconds=seconds, start_ns=start_ns, phase=i / len(senders)
            )
            for i, sender in enumerate(senders)
        )
    )
    expected.sends += sum(counts)
    expected.deliveries += sum(
        count * room_size[sender.room] for count, sender in zip(counts, senders, strict=True)
    )


async def _drain(generator: LoadGenerator, expected: _Expected, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        delivered = generator.deliveries.unique >= expected.deliveries
        acked = generator.acks.acked >= expected.sends
        if delivered and acked:
            return
        await asyncio.sleep(0.01)


async def _step(
    generator, senders, room_size, sends_per_second, expected, probe, spec, by_ack: bool
) -> dict:
    deliveries = generator.deliveries
    unique_before, acked_before = deliveries.unique, generator.acks.acked
    dup_before, order_before = deliveries.duplicated, deliveries.out_of_order
    errors_before = sum(generator.errors.values())
    crossed_before = dict(generator.crossed)
    before = probe.snapshot()
    start_ns = time.monotonic_ns()
    await _phase(
        generator, senders, room_size, sends_per_second, spec["sizes"]["step_seconds"], expected
    )
    await _drain(generator, expected, spec["sizes"]["drain_seconds"])
    after = probe.snapshot()
    delivered = deliveries.unique - unique_before
    acked = generator.acks.acked - acked_before
    busy_seconds = max((deliveries.last_ns - start_ns) / 1e9, spec["sizes"]["step_seconds"])
    return {
        "delivered": delivered,
        "deliveries_per_s": round(delivered / busy_seconds),
        "acked": acked,
        "acks_per_s": round(acked / busy_seconds),
        "delivery": latency_summary(deliveries.latencies.take()),
        "ack": latency_summary(_take_ack_latencies(generator)),
        "lost": expected.deliveries - deliveries.unique,
        "unacked": expected.sends - generator.acks.acked,
        "duplicated": deliveries.duplicated - dup_before,
        "out_of_order": deliveries.out_of_order - order_before,
        "errors": sum(generator.errors.values()) - errors_before,
        # Per server process: deliveries to its clients from senders on another process.
        "crossed": {
            str(server): count - crossed_before.get(server, 0)
            for server, count in sorted(generator.crossed.items())
        },
        # CPU per unit of offered load: per acked send for ingest (whose rooms may hold
        # listeners as well), per delivery otherwise.
        **usage_between(before, after, acked if by_ack else delivered),
    }


def _take_ack_latencies(generator: LoadGenerator) -> list[int]:
    samples, generator.acks.latencies = generator.acks.latencies, []
    return samples


async def connect(generator: LoadGenerator, spec: dict) -> dict:
    """Open sockets (authenticated where the server authenticates) as fast as accepted."""
    sizes = spec["sizes"]
    probe = probe_for(spec)
    await _warm(generator)
    placements = [(i, f"c{i % 100}") for i in range(sizes["connect_total"])]
    before = probe.snapshot()
    opened = await open_many(
        generator, placements, concurrency=sizes["connect_concurrency"], join=False
    )
    clients, failures, latencies = opened.clients, opened.failures, opened.latencies
    after = probe.snapshot()
    seconds = after.wall - before.wall
    usage = usage_between(before, after, len(clients))
    return {
        "connected": len(clients),
        "failures": sum(failures.values()),
        "failure_reasons": dict(failures),
        "connects_per_s": round(len(clients) / seconds, 1),
        "latency": latency_summary(latencies),
        "server_cpu_ms_per_connect": round(usage["server_cpu_s_per_million"] / 1000, 3),
        **usage,
    }


async def idle(generator: LoadGenerator, spec: dict) -> dict:
    """Server memory per idle socket (authenticated and joined to a room where that applies)."""
    sizes = spec["sizes"]
    probe = probe_for(spec)
    await _warm(generator)
    before = probe.snapshot()
    total = sizes["idle_total"]
    placements = [(i, f"idle{i % sizes['idle_rooms']}") for i in range(total)]
    opened = await open_many(generator, placements, concurrency=SETUP_CONCURRENCY, join=True)
    clients, failures = opened.clients, opened.failures
    await asyncio.sleep(sizes["drain_seconds"])
    after = probe.snapshot()
    opened = max(len(clients), 1)
    return {
        "connections": len(clients),
        "failures": sum(failures.values()),
        "failure_reasons": dict(failures),
        "server_rss_before_mib": round(before.server_rss / 2**20, 1),
        "server_rss_after_mib": round(after.server_rss / 2**20, 1),
        "kib_per_connection": round((after.server_rss - before.server_rss) / opened / 1024, 2),
        "stack_kib_per_connection": round((after.stack_rss - before.stack_rss) / opened / 1024, 2),
    }


async def _warm(generator: LoadGenerator) -> None:
    """Open and close a few sockets so lazy imports and caches do not count as per-socket."""
    await open_many(generator, [(i, "warm") for i in range(20)], concurrency=5, join=True)
    await generator.close_all()
    await asyncio.sleep(0.5)


async def noisy(generator: LoadGenerator, spec: dict) -> dict:
    """Tenant B sends steadily in alternating windows: tenant A idle, then A flooding at its
    quota (the order swapped every other round, so a steady drift favours neither).

    B's ack p99 is compared pair by pair (`benchmarks.pairing`): the median of the rounds'
    flooded / idle ratios. A's tokens (a tenant of its own) are the last of the tokens file.
    """
    sizes = spec["sizes"]
    first_a = len(generator.adapter.tokens) - sizes["noisy_a_senders"]
    placements = [(i, f"nb{i}") for i in range(sizes["noisy_b_senders"])]
    placements += [(first_a + i, f"na{i}") for i in range(sizes["noisy_a_senders"])]
    clients, failures = await _setup(generator, placements)
    tenant_b = [client for client in clients if client.index < first_a]
    tenant_a = [client for client in clients if client.index >= first_a]
    generator.acks.tag_of = lambda index: "a" if index >= first_a else "b"
    await _settle(probe_for(spec))
    gc.freeze()
    rounds = []
    for number in range(sizes["noisy_rounds"]):
        if number % 2 == 0:
            baseline = await _noisy_half(generator, spec, tenant_b, [])
            flooded = await _noisy_half(generator, spec, tenant_b, tenant_a)
        else:
            flooded = await _noisy_half(generator, spec, tenant_b, tenant_a)
            baseline = await _noisy_half(generator, spec, tenant_b, [])
        rounds.append({"baseline": baseline, "flooded": flooded})
    ratio = paired_ratio_median(
        [(r["baseline"]["b"]["p99_ms"], r["flooded"]["b"]["p99_ms"]) for r in rounds]
    )
    # Pairs where the machine's other work left the server core alone in both windows: on a
    # shared machine the only ones that measure tenant A rather than the neighbours.
    quiet = [
        r
        for r in rounds
        if max(r["baseline"]["foreign_core_share"], r["flooded"]["foreign_core_share"])
        <= NOISY_QUIET_FOREIGN_SHARE
    ]
    quiet_ratio = paired_ratio_median(
        [(r["baseline"]["b"]["p99_ms"], r["flooded"]["b"]["p99_ms"]) for r in quiet]
    )
    return {
        "rounds": rounds,
        "b_p99_ratio_median": round(ratio, 3),
        "b_p99_increase_median": round(ratio - 1, 3),
        "quiet_pairs": len(quiet),
        "b_p99_ratio_median_quiet": round(quiet_ratio, 3) if quiet else None,
        "foreign_core_share_median": _median(
            [r[half]["foreign_core_share"] for r in rounds for half in ("baseline", "flooded")]
        ),
        "b_idle_p99_median_ms": _median([r["baseline"]["b"]["p99_ms"] for r in rounds]),
        "b_flooded_p99_median_ms": _median([r["flooded"]["b"]["p99_ms"] for r in rounds]),
        "server_us_per_message_idle": _median(
            [r["baseline"]["server_us_per_message"] for r in rounds]
        ),
        "server_us_per_message_flooded": _median(
            [r["flooded"]["server_us_per_message"] for r in rounds]
        ),
        "a_per_second_quota": NOISY_A_PER_MINUTE / 60,
        "setup_failures": failures,
        "error_reasons": dict(generator.errors),
        "closed_by_server": sum(1 for client in clients if client.connection.closed.done()),
    }


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 2) if values else 0.0


async def _noisy_half(generator, spec, tenant_b: list, tenant_a: list) -> dict:
    sizes = spec["sizes"]
    seconds = sizes["noisy_window_seconds"]
    probe = probe_for(spec)
    generator.acks.by_tag = {}
    refused_before = generator.errors["rate_limited"]
    b_rate = sizes["noisy_b_per_second"] / len(tenant_b)
    start_ns = time.monotonic_ns() + 20_000_000
    senders = [(client, b_rate) for client in tenant_b]
    # A offers its whole quota, spread over its sockets: flooding at its limit.
    senders += [(client, NOISY_A_PER_MINUTE / 60 / len(tenant_a)) for client in tenant_a]
    before = probe.snapshot()
    counts = await asyncio.gather(
        *(
            generator.send_on_schedule(
                client, rate=rate, seconds=seconds, start_ns=start_ns, phase=i / len(senders)
            )
            for i, (client, rate) in enumerate(senders)
        )
    )
    b_sent = sum(counts[: len(tenant_b)])
    a_offered = sum(counts[len(tenant_b) :])
    # Wait for every answer, A's too: a backlog left by A's flood must not be billed to the
    # next window (refused sends are answered with an error instead of an ack).
    deadline = time.monotonic() + sizes["drain_seconds"] + 60
    while time.monotonic() < deadline:
        tags = generator.acks.by_tag
        a_answered = len(tags.get("a", ())) + generator.errors["rate_limited"] - refused_before
        if len(tags.get("b", ())) >= b_sent and a_answered >= a_offered:
            break
        await asyncio.sleep(0.01)
    drained = time.monotonic()
    # The server's CPU from the first send to the last answer: every message it handled.
    usage = usage_between(before, probe.snapshot(), b_sent + a_offered)
    await _settle(probe)
    b_latencies = generator.acks.by_tag.get("b", [])
    a_latencies = generator.acks.by_tag.get("a", [])
    return {
        "b": {**latency_summary(b_latencies), "sent": b_sent, "acked": len(b_latencies)},
        "settle_seconds": round(time.monotonic() - drained, 1),
        "server_us_per_message": round(usage["server_cpu_s_per_million"], 1),
        "server_core_share": usage["server_core_share"],
        "foreign_core_share": usage["foreign_core_share"],
        "a": {
            "offered": a_offered,
            "acked": len(a_latencies),
            "refused": generator.errors["rate_limited"] - refused_before,
        },
    }
