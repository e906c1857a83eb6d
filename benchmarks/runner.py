"""Runs the suite: starts Redis and PostgreSQL, then for every scenario and server a fresh
server process and a load generator, each on its own core; collects the results."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

import psycopg

from benchmarks import infra, machine, procfs, scaleout
from benchmarks.config import LOAD_CORE, ORIGIN, REPO_ROOT, SERVER_CORE, WORK_DIR, Sizes
from benchmarks.servers import Environment, RunningServer, parlor_environment, server_start

BENCH_DATABASE = "parlor_bench"
TUTORIAL_DIR = REPO_ROOT / "benchmarks" / "peers" / "tutorial"
# Scenarios that need Parlor's tenants, quotas or several processes: run on Parlor servers only.
PARLOR_ONLY = ("noisy", "scaleout")


def log(message: str) -> None:
    """Print one progress line to stderr."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def suite_run(
    *,
    scenarios: list[str],
    servers: list[str],
    sizes: Sizes,
    repeats: int,
    quick: bool,
    work_dir: Path = WORK_DIR,
) -> dict:
    """Run every scenario against every server `repeats` times; return the raw results.

    `work_dir` holds the run's logs and the PostgreSQL data (the smoke test uses its own, so
    it never stops the PostgreSQL of a benchmark running from the same checkout)."""
    run_dir = work_dir / time.strftime("run-%Y%m%d-%H%M%S")
    run_dir.mkdir(parents=True, exist_ok=True)
    report = {
        "machine": machine.describe(),
        "quick": quick,
        "repeats": repeats,
        "sizes": asdict(sizes),
        "servers": servers,
        "scenarios": {name: {server: [] for server in servers} for name in scenarios},
    }
    redis_server = infra.redis_start()
    postgres = None
    try:
        env = Environment(redis_url=redis_server.url, log_dir=run_dir)
        stack_pids = redis_server.pids()
        if any(name.startswith("parlor") for name in servers):
            postgres = infra.postgres_start(work_dir)
            env = _parlor_prepare(env, postgres, sizes, run_dir)
            stack_pids = [*stack_pids, postgres.postmaster_pid]
        if "tutorial" in servers:
            env = _tutorial_prepare(env, run_dir)
        for repeat in range(repeats):
            for scenario in scenarios:
                for name in _rotated(servers, repeat):
                    if scenario in PARLOR_ONLY and not name.startswith("parlor"):
                        continue  # tenants, quotas and several processes are Parlor's alone
                    redis_server.flush()
                    log(f"{scenario} / {name} (repeat {repeat + 1}/{repeats})")
                    if scenario == "scaleout":
                        result = _scaleout_run(name, env, sizes, stack_pids, run_dir, redis_server)
                    else:
                        result = _scenario_run(scenario, name, env, sizes, stack_pids, run_dir)
                    report["scenarios"][scenario][name].append(result)
                    log(f"  {_headline(scenario, result)}")
    finally:
        redis_server.stop()
        if postgres is not None:
            postgres.stop()
    return report


def _rotated(servers: list[str], repeat: int) -> list[str]:
    # Each repeat starts with a different server, so no server always runs first or last.
    shift = repeat % len(servers)
    return servers[shift:] + servers[:shift]


def _parlor_prepare(env: Environment, postgres, sizes: Sizes, run_dir: Path) -> Environment:
    """Create a fresh bench database, migrate it, create the tenant and mint the tokens."""
    with psycopg.connect(postgres.url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')
    database_url = postgres.url.replace("/parlor?", f"/{BENCH_DATABASE}?")
    env = Environment(
        redis_url=env.redis_url,
        log_dir=env.log_dir,
        parlor_database_url=database_url,
        parlor_secret_key=secrets.token_urlsafe(64),
        tutorial_db=env.tutorial_db,
    )
    count = max(
        sizes.fanout_clients,
        sizes.bigroom_members,
        2 * sizes.ingest_senders,  # scaleout's ingest: a listener per sender
        sizes.connect_total,
        sizes.idle_total,
    )
    tokens_path = run_dir / "tokens.json"
    log(f"parlor: migrating {BENCH_DATABASE}, creating the bench tenant, minting {count} tokens")
    subprocess.run(
        [sys.executable, "-m", "benchmarks.parlor_setup", str(count), str(tokens_path), ORIGIN],
        env={**_base_env(), **parlor_environment(env)},
        cwd=REPO_ROOT,
        check=True,
    )
    return env


def _tutorial_prepare(env: Environment, run_dir: Path) -> Environment:
    """Migrate the tutorial's SQLite database (in the run folder) as the tutorial does."""
    database = run_dir / "tutorial.sqlite3"
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--verbosity", "0"],
        env={
            **_base_env(),
            "PYTHONPATH": str(TUTORIAL_DIR),
            "DJANGO_SETTINGS_MODULE": "mysite.settings",
            "BENCH_TUTORIAL_DB": str(database),
            "BENCH_REDIS_URL": env.redis_url,
        },
        cwd=TUTORIAL_DIR,
        check=True,
    )
    return Environment(
        redis_url=env.redis_url,
        log_dir=env.log_dir,
        parlor_database_url=env.parlor_database_url,
        parlor_secret_key=env.parlor_secret_key,
        tutorial_db=str(database),
    )


def _base_env() -> dict[str, str]:
    import os

    return {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}


