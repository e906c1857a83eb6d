"""The scale-out figure: one Parlor process against two behind one Redis and one PostgreSQL.

Where the clients go (every room with members on both processes, senders alternating), how
the processes are pinned for the machine's core count, and the scaling factor: a measured
capacity ratio on four cores or more, a CPU-based estimate on fewer.
"""

from __future__ import annotations

from dataclasses import dataclass

from benchmarks.config import LOAD_CORE, SERVER_CORE

PROCESS_COUNTS = (1, 2)
WORKLOADS = ("fanout", "ingest")
MEASURED = "measured capacity ratio"
ESTIMATED = "CPU-based estimate (2-core machine)"
TIMES = "\u00d7"  # the multiplication sign, spelled out for the linter
# Cores needed to give each of two servers, the stack and the load generator a core apiece.
CORES_FOR_CAPACITY = 4


@dataclass(frozen=True)
class Pinning:
    """Which core each part of a scale-out run uses, and which kind of figure it yields."""

    server_cores: tuple[int, ...]  # the core of server process 1, 2, ...
    stack_core: int  # Redis and PostgreSQL
    load_core: int
    measured: bool  # True: step up to capacity; False: fixed rates, CPU-based estimate

    @property
    def figure(self) -> str:
        return MEASURED if self.measured else ESTIMATED

    def cores(self, processes: int) -> list[int]:
        """Return the cores the servers and the stack of a `processes` run occupy."""
        return sorted({*self.server_cores[:processes], self.stack_core})


def pinning(cores: int) -> Pinning:
    """Return the pinning for a machine with `cores` cores."""
    if cores >= CORES_FOR_CAPACITY:
        return Pinning(server_cores=(0, 1), stack_core=2, load_core=3, measured=True)
    # Two cores: everything under test shares the server core, as in every other scenario;
    # a capacity ratio would only measure two processes taking turns on one core.
    return Pinning(
        server_cores=(SERVER_CORE, SERVER_CORE),
        stack_core=SERVER_CORE,
        load_core=LOAD_CORE,
        measured=False,
    )


def process_of(index: int, rooms: int, processes: int) -> int:
    """Return which server process client `index` connects to, clients being placed in room
    `index % rooms`: a room's members alternate between processes, and so do the senders
    (each room's first member)."""
    room, member = index % rooms, index // rooms
    return (room + member) % processes


def scaling(topologies: dict[str, dict], plan: Pinning) -> dict[str, dict]:
    """Return, per workload, the scaling factor of two processes over one and its inputs."""
    one, two = topologies.get("1", {}), topologies.get("2", {})
    return {
        workload: (
            _capacity_ratio(one[workload], two[workload])
            if plan.measured
            else _cpu_estimate(one[workload], two[workload])
        )
        for workload in WORKLOADS
        if workload in one and workload in two
    }


def _capacity_ratio(one: dict, two: dict) -> dict:
    factor = two["capacity"] / one["capacity"] if one["capacity"] else 0.0
    return {
        "figure": MEASURED,
        "factor": round(factor, 2),
        "capacity_1": one["capacity"],
        "capacity_2": two["capacity"],
    }


def _cpu_estimate(one: dict, two: dict) -> dict:
    """Capacity with a core per process, extrapolated from CPU measured below saturation.

    Each topology's server CPU (cores busy) is fitted over its rates as fixed + marginal x
    rate; N processes with a core each then carry (N - fixed) / marginal units a second,
    and the factor is that capacity for two processes over one's. The fixed part (timers,
    probes, idle sockets: paid once per process) and the marginal part (the cross-process
    work: every process parses every message of a room it serves) are both in it.
    """
    fit_1, fit_2 = _cpu_fit(one["steps"]), _cpu_fit(two["steps"])
    cost_1 = {step["offered"]: step["server_cpu_s_per_million"] for step in one["steps"]}
    cost_2 = {step["offered"]: step["server_cpu_s_per_million"] for step in two["steps"]}
    rates = [rate for rate in sorted(cost_1) if rate in cost_2]
    if fit_1 is None or fit_2 is None or not rates:
        return {"figure": ESTIMATED, "factor": 0.0, "rate": 0}
    capacity_1 = (1 - fit_1[0]) / fit_1[1]
    capacity_2 = (2 - fit_2[0]) / fit_2[1]
    rate = rates[-1]
    return {
        "figure": ESTIMATED,
        "factor": round(capacity_2 / capacity_1, 2) if capacity_1 > 0 else 0.0,
        "rate": rate,
        # µs of server CPU per unit: CPU-seconds per million units are µs per unit.
        "cpu_us_per_unit_1": cost_1[rate],
        "cpu_us_per_unit_2": cost_2[rate],
        "fixed_cores_1": round(fit_1[0], 3),
        "fixed_cores_2": round(fit_2[0], 3),
        "marginal_us_1": round(fit_1[1] * 1e6, 1),
        "marginal_us_2": round(fit_2[1] * 1e6, 1),
        "capacity_1": round(capacity_1),
        "capacity_2": round(capacity_2),
    }


def _cpu_fit(steps: list[dict]) -> tuple[float, float] | None:
    """Least-squares fit of cores busy = fixed + marginal x rate; None without a usable slope.

    With one rate the fixed part is taken as nothing; a negative fitted fixed part (noise) is
    clamped to nothing and the slope taken through the origin instead.
    """
    points = [
        (step["offered"], step["offered"] * step["server_cpu_s_per_million"] / 1e6)
        for step in steps
        if step["offered"] > 0 and step["server_cpu_s_per_million"] > 0
    ]
    if not points:
        return None
    through_origin = sum(r * c for r, c in points) / sum(r * r for r, _ in points)
    if len(points) < 2:
        return 0.0, through_origin
    mean_r = sum(r for r, _ in points) / len(points)
    mean_c = sum(c for _, c in points) / len(points)
    spread = sum((r - mean_r) ** 2 for r, _ in points)
    slope = sum((r - mean_r) * (c - mean_c) for r, c in points) / spread
    fixed = mean_c - slope * mean_r
    if fixed < 0 or slope <= 0:
        return 0.0, through_origin
    return fixed, slope


def headline_factor(run: dict) -> float:
    """Return the run's headline factor: the lower of fanout's and ingest's (0 if neither)."""
    factors = [entry["factor"] for entry in run.get("scaling", {}).values()]
    return min(factors) if factors else 0.0


def counts(run: dict) -> dict[str, int]:
    """Return lost, duplicated, out-of-order and cross-process deliveries summed over every
    step of every topology and workload of a run."""
    totals = {"lost": 0, "duplicated": 0, "out_of_order": 0, "crossed": 0, "unacked": 0}
    for topology in run.get("topologies", {}).values():
        for workload in WORKLOADS:
            for step in topology.get(workload, {}).get("steps", []):
                for key in ("lost", "duplicated", "out_of_order", "unacked"):
                    totals[key] += max(step[key], 0)
                totals["crossed"] += sum(step.get("crossed", {}).values())
    return totals


def headline(run: dict) -> str:
    """Return one progress line: each workload's factor and what the counters saw."""
    if "error" in run:
        return "ERROR " + run["error"].splitlines()[0]
    factors = ", ".join(
        f"{workload} {entry['factor']:.2f}x" for workload, entry in run["scaling"].items()
    )
    seen = counts(run)
    return (
        f"scaling factor ({run['figure']}): {factors or 'none'}; lost {seen['lost']}, "
        f"duplicated {seen['duplicated']}, out of order {seen['out_of_order']}, "
        f"cross-process deliveries {seen['crossed']}"
    )
