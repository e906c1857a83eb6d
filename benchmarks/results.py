"""Turns a run's raw results into benchmarks/results/: JSON, a markdown report and PNG charts."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

from benchmarks import scaleout
from benchmarks.config import (
    BIGROOM_P99_LIMIT_MS,
    DISTURBED_FOREIGN_SHARE,
    FANOUT_P99_LIMIT_MS,
    INGEST_P99_LIMIT_MS,
    SCALEOUT_TARGET,
    p99_limit_ms,
)
from benchmarks.servers import DESCRIPTIONS

STEPPED = ("fanout", "bigroom", "ingest")
README_START = "<!-- bench:start -->"
README_END = "<!-- bench:end -->"


def representative(runs: list[dict], key) -> dict | None:
    """Return the run whose `key` is the median of the successful runs (None if none)."""
    good = [run for run in runs if "error" not in run]
    if not good:
        return None
    ordered = sorted(good, key=key)
    return ordered[(len(ordered) - 1) // 2]


def _latency(scenario: str, step: dict) -> dict:
    return step["ack"] if scenario == "ingest" else step["delivery"]


def stepped_curve(runs: list[dict], scenario: str) -> list[tuple[int, float]]:
    """Return (offered, median p99 ms) for every offered step any run reached."""
    by_offered: dict[int, list[float]] = {}
    for run in runs:
        for step in run.get("steps", []):
            by_offered.setdefault(step["offered"], []).append(_latency(scenario, step)["p99_ms"])
    return [(offered, statistics.median(p99s)) for offered, p99s in sorted(by_offered.items())]


def _ms(value: float) -> str:
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def _stepped_row(scenario: str, server: str, runs: list[dict]) -> list[str]:
    run = representative(runs, key=lambda r: r["capacity"])
    if run is None:
        return [server, "error", *[""] * 12]
    capacities = sorted(r["capacity"] for r in runs if "error" not in r)
    passed = [step for step in run["steps"] if step["passed"]]
    failed = [step for step in run["steps"] if not step["passed"]]
    best = passed[-1] if passed else run["steps"][0]
    latency = _latency(scenario, best)
    rate = best["acks_per_s"] if scenario == "ingest" else best["deliveries_per_s"]
    beyond = "none (all steps passed)"
    if failed:
        step = failed[0]
        beyond = (
            f"{step['offered']:,}/s: p99 {_ms(_latency(scenario, step)['p99_ms'])} ms, "
            f"lost {step['lost']:,}"
        )
    return [
        server,
        f"{run['capacity']:,}"
        + (f" ({', '.join(f'{c:,}' for c in capacities)})" if len(capacities) > 1 else ""),
        f"{rate:,}",
        _ms(latency["p50_ms"]),
        _ms(latency["p99_ms"]),
        _ms(latency["max_ms"]),
        f"{best['lost']:,} / {best['duplicated']:,} / {best['out_of_order']:,}",
        f"{best['server_cpu_s_per_million']:,.0f}",
        _estimate(run),
        _core(best),
        f"{best['loadgen_core_share']:.0%}",
        beyond,
        f"{run.get('setup_seconds', 0):.0f} + {run.get('settle_seconds', 0):.0f}",
    ]


STEPPED_HEADER = [
    "server",
    "capacity /s (each repeat)",
    "measured /s",
    "p50 ms",
    "p99 ms",
    "max ms",
    "lost / dup / out-of-order",
    "server CPU-s per M",
    "one-core estimate /s",
    "core 0: server / Redis+PG / other",
    "load-gen core",
    "first failing step",
    "join + settle s",
]


def one_core_estimate(run: dict) -> float:
    """Return the rate one dedicated core would sustain at the cheapest cost any step showed
    (server + Redis + PostgreSQL CPU per unit): robust to neighbours, blind to latency."""
    costs = [
        step["server_cpu_s_per_million"] + step["stack_cpu_s_per_million"]
        for step in run["steps"]
        if step["server_cpu_s_per_million"] > 0
    ]
    return 1e6 / min(costs) if costs else 0.0


def _estimate(run: dict) -> str:
    estimate = one_core_estimate(run)
    return f"{estimate:,.0f}" if estimate else ""


def _core(step: dict) -> str:
    """Return how busy the server core was: the server, its stack, and anything else."""
    shares = [step.get(key, 0.0) for key in ("server_core_share", "stack_core_share")]
    shares.append(step.get("foreign_core_share", 0.0))
    return " / ".join(f"{share:.0%}" for share in shares)


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _connect_row(server: str, runs: list[dict]) -> list[str]:
    run = representative(runs, key=lambda r: r["connects_per_s"])
    if run is None:
        return [server, "error", "", "", "", ""]
    rates = sorted(r["connects_per_s"] for r in runs if "error" not in r)
    return [
        server,
        f"{run['connects_per_s']:,.0f}"
        + (f" ({', '.join(f'{r:,.0f}' for r in rates)})" if len(rates) > 1 else ""),
        f"{run['connected']:,}",
        f"{sum(r.get('failures', 0) for r in runs if 'error' not in r):,}",
        f"{_ms(run['latency']['p50_ms'])} / {_ms(run['latency']['p99_ms'])}",
        f"{run['server_cpu_ms_per_connect']:.2f}",
    ]


def _idle_row(server: str, runs: list[dict]) -> list[str]:
    run = representative(runs, key=lambda r: r["kib_per_connection"])
    if run is None:
        return [server, "error", "", "", "", ""]
    values = sorted(r["kib_per_connection"] for r in runs if "error" not in r)
    return [
        server,
        f"{run['kib_per_connection']:.1f}"
        + (f" ({', '.join(f'{v:.1f}' for v in values)})" if len(values) > 1 else ""),
        f"{run['connections']:,}",
        f"{run['failures']:,}",
        f"{run['server_rss_before_mib']:.0f} → {run['server_rss_after_mib']:.0f}",
        f"{run['stack_kib_per_connection']:.1f}",
    ]


def _noisy_row(server: str, runs: list[dict]) -> list[str]:
    rounds = [r for run in runs if "rounds" in run for r in run["rounds"]]
    pairs = ", ".join(
        f"{_ms(r['baseline']['b']['p99_ms'])} → {_ms(r['flooded']['b']['p99_ms'])}" for r in rounds
    )
    increases = [run["b_p99_increase_median"] for run in runs if "rounds" in run]
    shown = ", ".join(f"{increase:+.0%}" for increase in increases) or "—"
    cpu = ", ".join(
        f"{run['server_us_per_message_idle']:.0f} / {run['server_us_per_message_flooded']:.0f}"
        for run in runs
        if "server_us_per_message_idle" in run
    )
    return [f"`{server}`", pairs or "—", shown, cpu or "—"]


def _scenario_title(scenario: str, sizes: dict) -> str:
    return {
        "fanout": f"fanout: {sizes['fanout_clients']:,} clients in {sizes['fanout_rooms']} rooms, "
        f"one sender per room; capacity = highest offered deliveries/s with p99 ≤ "
        f"{FANOUT_P99_LIMIT_MS:.0f} ms and nothing lost",
        "bigroom": f"bigroom: one room of {sizes['bigroom_members']:,} members, one sender; "
        f"capacity = highest offered deliveries/s with p99 ≤ {BIGROOM_P99_LIMIT_MS:.0f} ms and "
        "nothing lost",
        "ingest": f"ingest: {sizes['ingest_senders']} senders, each in its own room; capacity = "
        f"highest offered sends/s with ack p99 ≤ {INGEST_P99_LIMIT_MS:.0f} ms, all acked "
        "(Parlor: `ack` after the commit; peers store nothing and have no ack, so the sender's "
        "own echo stands in)",
        "connect": f"connect: {sizes['connect_total']:,} connections opened with "
        f"{sizes['connect_concurrency']} handshakes in flight (Parlor: token verified, `hello` "
        "received); all kept open",
        "idle": f"idle: server RSS per open connection at {sizes['idle_total']:,} connections, "
        "each in a room (Parlor: authenticated and joined)",
        "scaleout": f"scaleout: one Parlor process against two behind one Redis and one "
        f"PostgreSQL; fanout ({sizes['fanout_clients']:,} clients in {sizes['fanout_rooms']} "
        f"rooms) and ingest ({sizes['ingest_senders']} senders, each with one listener on another "
        "process), every room with members on both processes; target: scaling factor ≥ "
        f"{SCALEOUT_TARGET}{scaleout.TIMES}",
        "noisy": f"noisy: tenant B's {sizes['noisy_b_senders']} senders at "
        f"{sizes['noisy_b_per_second']} sends/s, ack p99 in {sizes.get('noisy_rounds', 3)} "
        f"pairs of windows, tenant A idle and A's {sizes['noisy_a_senders']} senders flooding at "
        "its quota (target: B's p99 up ≤ 20 %)",
    }[scenario]


def markdown(report: dict) -> str:
    """Return the markdown report of a run."""
    sizes = report["sizes"]
    parts = [
        "# Benchmark results"
        + (" (quick mode: small counts, smoke test only)" if report["quick"] else ""),
        "",
        machine_line(report["machine"]),
        "",
        f"Repeats: {report['repeats']}; a row shows the repeat with the median result. "
        f"Steps run {sizes['step_seconds']:.0f} s each (plus up to {sizes['drain_seconds']:.0f} s "
        "to drain). Latency runs from the moment the sender's schedule said to send, so a "
        "sender that falls behind cannot hide its own delay. A step that failed on latency "
        f"alone while the machine's other processes took {DISTURBED_FOREIGN_SHARE:.0%} or more "
        "of the server core ran once more; the table of every step says so. WebSocket "
        "compression is off "
        "everywhere (negotiated extensions: " + _extensions(report) + ").",
        "",
        "Servers:",
        "",
    ]
    parts += [f"- `{name}`: {DESCRIPTIONS[name]}" for name in report["servers"]]
    for scenario, by_server in report["scenarios"].items():
        parts += ["", f"## {_scenario_title(scenario, sizes)}", ""]
        if scenario in STEPPED:
            rows = [_stepped_row(scenario, server, runs) for server, runs in by_server.items()]
            parts.append(_table(STEPPED_HEADER, rows))
            parts += ["", _steps_detail(scenario, by_server)]
        elif scenario == "connect":
            header = [
                "server",
                "connects/s (each repeat)",
                "connected",
                "failures",
                "latency p50 / p99 ms",
                "server CPU ms per connect",
            ]
            parts.append(_table(header, [_connect_row(s, runs) for s, runs in by_server.items()]))
        elif scenario == "idle":
            header = [
                "server",
                "KiB per connection (each repeat)",
                "connections",
                "failures",
                "server RSS MiB",
                "Redis+PostgreSQL KiB per connection",
            ]
            parts.append(_table(header, [_idle_row(s, runs) for s, runs in by_server.items()]))
        elif scenario == "noisy":
            header = [
                "server",
                "B ack p99 ms, A idle → A flooding (each round)",
                "B p99 increase (median of the paired ratios, each repeat)",
                "server µs per message, A idle / A flooding",
            ]
            parts.append(_table(header, [_noisy_row(s, runs) for s, runs in by_server.items()]))
        elif scenario == "scaleout":
            parts += scaleout_section(by_server)
        parts += _errors(by_server)
    return "\n".join(parts) + "\n"


SCALEOUT_HEADER = [
    "server",
    "figure",
    "fanout (each repeat)",
    "ingest (each repeat)",
    "from",
    "lost / dup / out-of-order / unacked",
    "cross-process deliveries",
]
SCALEOUT_STEPS_HEADER = [
    "server",
    "workload",
    "processes",
    "offered /s",
    "measured /s",
    "p50 ms",
    "p99 ms",
    "lost / dup / out-of-order",
    "received across processes (per process)",
    "server CPU µs per unit",
    "server / Redis+PG / other core share",
    "load-gen core",
    "passed",
]


def scaleout_section(by_server: dict[str, list[dict]]) -> list[str]:
    """Return the scaleout scenario's tables: the scaling factors, then every step."""
    rows, steps, notes, troubles = [], [], [], []
    for server, runs in by_server.items():
        good = [run for run in runs if "scaling" in run]
        run = representative(good, key=scaleout.headline_factor)
        if run is None:
            continue
        rows.append(_scaleout_row(server, run, good))
        steps += _scaleout_steps(server, run)
        notes.append(_pinning_note(run))
        troubles += _scaleout_troubles(server, run)
    if not rows:
        return []
    return [
        _table(SCALEOUT_HEADER, rows),
        "",
        *sorted(set(notes)),
        "",
        *([*troubles, ""] if troubles else []),
        "<details><summary>every step (CPU per unit: per delivery for fanout, per acked send "
        "for ingest; summed over the processes)</summary>",
        "",
        _table(SCALEOUT_STEPS_HEADER, steps),
        "",
        "</details>",
    ]


