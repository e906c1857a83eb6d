"""The hot path's database connections: a psycopg 3 AsyncConnectionPool on the event loop.

The chat hot path (join, send, read, history, gap fill) talks to PostgreSQL from the event
loop, with no hop to Channels' one database thread and no Django cursor set-up per call.
One pool per event loop (a pool's connections belong to the loop that opened them); it is
closed with its loop. It reaches the same database as Django (`DATABASES["default"]`).
"""

from __future__ import annotations

import asyncio
import logging
import types
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import psycopg
from django.db import connections
from psycopg import AsyncConnection
from psycopg.conninfo import make_conninfo
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from parlor.base.conf import setting
from parlor.base.errors import ApplicationError

logger = logging.getLogger(__name__)


class DatabaseFailed(ApplicationError):
    """A hot-path database call failed: nothing of it was stored or acknowledged."""

    code = "internal"
    status = 503

    def __init__(self, *, connection_lost: bool, backend: str = "database") -> None:
        super().__init__("the server failed; nothing was stored half-way; retry.")
        # True when the database or the pool failed rather than one statement.
        self.connection_lost = connection_lost
        # What failed, for parlor_backend_errors_total (counted by the caller: base reports
        # nothing itself): "database_pool" when no connection was free in time.
        self.backend = backend


_pools: dict[asyncio.AbstractEventLoop, asyncio.Task[AsyncConnectionPool]] = {}


@asynccontextmanager
async def hot_connection() -> AsyncIterator[AsyncConnection]:
    """Lend a pooled autocommit connection; any database failure raises DatabaseFailed.

    A pool with no free connection within DB_POOL_TIMEOUT_SECONDS fails the same way.
    """
    pool = await hot_pool()
    try:
        async with pool.connection() as connection:
            yield connection
    except psycopg.Error as error:
        # The class and SQLSTATE only: a driver's message may quote the row, so the body.
        logger.warning(
            "hot path database call failed: %s (sqlstate %s)",
            type(error).__name__,
            error.sqlstate or "-",
        )
        backend = "database_pool" if isinstance(error, PoolTimeout) else "database"
        raise DatabaseFailed(connection_lost=_connection_lost(error), backend=backend) from None


async def hot_pool() -> AsyncConnectionPool:
    """Return this event loop's pool, opening it on first use."""
    loop = asyncio.get_running_loop()
    opening = _pools.get(loop)
    if opening is None:
        opening = _pools[loop] = loop.create_task(_pool_open())
        _close_with(loop)
    if opening.done():
        return opening.result()
    return await asyncio.shield(opening)


async def hot_pool_close() -> None:
    """Close this event loop's pool now, if it has one; the next use opens a new one.

    Call it before the loop cancels its tasks (asyncio.Runner's close does that first, and the
    loop's own close only after): psycopg_pool swallows a cancellation that lands while it is
    connecting and retries with backoff, so a pool still opening would hold the loop's
    shutdown for up to its reconnect timeout.
    """
    opening = _pools.pop(asyncio.get_running_loop(), None)
    if opening is None:
        return
    try:
        pool = await opening
    except Exception:
        return  # it never opened: nothing to close
    await _pool_close(pool)


def _connection_lost(error: psycopg.Error) -> bool:
    # No SQLSTATE: the client gave up (connection closed, pool timeout); class 08 is a
    # connection exception and 57 an operator's intervention (shutdown, restart).
    return error.sqlstate is None or error.sqlstate[:2] in {"08", "57"}


def database_conninfo() -> str:
    """Return the libpq connection string of Django's default database (the test one in tests)."""
    settings = connections["default"].settings_dict
    return make_conninfo(
        dbname=settings["NAME"],
        user=settings.get("USER") or None,
        password=settings.get("PASSWORD") or None,
        host=settings.get("HOST") or None,
        port=str(settings["PORT"]) if settings.get("PORT") else None,
        application_name="parlor-hot-path",
    )


async def _pool_open() -> AsyncConnectionPool:
    pool = AsyncConnectionPool(
        database_conninfo(),
        min_size=setting("DB_POOL_MIN_SIZE"),
        max_size=setting("DB_POOL_MAX_SIZE"),
        # How long a caller waits for a free connection before its frame answers `internal`.
        timeout=setting("DB_POOL_TIMEOUT_SECONDS"),
        kwargs={"autocommit": True},
        configure=_session_configure,
        name="parlor-hot-path",
        open=False,
    )
    # Not waiting: a database that is down now fails the first calls, not the process start.
    await pool.open(wait=False)
    return pool


async def _session_configure(connection: psycopg.AsyncConnection) -> None:
    """Plan each prepared hot-path statement once (PostgreSQL's generic plan), not per call."""
    # The hot path's statements are keyed lookups and writes whose best plan does not depend
    # on the values. Left to choose, PostgreSQL kept re-planning the batch insert: ~1.4 ms of
    # CPU a batch, more than running it (issue 11). The statements are written so that their
    # generic plan is right even when made on a new tenant's empty tables (test_plans).
    await connection.execute("SET plan_cache_mode = force_generic_plan")


async def _pool_close(pool: AsyncConnectionPool) -> None:
    try:
        # Bounded: a loop that is shutting down must not wait on a database that is gone.
        await asyncio.wait_for(pool.close(timeout=1), timeout=3)
    except BaseException:
        # The loop's shutdown has cancelled the pool's workers (or the close timed out): its
        # connections are then closed as they are freed; nothing else waits on them.
        return


def _close_with(loop: asyncio.AbstractEventLoop) -> None:
    # As channels-redis does for its per-loop connections: close the pool before its loop.
    original_close = loop.close

    def close(self: asyncio.AbstractEventLoop) -> None:
        opening = _pools.pop(self, None)
        opened = opening is not None and opening.done() and not opening.cancelled()
        if opened and opening.exception() is None and not self.is_running():
            self.run_until_complete(_pool_close(opening.result()))
        self.close = original_close  # type: ignore[method-assign]
        original_close()

    loop.close = types.MethodType(close, loop)  # type: ignore[method-assign]
