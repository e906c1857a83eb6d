"""Real job-worker processes for tests: `manage.py jobsworker` against the test database."""

from __future__ import annotations

import os
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

from parlor.env import REPO_ROOT
from parlor.jobs.worker import worker_command


@dataclass
class WorkerProcess:
    """A running `manage.py jobsworker`."""

    process: subprocess.Popen
    log_path: Path

    def kill(self) -> None:
        """Kill it at once (SIGKILL): no cleanup, as in a crash or a lost host."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        """Stop it gracefully, killing it after ten seconds."""
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.kill()

    def log(self) -> str:
        """Return what the worker wrote so far."""
        return self.log_path.read_text(errors="replace")


def start_worker(
    *, database_url: str, log_dir: Path, extra_env: dict[str, str] | None = None
) -> WorkerProcess:
    """Start a job worker on the test settings and `database_url`."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "parlor.settings.test",
        "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), str(REPO_ROOT / "platform")]),
        "DATABASE_URL": database_url,
        **(extra_env or {}),
    }
    log_path = log_dir / f"worker-{len(list(log_dir.glob('worker-*')))}.log"
    command = worker_command(concurrency=2)
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    return WorkerProcess(process=process, log_path=log_path)