def _scaleout_row(server: str, run: dict, runs: list[dict]) -> list[str]:
    cells = []
    for workload in scaleout.WORKLOADS:
        factors = [r["scaling"][workload]["factor"] for r in runs if workload in r["scaling"]]
        entry = run["scaling"].get(workload)
        shown = f"**{entry['factor']:.2f}{scaleout.TIMES}**" if entry else "—"
        if len(factors) > 1:
            shown += f" ({', '.join(f'{factor:.2f}' for factor in sorted(factors))})"
        cells.append(shown)
    seen = scaleout.counts(run)
    return [
        f"`{server}`",
        run["figure"],
        *cells,
        "; ".join(_scaling_basis(workload, entry) for workload, entry in run["scaling"].items()),
        f"{seen['lost']:,} / {seen['duplicated']:,} / {seen['out_of_order']:,} / "
        f"{seen['unacked']:,}",
        f"{seen['crossed']:,}",
    ]


def _scaling_basis(workload: str, entry: dict) -> str:
    if entry["figure"] == scaleout.MEASURED:
        return f"{workload}: capacity {entry['capacity_1']:,} → {entry['capacity_2']:,}/s"
    unit = "send" if workload == "ingest" else "delivery"
    if "marginal_us_1" not in entry:
        return f"{workload}: no usable CPU figures"
    return (
        f"{workload}: marginal {entry['marginal_us_1']:,.0f} → {entry['marginal_us_2']:,.0f} µs "
        f"per {unit}, fixed {entry['fixed_cores_1']:.0%} → {entry['fixed_cores_2']:.0%} of a "
        f"core (1 → 2 processes), so capacity ≈ {entry['capacity_1']:,} → "
        f"{entry['capacity_2']:,}/s; at {entry['rate']:,}/s {entry['cpu_us_per_unit_1']:,.0f} "
        f"→ {entry['cpu_us_per_unit_2']:,.0f} µs per {unit}"
    )


