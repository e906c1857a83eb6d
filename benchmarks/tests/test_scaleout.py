"""The scaleout scenario counts right: with two Parlor processes behind one Redis nothing is
lost or duplicated, and deliveries cross processes. Counts only, never speed."""

from __future__ import annotations

import collections
import shutil
from dataclasses import replace

import pytest

from benchmarks import readme, results, scaleout
from benchmarks.config import WORK_DIR, Sizes
from benchmarks.runner import suite_run

# Every count small: the tokens minted are the largest of them, and each step is short.
TINY = replace(
    Sizes.quick(),
    fanout_clients=8,
    fanout_rooms=2,
    ingest_senders=4,
    bigroom_members=8,
    connect_total=8,
    idle_total=8,
    scaleout_fanout_rates=(40, 80),
    scaleout_ingest_rates=(8, 16),
    step_seconds=0.5,
    drain_seconds=3.0,
    warmup_seconds=0.2,
)


@pytest.mark.parametrize(("rooms", "clients"), [(2, 8), (20, 500), (3, 12), (50, 100)])
def test_every_room_has_members_on_both_processes_and_senders_alternate(rooms, clients):
    members = collections.defaultdict(set)
    for index in range(clients):
        members[index % rooms].add(scaleout.process_of(index, rooms, 2))
    assert all(processes == {0, 1} for processes in members.values())
    # Each room's sender is its first member, client `room`.
    assert [scaleout.process_of(room, rooms, 2) for room in range(rooms)] == [
        room % 2 for room in range(rooms)
    ]
    assert {scaleout.process_of(index, rooms, 1) for index in range(clients)} == {0}


def test_cpu_based_estimate_extrapolates_capacity_with_a_core_per_process():
    def run(costs: dict[int, float]) -> dict:
        return {
            "steps": [
                {"offered": rate, "server_cpu_s_per_million": cost} for rate, cost in costs.items()
            ],
            "capacity": 0,
        }

    # One process: 0.05 cores fixed + 40 µs a delivery; two: 0.10 + 44 µs (summed).
    one = {
        "fanout": run({2500: (0.05 + 0.1) / 2500 * 1e6, 5000: (0.05 + 0.2) / 5000 * 1e6}),
        "ingest": run({250: 800.0}),
    }
    two = {
        "fanout": run({2500: (0.10 + 0.11) / 2500 * 1e6, 5000: (0.10 + 0.22) / 5000 * 1e6}),
        "ingest": run({250: 1000.0}),
    }
    figures = scaleout.scaling({"1": one, "2": two}, scaleout.pinning(2))
    fanout = figures["fanout"]
    assert fanout["capacity_1"] == pytest.approx(0.95 / 40e-6, rel=0.01)
    assert fanout["capacity_2"] == pytest.approx(1.90 / 44e-6, rel=0.01)
    assert fanout["factor"] == pytest.approx((1.90 / 44) / (0.95 / 40), abs=0.01)
    assert fanout["rate"] == 5000
    # One rate: no fixed part to fit, so the factor is two cores' cost ratio.
    assert figures["ingest"]["factor"] == pytest.approx(1.6)
    assert figures["ingest"]["figure"] == scaleout.ESTIMATED


def test_capacity_ratio_where_there_are_cores_enough():
    plan = scaleout.pinning(4)
    assert (plan.server_cores, plan.stack_core, plan.load_core) == ((0, 1), 2, 3)
    topologies = {
        "1": {"fanout": {"capacity": 10000, "steps": []}},
        "2": {"fanout": {"capacity": 17500, "steps": []}},
    }
    figures = scaleout.scaling(topologies, plan)
    assert figures == {
        "fanout": {
            "figure": scaleout.MEASURED,
            "factor": 1.75,
            "capacity_1": 10000,
            "capacity_2": 17500,
        }
    }


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server on PATH")
def test_two_processes_lose_nothing_and_deliveries_cross_processes():
    # A work folder of its own: the runner restarts the PostgreSQL of its work folder, which
    # must never be that of a benchmark running from the same checkout.
    report = suite_run(
        scenarios=["scaleout"],
        servers=["parlor-uvicorn"],
        sizes=TINY,
        repeats=1,
        quick=True,
        work_dir=WORK_DIR / "smoke",
    )
    (run,) = report["scenarios"]["scaleout"]["parlor-uvicorn"]
    assert "error" not in run, run.get("detail", run.get("error"))
    for processes, topology in run["topologies"].items():
        for workload in scaleout.WORKLOADS:
            steps = topology[workload]["steps"]
            assert [step["offered"] for step in steps] == list(
                getattr(TINY, f"scaleout_{workload}_rates")
            )
            for step in steps:
                assert (step["lost"], step["duplicated"], step["out_of_order"]) == (0, 0, 0)
                assert (step["unacked"], step["errors"]) == (0, 0)
                crossed = step["crossed"]
                if processes == "1":
                    assert sum(crossed.values()) == 0
                    continue
                # Half of every room is on the other process from its sender: half of the
                # deliveries crossed, and each process's clients received some of them.
                assert crossed["0"] > 0 and crossed["1"] > 0
                assert 2 * sum(crossed.values()) == step["delivered"]
    assert set(run["scaling"]) == {"fanout", "ingest"}
    assert all(entry["factor"] > 0 for entry in run["scaling"].values())
    assert "scale-out, 2 processes" in readme.summary(report)
    assert "CPU-based estimate" in results.markdown(report) or run["pinning"]["measured"]
