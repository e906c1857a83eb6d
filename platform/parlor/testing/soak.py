"""`make soak`: the production topology under steady load for SOAK_MINUTES (default 30).

Starts what the topology test starts (parlor.testing.topology: two app processes behind nginx
over TLS, on a fresh database next to DATABASE_URL's, with REDIS_URL), keeps SOAK_CLIENTS
clients sending one message every SOAK_INTERVAL seconds each (reconnecting once a minute, so
handshakes are exercised too), samples each app's resident memory and open file descriptors,
and reports their slope over the run's second half (after warm-up), the log's errors, and
acked against stored. Exits 1 if a message was lost or doubled or the log has an error.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

from parlor.testing.topology import (
    drop_database,
    fresh_database,
    load_report,
    platform_start,
    steady_sender,
    stored_client_ids,
    token_issue,
)

SAMPLE_SECONDS = 5.0


def rss_kib(pid: int) -> int:
    """Return the resident memory of process `pid` in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def open_fds(pid: int) -> int:
    """Return how many file descriptors process `pid` holds."""
    return len(os.listdir(f"/proc/{pid}/fd"))


def slope_per_hour(samples: list[tuple[float, float]]) -> float:
    """Return the least-squares slope of (seconds, value) samples, per hour."""
    if len(samples) < 2:
        return 0.0
    count = len(samples)
    mean_t = sum(t for t, _ in samples) / count
    mean_v = sum(v for _, v in samples) / count
    spread = sum((t - mean_t) ** 2 for t, _ in samples)
    if spread == 0:
        return 0.0
    return sum((t - mean_t) * (v - mean_v) for t, v in samples) / spread * 3600


def log_errors(text: str) -> list[str]:
    """Return the log's lines at ERROR or worse (JSON lines, or plain tracebacks)."""
    errors = []
    for line in text.splitlines():
        try:
            level = json.loads(line).get("level", "")
        except ValueError:
            level = "ERROR" if line.startswith(("Traceback", "ERROR")) else ""
        if level in {"ERROR", "CRITICAL"}:
            errors.append(line[:300])
    return errors


async def soak_load(topology, tokens: list[str], seconds: float, interval: float) -> dict:
    """Run the senders for `seconds`; each reconnects every minute by ending and restarting."""
    report = load_report()
    url = f"wss://127.0.0.1:{topology.https_port}/ws/v1/"
    deadline = time.monotonic() + seconds
    round_number = 0
    while time.monotonic() < deadline:
        round_number += 1
        stop = asyncio.Event()
        senders = [
            asyncio.create_task(
                steady_sender(url, token, f"{index}r{round_number}", stop, report, interval)
            )
            for index, token in enumerate(tokens)
        ]
        await asyncio.sleep(min(60.0, max(0.0, deadline - time.monotonic())))
        stop.set()
        await asyncio.wait_for(asyncio.gather(*senders), 60)
    return report


def main() -> int:
    """Run the soak and print its report; return the exit status."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parlor.settings.test")
    django.setup()
    minutes = float(os.environ.get("SOAK_MINUTES", "30"))
    clients = int(os.environ.get("SOAK_CLIENTS", "20"))
    interval = float(os.environ.get("SOAK_INTERVAL", "0.2"))
    base_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not base_url or not redis_url:
        print("soak: set DATABASE_URL and REDIS_URL (the machine's PostgreSQL and Redis)")
        return 2
    database_url = fresh_database(base_url, suffix="_soak")
    directory = Path(tempfile.mkdtemp(prefix="parlor-soak-"))
    topology = platform_start(
        directory=directory, database_url=database_url, redis_url=redis_url,
        allowed_origin="https://shop.example", extra_env={},
    )  # fmt: skip
    samples: dict[int, dict[str, list[tuple[float, float]]]] = {
        index: {"rss_kib": [], "fds": []} for index in range(len(topology.apps))
    }
    started = time.monotonic()
    done = threading.Event()

    def sample() -> None:
        while not done.wait(SAMPLE_SECONDS):
            now = time.monotonic() - started
            for index, app in enumerate(topology.apps):
                samples[index]["rss_kib"].append((now, rss_kib(app.process.pid)))
                samples[index]["fds"].append((now, open_fds(app.process.pid)))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        tokens = [token_issue(topology, f"soaker-{index}") for index in range(clients)]
        report = asyncio.run(soak_load(topology, tokens, minutes * 60, interval))
        done.set()
        sampler.join()
        stored = stored_client_ids(topology)
        errors = [line for app in topology.apps for line in log_errors(app.log())]
        half = minutes * 60 / 2
        result = {
            "minutes": minutes,
            "clients": clients,
            "acked": len(report["acked"]),
            "stored": len(stored),
            "stored_twice": len(stored) - len(set(stored)),
            "lost": len(set(report["acked"]) - set(stored)),
            "connects": report["connects"],
            "failed_connects": len(report["errors"]),
            "log_errors": errors[:20],
            "apps": {
                f"app{index}": {
                    f"{name}_{edge}": values[0][1] if edge == "first" else values[-1][1]
                    for name, values in series.items()
                    for edge in ("first", "last")
                    if values
                }
                | {
                    f"{name}_slope_per_hour": round(
                        slope_per_hour([s for s in values if s[0] >= half]), 1
                    )
                    for name, values in series.items()
                }
                for index, series in samples.items()
            },
        }
        print(json.dumps(result, indent=2))
        failed = result["lost"] or result["stored_twice"] or errors
        return 1 if failed else 0
    finally:
        done.set()
        topology.stop()
        drop_database(database_url, base_url)


if __name__ == "__main__":
    sys.exit(main())