def _pinning_note(run: dict) -> str:
    plan = run["pinning"]
    if plan["measured"]:
        return (
            f"Pinning: server processes on cores {', '.join(map(str, plan['server_cores']))}, "
            f"Redis and PostgreSQL on core {plan['stack_core']}, the load generator on core "
            f"{plan['load_core']}; each workload climbed to capacity (factor = capacity with two "
            "processes / with one)."
        )
    return (
        f"Pinning: fewer than {scaleout.CORES_FOR_CAPACITY} cores, so both server processes, "
        f"Redis and PostgreSQL on core {plan['stack_core']} and the load generator on core "
        f"{plan['load_core']}: a capacity ratio would measure two processes taking turns on one "
        "core. Fixed offered rates instead: each topology's server CPU (both processes summed) "
        "is fitted as fixed + marginal x rate, N processes with a core each are taken to carry "
        "(N - fixed) / marginal a second, and the factor is that capacity for two over one."
    )


def _scaleout_troubles(server: str, run: dict) -> list[str]:
    """Return a line per topology and workload whose sockets the server closed or refused."""
    lines = []
    for processes, topology in run["topologies"].items():
        for workload in scaleout.WORKLOADS:
            part = topology.get(workload, {})
            reasons = ", ".join(f"{n} x {why}" for why, n in part.get("error_reasons", {}).items())
            failures = ", ".join(
                f"{n} x {why}" for why, n in part.get("setup_failures", {}).items()
            )
            if reasons or part.get("closed_by_server") or failures:
                lines.append(
                    f"- `{server}`, {workload} with {processes} process(es): "
                    f"{part.get('closed_by_server', 0)} sockets closed by the server; errors: "
                    f"{reasons or 'none'}; connects that failed while setting up: "
                    f"{failures or 'none'}"
                )
    return lines


