"""Real Parlor server processes for tests: started on a free port, stopped after the test."""

from __future__ import annotations

import os
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from parlor.env import REPO_ROOT
from parlor.serving.command import UVICORN, server_command
from parlor.testing.redis import free_port


@dataclass
class ServerProcess:
    """A running ASGI server process serving Parlor on `port`."""

    process: subprocess.Popen
    port: int
    log_path: Path

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def stop(self) -> None:
        """Stop the process, waiting up to five seconds before killing it."""
        self.process.terminate()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)

    def log(self) -> str:
        """Return what the server wrote to stdout and stderr so far."""
        return self.log_path.read_text(errors="replace")


def start_server(
    *,
    database_url: str,
    log_dir: Path,
    redis_url: str = "",
    extra_env: dict[str, str] | None = None,
    server: str = UVICORN,
    timeout: float = 30.0,
) -> ServerProcess:
    """Start Parlor's ASGI app on the server `make run` and production use; wait for /healthz."""
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "parlor.settings.test",
        "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), str(REPO_ROOT / "platform")]),
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        **(extra_env or {}),
    }
    log_path = log_dir / f"server-{port}.log"
    command = server_command(host="127.0.0.1", port=port, server=server)
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    running = ServerProcess(process=process, port=port, log_path=log_path)
    _wait_healthy(running, timeout)
    return running


def _wait_healthy(server: ServerProcess, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited with {server.process.returncode}:\n{server.log()}")
        try:
            with urllib.request.urlopen(f"{server.http_url}/healthz", timeout=1) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"server did not answer /healthz within {timeout}s:\n{server.log()}")
