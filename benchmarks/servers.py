"""Launchers for the servers under test, each pinned to the server core.

* `bare`: peers/bare.py, the asyncio `websockets` ceiling.
* `tutorial`: peers/tutorial, the Channels tutorial (parts 2 and 3) under Daphne.
* `parlor-daphne`, `parlor-uvicorn`: Parlor in its production settings (PostgreSQL,
  channels-redis on Redis), under Daphne or under uvicorn with uvloop.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from benchmarks.config import REPO_ROOT, SERVER_CORE
from benchmarks.infra import pinned
from parlor.serving.command import server_command
from parlor.testing.redis import free_port

TUTORIAL_DIR = REPO_ROOT / "benchmarks" / "peers" / "tutorial"
SERVERS = ("bare", "tutorial", "parlor-daphne", "parlor-uvicorn", "parlor-uvicorn-legacy")
DEFAULT_SERVERS = ("bare", "tutorial", "parlor-daphne", "parlor-uvicorn")
PROTOCOLS = {
    "bare": "room-url",
    "tutorial": "room-url",
    "parlor-daphne": "parlor",
    "parlor-uvicorn": "parlor",
    "parlor-uvicorn-legacy": "parlor",
}
DESCRIPTIONS = {
    "bare": "bare asyncio `websockets` broadcast (uvloop; no framework, auth or storage)",
    "tutorial": "Channels tutorial parts 2-3 (async ChatConsumer, RedisChannelLayer, Daphne)",
    "parlor-daphne": "Parlor (auth, tenancy, PostgreSQL persistence) on Daphne",
    "parlor-uvicorn": "Parlor (auth, tenancy, PostgreSQL persistence) on uvicorn + uvloop "
    "(`--ws websockets-sansio`)",
    "parlor-uvicorn-legacy": "Parlor on uvicorn + uvloop with its deprecated `--ws websockets`",
}

# No access log on any server (uvicorn: --no-access-log): logging every frame would measure
# the terminal. Daphne has no permessage-deflate unless configured; the load generator
# offers it once per run and records that nobody accepted it.
DAPHNE_OPTIONS = ("-b", "127.0.0.1", "--verbosity", "0")


@dataclass
class RunningServer:
    """A server under test, listening on 127.0.0.1:`port`."""

    name: str
    process: subprocess.Popen
    port: int
    log_path: Path

    @property
    def protocol(self) -> str:
        return PROTOCOLS[self.name]

    @property
    def base_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def pids(self) -> list[int]:
        return [self.process.pid]

    def stop(self) -> None:
        """Stop the server, killing it if it does not exit within ten seconds."""
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


@dataclass(frozen=True)
class Environment:
    """What the servers need from the run: Redis, and for Parlor its database and secret."""

    redis_url: str
    log_dir: Path
    parlor_database_url: str = ""
    parlor_secret_key: str = ""
    tutorial_db: str = ""


def parlor_environment(env: Environment) -> dict[str, str]:
    """Return the environment variables of Parlor in its production settings."""
    return {
        "DJANGO_SETTINGS_MODULE": "benchmarks.parlor_settings",
        "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), str(REPO_ROOT / "platform")]),
        "SECRET_KEY": env.parlor_secret_key,
        "DATABASE_URL": env.parlor_database_url,
        "REDIS_URL": env.redis_url,
        "PARLOR_CHANNEL_PREFIX": "bench",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
    }


def server_start(
    name: str, env: Environment, timeout: float = 60.0, *, core: int = SERVER_CORE
) -> RunningServer:
    """Start server `name` pinned to `core`; return once it accepts connections."""
    port = free_port()
    command, extra_env, cwd = _command(name, port, env)
    log_path = env.log_dir / f"{name}-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            pinned(core, command),
            env={**os.environ, **extra_env},
            cwd=cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = RunningServer(name=name, process=process, port=port, log_path=log_path)
    _wait_ready(server, timeout, health=name.startswith("parlor"))
    return server


def _command(name: str, port: int, env: Environment) -> tuple[list[str], dict[str, str], Path]:
    python = sys.executable
    if name == "bare":
        module = ["-m", "benchmarks.peers.bare", "--port", str(port)]
        return [python, *module], {"PYTHONPATH": str(REPO_ROOT)}, REPO_ROOT
    if name == "tutorial":
        tutorial_env = {
            "PYTHONPATH": str(TUTORIAL_DIR),
            "DJANGO_SETTINGS_MODULE": "mysite.settings",
            "BENCH_REDIS_URL": env.redis_url,
            "BENCH_TUTORIAL_DB": env.tutorial_db,
        }
        command = [python, "-m", "daphne", *DAPHNE_OPTIONS, "-p", str(port)]
        return [*command, "mysite.asgi:application"], tutorial_env, TUTORIAL_DIR
    if name in ("parlor-daphne", "parlor-uvicorn"):
        # Parlor's one server command line (parlor.serving.command), as in production.
        server = name.removeprefix("parlor-")
        command = server_command(host="127.0.0.1", port=port, server=server, log_level="warning")
        if os.environ.get("BENCH_PROFILE") and command[1:3] == ["-m", "uvicorn"]:
            # For experiments only: the whole server run under cProfile, written on shutdown.
            profile = env.log_dir / f"{name}-{port}.prof"
            command = [command[0], "-m", "benchmarks.profiled", str(profile), *command[1:]]
        return command, parlor_environment(env), REPO_ROOT
    if name.startswith("parlor-uvicorn"):
        ws = "websockets"
        command = [python, "-m", "uvicorn", "--host", "127.0.0.1", "--port", str(port)]
        command += ["--loop", "uvloop", "--http", "httptools", "--ws", ws]
        command += ["--ws-per-message-deflate", "false", "--ws-max-size", "65536"]
        command += ["--no-access-log", "--lifespan", "off"]
        command += ["--log-level", "warning", "parlor.asgi:application"]
        return command, parlor_environment(env), REPO_ROOT
    raise ValueError(f"unknown server {name!r}; choose from {', '.join(SERVERS)}")


def _wait_ready(server: RunningServer, timeout: float, *, health: bool) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited:\n{server.log_tail()}")
        if _answers(server.port, health):
            return
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"{server.name} did not start within {timeout}s:\n{server.log_tail()}")


def _answers(port: int, health: bool) -> bool:
    if not health:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            return False
    try:
        url = f"http://127.0.0.1:{port}/healthz"
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False