def _scaleout_steps(server: str, run: dict) -> list[list[str]]:
    rows = []
    for processes, topology in run["topologies"].items():
        for workload in scaleout.WORKLOADS:
            for step in topology.get(workload, {}).get("steps", []):
                latency = _latency(workload, step)
                rate = step["acks_per_s"] if workload == "ingest" else step["deliveries_per_s"]
                crossed = step.get("crossed", {})
                rows.append(
                    [
                        f"`{server}`",
                        workload,
                        processes,
                        f"{step['offered']:,}",
                        f"{rate:,}",
                        _ms(latency["p50_ms"]),
                        _ms(latency["p99_ms"]),
                        f"{step['lost']:,} / {step['duplicated']:,} / {step['out_of_order']:,}",
                        " / ".join(f"{crossed[key]:,}" for key in sorted(crossed)) or "0",
                        f"{step['server_cpu_s_per_million']:,.0f}",
                        _core(step),
                        f"{step['loadgen_core_share']:.0%}",
                        "yes" if step["passed"] else "no",
                    ]
                )
    return rows


def _steps_detail(scenario: str, by_server: dict[str, list[dict]]) -> str:
    header = [
        "server",
        "offered /s",
        "measured /s",
        "p50 ms",
        "p99 ms",
        "max ms",
        "lost",
        "dup",
        "out-of-order",
        "server CPU-s per M",
        "core 0: server / Redis+PG / other",
        "load-gen core",
    ]
    rows = []
    for server, runs in by_server.items():
        run = representative(runs, key=lambda r: r["capacity"])
        for step in (run or {}).get("steps", []):
            latency = _latency(scenario, step)
            rate = step["acks_per_s"] if scenario == "ingest" else step["deliveries_per_s"]
            rows.append(
                [
                    server,
                    f"{step['offered']:,}",
                    f"{rate:,}",
                    _ms(latency["p50_ms"]),
                    _ms(latency["p99_ms"]) + _disturbed_note(scenario, step),
                    _ms(latency["max_ms"]),
                    f"{step['lost']:,}",
                    f"{step['duplicated']:,}",
                    f"{step['out_of_order']:,}",
                    f"{step['server_cpu_s_per_million']:,.0f}",
                    _core(step),
                    f"{step['loadgen_core_share']:.0%}",
                ]
            )
    return "<details><summary>every step</summary>\n\n" + _table(header, rows) + "\n\n</details>"


