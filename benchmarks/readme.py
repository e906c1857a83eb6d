"""Writes the latest full run's headline figures into README.md between two markers."""

from __future__ import annotations

from benchmarks import scaleout
from benchmarks.config import REPO_ROOT, SCALEOUT_TARGET
from benchmarks.results import (
    README_END,
    README_START,
    STEPPED,
    machine_line,
    one_core_estimate,
    representative,
)

TARGETS = {
    "fanout": "≥ 10,000 at p99 ≤ 100 ms, 0 lost",
    "bigroom": "≥ 10,000 at p99 ≤ 200 ms, 0 lost",
    "ingest": "≥ 2,000 at ack p99 ≤ 50 ms",
    "connect": "≥ 800/s, 0 failures",
    "idle": "≤ 20 KiB",
    "noisy": "≤ +20 %",
    "scaleout": f"≥ {SCALEOUT_TARGET}{scaleout.TIMES}",
}
MEASURES = {
    "fanout": "deliveries/s (p99 there)",
    "bigroom": "deliveries/s (p99 there)",
    "ingest": "acked sends/s (ack p99 there)",
    "connect": "connects/s (failures)",
    "idle": "server KiB per connection",
    "noisy": "tenant B's ack p99 increase while A floods (median of paired windows)",
    "scaleout": "scaling factor",
}
# Parlor on uvicorn when issue 11 was filed (the full run of 2026-11-22 03:19 UTC, whose
# table the issue quotes): the "before this issue" column, kept beside every new run.
BEFORE_ISSUE_11 = {
    "fanout": "5,000 (40 ms)",
    "fanout cost": "155 µs → 6,432/s",
    "bigroom": "not re-run",
    "ingest": "250 (17 ms)",
    "ingest cost": "2,716 µs → 368/s",
    "connect": "366 (0)",
    "idle": "37.8",
    "noisy": "—",
    "scaleout": "not measured",
}
# Row names where the scenario's own name says too little.
LABELS = {"scaleout": "scale-out, 2 processes"}
# Scenarios run on Parlor servers only: the peers' cells stay empty.
PARLOR_ONLY = ("noisy", "scaleout")


def cell(scenario: str, runs: list[dict]) -> str:
    """Return one server's headline figure for one scenario."""
    if scenario in PARLOR_ONLY and not runs:
        return "—"
    if scenario == "scaleout":
        return scaleout_cell(runs)
    if scenario == "noisy":
        increases = [run["b_p99_increase_median"] for run in runs if "rounds" in run]
        return f"{sorted(increases)[(len(increases) - 1) // 2]:+.0%}" if increases else "error"
    if scenario == "connect":
        run = representative(runs, key=lambda r: r["connects_per_s"])
        return "error" if run is None else f"{run['connects_per_s']:,.0f} ({run['failures']})"
    if scenario == "idle":
        run = representative(runs, key=lambda r: r["kib_per_connection"])
        return "error" if run is None else f"{run['kib_per_connection']:.1f}"
    run = representative(runs, key=lambda r: r["capacity"])
    if run is None:
        return "error"
    passed = [step for step in run["steps"] if step["passed"]]
    if not passed:
        return "< lowest step"
    latency = passed[-1]["ack" if scenario == "ingest" else "delivery"]
    return f"{run['capacity']:,} ({latency['p99_ms']:.0f} ms)"


def scaleout_cell(runs: list[dict]) -> str:
    """Return fanout's and ingest's scaling factors and which kind of figure they are."""
    good = [run for run in runs if "scaling" in run]
    run = representative(good, key=scaleout.headline_factor)
    if run is None or not run["scaling"]:
        return "error"
    factors = ", ".join(
        f"{workload} {entry['factor']:.2f}{scaleout.TIMES}"
        for workload, entry in run["scaling"].items()
    )
    return f"{factors} ({run['figure']})"


def server_choice(report: dict) -> str:
    """Return which ASGI server Parlor should run under, by this run's fanout numbers.

    Ranked by the one-core estimate (CPU per delivery of server, Redis and PostgreSQL), which
    neighbours on a shared machine disturb far less than latency; capacity is shown too.
    """
    scored = []
    for server, runs in report["scenarios"].get("fanout", {}).items():
        run = representative(runs, key=lambda r: r["capacity"])
        if server.startswith("parlor") and run is not None:
            scored.append((-one_core_estimate(run), run["capacity"], server))
    if len(scored) < 2:
        return ""
    scored.sort()
    ranked = [
        f"`{server}` {-estimate:,.0f}/s (capacity {capacity:,}/s)"
        for estimate, capacity, server in scored
    ]
    return (
        f"ASGI server for Parlor, chosen by these numbers: `{scored[0][2]}`. Fanout one-core "
        f"estimate: {'; '.join(ranked)}."
    )


def stepped_cost_cell(runs: list[dict]) -> str:
    """Return CPU µs per unit (server + Redis + PostgreSQL) and the one-core estimate."""
    run = representative(runs, key=lambda r: r["capacity"])
    if run is None or not one_core_estimate(run):
        return ""
    estimate = one_core_estimate(run)
    return f"{1e6 / estimate:,.0f} µs → {estimate:,.0f}/s"


def summary(report: dict) -> str:
    """Return the README block: machine line and one or two rows per scenario."""
    servers = report["servers"]
    lines = [
        machine_line(report["machine"]),
        "",
        "| scenario | measure | target | `parlor-uvicorn` before issue 11 | "
        + " | ".join(f"`{s}`" for s in servers)
        + " |",
        "|---|---|---|---|" + "---|" * len(servers),
    ]
    for scenario, by_server in report["scenarios"].items():
        cells = [cell(scenario, by_server.get(server, [])) for server in servers]
        lines.append(
            f"| {LABELS.get(scenario, scenario)} | {MEASURES[scenario]} | {TARGETS[scenario]} | "
            f"{BEFORE_ISSUE_11.get(scenario, '')} | " + " | ".join(cells) + " |"
        )
        if scenario in STEPPED:
            costs = [stepped_cost_cell(by_server.get(server, [])) for server in servers]
            unit = "send" if scenario == "ingest" else "delivery"
            before = BEFORE_ISSUE_11.get(f"{scenario} cost", "")
            lines.append(
                f"| {scenario} | CPU per {unit} → one-core estimate | | {before} | "
                + " | ".join(costs)
                + " |"
            )
    choice = server_choice(report)
    if choice:
        lines += ["", choice]
    lines += [
        "",
        "Full tables and charts: [benchmarks/results/results.md](benchmarks/results/results.md).",
    ]
    return "\n".join(lines)


def update(report: dict) -> None:
    """Replace the text between the README's bench markers (append the block if missing)."""
    path = REPO_ROOT / "README.md"
    text = path.read_text()
    block = f"{README_START}\n{summary(report)}\n{README_END}"
    if README_START in text and README_END in text:
        head, rest = text.split(README_START, 1)
        _, tail = rest.split(README_END, 1)
        text = head + block + tail
    else:
        text = text.rstrip("\n") + "\n\n## Benchmarks\n\n" + block + "\n"
    path.write_text(text)
