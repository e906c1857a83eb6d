"""The services a benchmark run starts: Redis and PostgreSQL, pinned to the server core."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import redis

from benchmarks import procfs
from benchmarks.config import REPO_ROOT, SERVER_CORE
from parlor.testing.redis import free_port, redis_answers


def pinned(core: int, command: list[str]) -> list[str]:
    """Return `command` prefixed to run on CPU `core` only (when taskset exists)."""
    if shutil.which("taskset") is None or os.cpu_count() == 1:
        return command
    return ["taskset", "-c", str(core), *command]


def repin(pids: list[int], core: int) -> None:
    """Move every thread of `pids` (already running) to CPU `core` (when taskset exists)."""
    if shutil.which("taskset") is None or os.cpu_count() == 1:
        return
    for pid in pids:
        subprocess.run(
            ["taskset", "-a", "-p", "-c", str(core), str(pid)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )


@dataclass
class RedisServer:
    """A redis-server started for this run."""

    process: subprocess.Popen
    url: str

    def flush(self) -> None:
        """Forget every key, so each server under test starts from an empty Redis."""
        redis.Redis.from_url(self.url).flushall()

    def pids(self) -> list[int]:
        return [self.process.pid]

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def redis_start(timeout: float = 10.0) -> RedisServer:
    """Start a redis-server without persistence on a free port, pinned to the server core."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError(
            "redis-server is not on PATH; install it (apt-get install redis-server)."
        )
    port = free_port()
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly"]
    command += ["no", "--maxclients", "20000"]
    process = subprocess.Popen(
        pinned(SERVER_CORE, command), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if redis_answers(url):
            return RedisServer(process=process, url=url)
        time.sleep(0.05)
    process.kill()
    raise RuntimeError("redis-server did not answer PING")


@dataclass
class PostgresServer:
    """The embedded PostgreSQL under benchmarks/.work/pg, started pinned to the server core."""

    data_dir: Path
    url: str
    postmaster_pid: int

    def pids(self) -> list[int]:
        return procfs.descendants(self.postmaster_pid)

    def stop(self) -> None:
        subprocess.run(
            [sys.executable, "-c", _STOP_SCRIPT, str(self.data_dir)],
            env=_python_env(),
            check=False,
        )


_START_SCRIPT = """
import sys
from pathlib import Path
from parlor.embedded import embedded_database_url
print(embedded_database_url(Path(sys.argv[1])))
"""

_STOP_SCRIPT = """
import sys
from pathlib import Path
from parlor.embedded import embedded_database_stop
embedded_database_stop(Path(sys.argv[1]))
"""


def _python_env() -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), str(REPO_ROOT / "platform")]),
    }


def postgres_start(data_dir: Path, *, pin: bool = True) -> PostgresServer:
    """Start PostgreSQL from a process pinned to the server core, so the postmaster and every
    backend it forks inherit the pinning (unless `pin` is false); return its URL."""
    # A postmaster left running from an earlier run may have other pinning: restart it.
    subprocess.run(
        [sys.executable, "-c", _STOP_SCRIPT, str(data_dir)], env=_python_env(), check=False
    )
    start = [sys.executable, "-c", _START_SCRIPT, str(data_dir)]
    done = subprocess.run(
        pinned(SERVER_CORE, start) if pin else start,
        env=_python_env(),
        check=True,
        capture_output=True,
        text=True,
    )
    url = done.stdout.strip().splitlines()[-1]
    pid_file = data_dir / "pg" / "postmaster.pid"
    postmaster_pid = int(pid_file.read_text().split()[0])
    return PostgresServer(data_dir=data_dir, url=url, postmaster_pid=postmaster_pid)