def _scenario_run(
    scenario: str, name: str, env: Environment, sizes: Sizes, stack_pids: list[int], run_dir: Path
) -> dict:
    try:
        server = server_start(name, env)
    except RuntimeError as error:
        return {"error": f"server did not start: {error}"}
    try:
        return _loadgen_run(scenario, [server], sizes, stack_pids, run_dir)
    finally:
        server.stop()


def _scaleout_run(
    name: str, env: Environment, sizes: Sizes, stack_pids: list[int], run_dir: Path, redis_server
) -> dict:
    """Run the scaleout scenario with one server process, then two; return both and the
    scaling factor (`benchmarks.scaleout`)."""
    plan = scaleout.pinning(os.cpu_count() or 1)
    topologies: dict[str, dict] = {}
    infra.repin(_trees(stack_pids), plan.stack_core)
    try:
        for processes in scaleout.PROCESS_COUNTS:
            redis_server.flush()
            log(f"  {processes} process(es), cores {plan.server_cores[:processes]}")
            result = _processes_run(name, processes, plan, env, sizes, stack_pids, run_dir)
            if "error" in result:
                return {**result, "figure": plan.figure, "processes": processes}
            topologies[str(processes)] = result
    finally:
        infra.repin(_trees(stack_pids), SERVER_CORE)
    return {
        "figure": plan.figure,
        "pinning": asdict(plan),
        "topologies": topologies,
        "scaling": scaleout.scaling(topologies, plan),
        "negotiated_extensions": topologies["1"].get("negotiated_extensions", ""),
    }


def _trees(pids: list[int]) -> list[int]:
    # PostgreSQL's backends are the postmaster's children; each must move with it.
    return [pid for root in pids for pid in procfs.descendants(root)]


def _processes_run(
    name: str,
    processes: int,
    plan: scaleout.Pinning,
    env: Environment,
    sizes: Sizes,
    stack_pids: list[int],
    run_dir: Path,
) -> dict:
    servers: list[RunningServer] = []
    try:
        for number in range(processes):
            servers.append(server_start(name, env, core=plan.server_cores[number]))
    except RuntimeError as error:
        for server in servers:
            server.stop()
        return {"error": f"server did not start: {error}"}
    try:
        extra = {
            "processes": processes,
            "scaleout_measured": plan.measured,
            "cores": plan.cores(processes),
        }
        return _loadgen_run(
            "scaleout", servers, sizes, stack_pids, run_dir, load_core=plan.load_core, extra=extra
        )
    finally:
        for server in servers:
            server.stop()


def _loadgen_run(
    scenario: str,
    servers: list[RunningServer],
    sizes: Sizes,
    stack_pids: list[int],
    run_dir: Path,
    *,
    load_core: int = LOAD_CORE,
    extra: dict | None = None,
) -> dict:
    server = servers[0]
    spec = {
        "scenario": scenario,
        "server": server.name,
        "protocol": server.protocol,
        "base_url": server.base_url,
        "base_urls": [each.base_url for each in servers],
        "origin": ORIGIN,
        "tokens_file": str(run_dir / "tokens.json") if server.protocol == "parlor" else "",
        "sizes": asdict(sizes),
        "server_pids": [pid for each in servers for pid in each.pids()],
        "stack_pids": stack_pids,
        **(extra or {}),
    }
    spec_path = run_dir / f"spec-{scenario}-{server.name}-{len(servers)}.json"
    spec_path.write_text(json.dumps(spec))
    command = infra.pinned(load_core, [sys.executable, "-m", "benchmarks.driver", str(spec_path)])
    done = subprocess.run(
        command,
        env={**_base_env(), "PYTHONPATH": f"{REPO_ROOT}{':'}{REPO_ROOT / 'platform'}"},
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines() or ["(no output)"]
        return {
            "error": f"load generator failed: {lines[-1]}",
            "detail": "\n".join(lines[-25:])
            + "".join(f"\nserver log ({each.port}):\n" + each.log_tail(15) for each in servers),
        }
    return json.loads(done.stdout.strip().splitlines()[-1])


def _headline(scenario: str, result: dict) -> str:
    if "error" in result:
        return "ERROR " + result["error"].splitlines()[0]
    if scenario == "connect":
        return f"{result['connects_per_s']}/s, failures {result['failures']}"
    if scenario == "idle":
        return f"{result['kib_per_connection']} KiB/connection ({result['connections']} open)"
    if scenario == "scaleout":
        return scaleout.headline(result)
    if scenario == "noisy":
        pairs = [
            f"{r['baseline']['b']['p99_ms']:.1f} → {r['flooded']['b']['p99_ms']:.1f} ms"
            for r in result["rounds"]
        ]
        return (
            f"B ack p99 (A idle → A flooding): {', '.join(pairs)}; median ratio "
            f"{result['b_p99_ratio_median']:.2f}, server µs/message "
            f"{result['server_us_per_message_idle']:.0f} / "
            f"{result['server_us_per_message_flooded']:.0f}; quiet pairs "
            f"{result['quiet_pairs']} (ratio {result['b_p99_ratio_median_quiet']}), other "
            f"processes' share of the server core {result['foreign_core_share_median']:.2f}"
        )
    last = result["steps"][-1]
    latency = last["ack"] if scenario == "ingest" else last["delivery"]
    return (
        f"capacity {result['capacity']}/s; last step {last['offered']}/s: "
        f"p99 {latency['p99_ms']:.1f} ms, lost {last['lost']}, passed {last['passed']}"
    )