def _disturbed_note(scenario: str, step: dict) -> str:
    """Say so when a step ran twice: its first attempt measured the machine's other work."""
    first = step.get("disturbed_attempt")
    if not first:
        return ""
    return (
        f" (second attempt; the first: p99 {_ms(_latency(scenario, first)['p99_ms'])} ms with "
        f"other processes at {first['foreign_core_share']:.0%} of the server core)"
    )


def _errors(by_server: dict[str, list[dict]]) -> list[str]:
    lines = []
    for server, runs in by_server.items():
        for run in runs:
            if "error" in run:
                lines.append(f"- `{server}` failed: {run['error'].strip().splitlines()[0]}")
            if run.get("error_reasons") or run.get("closed_by_server"):
                reasons = ", ".join(f"{n} x {why}" for why, n in run["error_reasons"].items())
                lines.append(
                    f"- `{server}`: {run.get('closed_by_server', 0)} sockets closed by the "
                    f"server; errors: {reasons or 'none'}"
                )
            if "error" not in run and run.get("setup_failures"):
                reasons = ", ".join(f"{n} x {why}" for why, n in run["setup_failures"].items())
                lines.append(f"- `{server}`: connects that failed while setting up: {reasons}")
    return ["", *lines] if lines else []


def _extensions(report: dict) -> str:
    seen = set()
    for by_server in report["scenarios"].values():
        for server, runs in by_server.items():
            for run in runs:
                if "negotiated_extensions" in run:
                    seen.add((server, run["negotiated_extensions"] or "none"))
    return ", ".join(f"{server}: {value}" for server, value in sorted(seen)) or "not measured"


def machine_line(machine: dict) -> str:
    """Return one line naming the machine and software a run measured."""
    packages = ", ".join(f"{name} {version}" for name, version in machine["packages"].items())
    return (
        f"Measured {machine['date']} on {machine['cpu']}, {machine['cores']} cores, "
        f"{machine['memory_gib']} GiB, Linux {machine['kernel']}, Python {machine['python']}, "
        f"Redis {machine['redis']}; {packages}. Load average at start: "
        f"{', '.join(str(v) for v in machine['load_average'])}. Server, Redis and PostgreSQL "
        "pinned to core 0, the load generator to core 1 (taskset)."
    )


def chart(report: dict, scenario: str, path: Path) -> bool:
    """Draw p99 against offered load, one line per server; return False if nothing to draw."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    curves = {
        server: stepped_curve(runs, scenario)
        for server, runs in report["scenarios"].get(scenario, {}).items()
    }
    curves = {server: curve for server, curve in curves.items() if curve}
    if not curves:
        return False
    figure, axes = plt.subplots(figsize=(8, 5))
    for server, curve in curves.items():
        axes.plot([x for x, _ in curve], [y for _, y in curve], marker="o", label=server)
    limit = p99_limit_ms(scenario)
    axes.axhline(limit, color="grey", linestyle="--", linewidth=1, label=f"limit {limit:.0f} ms")
    axes.set_yscale("log")
    unit = "sends/s" if scenario == "ingest" else "deliveries/s"
    axes.set_xlabel(f"offered load ({unit})")
    axes.set_ylabel("ack p99 (ms)" if scenario == "ingest" else "delivery p99 (ms)")
    axes.set_title(f"{scenario}: p99 latency against offered load")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return True


def write(report: dict, directory: Path) -> Path:
    """Write results.json, results.md and one PNG per stepped scenario; return the .md path."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "results.json").write_text(json.dumps(report, indent=1))
    text = markdown(report)
    for scenario in STEPPED:
        if chart(report, scenario, directory / f"{scenario}.png"):
            text += f"\n![{scenario}: p99 against offered load]({scenario}.png)\n"
    path = directory / "results.md"
    path.write_text(text)
    return path
