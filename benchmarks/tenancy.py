"""Scale scenario: many tenants on one PostgreSQL (`python -m benchmarks.tenancy --help`).

Creates N tenants (default 1,000) in a fresh database and reports the median creation time,
then times a `migrate_schemas` that has nothing to do, starts Parlor (uvicorn, production
settings) and opens sockets spread over 100 of the tenants, each joining a room, and reports
PostgreSQL's memory (RSS and PSS of the postmaster and every backend) and connections.
With `--peer-tenants K` it also creates K tenants the old way (every migration replayed) and
with `--peer-migrate` it times django-tenants' own multiprocessing executor on the same no-op.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

_PLATFORM = str(Path(__file__).resolve().parents[1] / "platform")
if _PLATFORM not in sys.path:
    sys.path.insert(0, _PLATFORM)

import orjson  # noqa: E402
import psycopg  # noqa: E402

from benchmarks import infra, machine, procfs, wsclient  # noqa: E402
from benchmarks.config import ORIGIN, REPO_ROOT, RESULTS_DIR, WORK_DIR  # noqa: E402
from benchmarks.runner import log  # noqa: E402
from benchmarks.servers import Environment, parlor_environment, server_start  # noqa: E402

DATABASE = "parlor_tenancy"
CONNECT_CONCURRENCY = 50
JOIN_TIMEOUT = 20.0


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.tenancy", description=__doc__)
    parser.add_argument("--tenants", type=int, default=1000, help="tenants to create")
    parser.add_argument("--socket-tenants", type=int, default=100, help="tenants with sockets")
    parser.add_argument("--sockets-per-tenant", type=int, default=10)
    parser.add_argument("--peer-tenants", type=int, default=0, help="also create K the old way")
    parser.add_argument(
        "--peer-migrate", action="store_true", help="also time django-tenants' executor"
    )
    parser.add_argument("--out", type=Path, default=None, help="where to write the JSON result")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    run_dir = WORK_DIR / time.strftime("tenancy-%Y%m%d-%H%M%S")
    run_dir.mkdir(parents=True, exist_ok=True)
    report: dict = {"machine": machine.describe(), "load_before": _load()}
    redis_server = infra.redis_start()
    # Not pinned to the server core as the load benchmarks are: nothing here is measured
    # against a load generator, and on a shared machine one core is the busier one.
    postgres = infra.postgres_start(WORK_DIR / "tenancy", pin=False)
    try:
        env = _database_fresh(
            postgres.url, Environment(redis_url=redis_server.url, log_dir=run_dir)
        )
        report |= _tenants_create(args, env, run_dir)
        report["migrate_noop"] = _migrate(env, run_dir, executor=None)
        if args.peer_migrate:
            report["peer_migrate_noop"] = _migrate(env, run_dir, executor="multiprocessing")
        report["sockets"] = _sockets_open(env, postgres, run_dir)
    finally:
        redis_server.stop()
        postgres.stop()
    report["load_after"] = _load()
    out = args.out or (
        RESULTS_DIR / ("tenancy.json" if args.tenants >= 1000 else "quick/tenancy.json")
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    log(f"results: {out}")
    print(json.dumps({key: value for key, value in report.items() if key != "machine"}, indent=2))
    return 0


def _database_fresh(admin_url: str, env: Environment) -> Environment:
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DATABASE}"')
    return Environment(
        redis_url=env.redis_url,
        log_dir=env.log_dir,
        parlor_database_url=admin_url.replace("/parlor?", f"/{DATABASE}?"),
        parlor_secret_key="tenancy-benchmark-" + "x" * 50,
    )


def _tenants_create(args: argparse.Namespace, env: Environment, run_dir: Path) -> dict:
    spec = {
        "tenants": args.tenants,
        "socket_tenants": min(args.socket_tenants, args.tenants),
        "sockets_per_tenant": args.sockets_per_tenant,
        "peer_tenants": args.peer_tenants,
        "origin": ORIGIN,
    }
    spec_path, out_path = run_dir / "tenancy-spec.json", run_dir / "tenancy-setup.json"
    spec_path.write_text(json.dumps(spec))
    log(f"creating {args.tenants} tenants (+{args.peer_tenants} by migration replay)")
    _django(env, ["-m", "benchmarks.tenancy_setup", str(spec_path), str(out_path)])
    created = json.loads(out_path.read_text())
    (run_dir / "tokens.json").write_text(json.dumps(created.pop("tokens")))
    log(f"creation median {created['creation']['median_ms']} ms")
    return created


def _migrate(env: Environment, run_dir: Path, executor: str | None) -> dict:
    command = [str(REPO_ROOT / "manage.py"), "migrate_schemas", "--noinput"]
    if executor:
        command.append(f"--executor={executor}")
    log(f"migrate_schemas (executor: {executor or 'parlor'}), nothing to migrate")
    started = time.perf_counter()
    done = _django(env, command)
    seconds = time.perf_counter() - started
    log(f"  {seconds:.1f} s")
    return {
        "executor": executor or "parlor",
        "seconds": round(seconds, 2),
        "last_line": (done.stdout.strip().splitlines() or [""])[-1],
    }


def _django(env: Environment, arguments: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *arguments],
        env={**os.environ, **parlor_environment(env)},
        cwd=REPO_ROOT,
        check=True,
        capture_output=True,
        text=True,
    )


def _sockets_open(env: Environment, postgres, run_dir: Path) -> dict:
    tokens = json.loads((run_dir / "tokens.json").read_text())
    server = server_start("parlor-uvicorn", env)
    try:
        log(f"opening {len(tokens)} sockets, each joining a room")

        def measure() -> dict:
            return {
                "postgres": _postgres_usage(postgres, env.parlor_database_url),
                "server_rss_mib": round(procfs.rss_bytes(server.pids()) / 2**20, 1),
            }

        return {"sockets": len(tokens), **asyncio.run(_open_all(server.base_url, tokens, measure))}
    finally:
        server.stop()


async def _open_all(base_url: str, tokens: list[str], measure) -> dict:
    """Open a socket per token, each joining a room; `measure()` while they are all open."""
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
    connections: list = []
    started = time.perf_counter()

    async def one(token: str) -> bool:
        async with gate:
            return await _open_one(base_url, token, connections)

    results = await asyncio.gather(*(one(token) for token in tokens), return_exceptions=True)
    seconds = time.perf_counter() - started
    joined = sum(1 for result in results if result is True)
    try:
        usage = await asyncio.to_thread(measure)
    finally:
        for connection in connections:
            connection.close()
    return {
        "joined": joined,
        "failed": len(tokens) - joined,
        "open_seconds": round(seconds, 2),
        **usage,
    }


async def _open_one(base_url: str, token: str, connections: list) -> bool:
    joined = asyncio.get_running_loop().create_future()

    def on_text(data: bytes) -> None:
        frame_type = orjson.loads(data).get("type")
        if frame_type in ("joined", "error") and not joined.done():
            joined.set_result(frame_type == "joined")

    connection = await wsclient.connect(
        f"{base_url}/ws/v1/",
        on_text=on_text,
        subprotocols=["parlor.v1", "parlor.token." + token],
        origin=ORIGIN,
    )
    connections.append(connection)
    connection.send_text(orjson.dumps({"type": "join", "room": "lobby", "id": "j"}))
    return await asyncio.wait_for(joined, JOIN_TIMEOUT)


def _postgres_usage(postgres, database_url: str) -> dict:
    pids = postgres.pids()
    with psycopg.connect(database_url, autocommit=True) as connection:
        rows = connection.execute(
            "SELECT coalesce(datname, '(background)'), count(*) FROM pg_stat_activity"
            " GROUP BY 1 ORDER BY 1"
        ).fetchall()
        schemas, relations, size = connection.execute(
            "SELECT (SELECT count(*) FROM pg_namespace), (SELECT count(*) FROM pg_class),"
            " pg_database_size(current_database())"
        ).fetchone()
    return {
        "processes": len(pids),
        "rss_mib": round(procfs.rss_bytes(pids) / 2**20, 1),
        "pss_mib": round(sum(_pss_bytes(pid) for pid in pids) / 2**20, 1),
        "connections": dict(rows),
        "schemas": schemas,
        "relations": relations,
        "database_mib": round(size / 2**20, 1),
    }


def _pss_bytes(pid: int) -> int:
    # PSS shares each shared page among its users: RSS counts shared_buffers once per backend.
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return 0
    return 0


def _load() -> str:
    return Path("/proc/loadavg").read_text().strip()


if __name__ == "__main__":
    sys.exit(main())
