"""Hand a coroutine from sync code to the server's event loop without waiting for it.

Sync producers (a view, the dashboard, a revocation) publish on the channel layer after their
transaction commits. Blocking the worker thread on the loop through `async_to_sync` would tie
a request's latency to Redis; instead the coroutine is scheduled on the loop the ASGI server
runs, and a failure is logged by its type only (never a payload).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Coroutine
from concurrent.futures import Future
from typing import Any

from asgiref.sync import SyncToAsync

logger = logging.getLogger(__name__)


def coroutine_hand_off(coroutine: Coroutine[Any, Any, Any], *, what: str) -> None:
    """Run `coroutine` on the server's loop without waiting; with no server loop, run it here."""
    loop = server_loop()
    if loop is None:
        # No server loop in this process (a management command, a script): run it here.
        try:
            asyncio.run(coroutine)
        except Exception as error:
            _log(what, error)
        return
    future = asyncio.run_coroutine_threadsafe(coroutine, loop)
    future.add_done_callback(lambda done: _log_failure(what, done))


def server_loop() -> asyncio.AbstractEventLoop | None:
    """Return the running loop this worker thread serves, if any."""
    # A sync view or database call under an ASGI server runs in asgiref's worker thread,
    # which records the loop it serves.
    local = SyncToAsync.threadlocal
    if getattr(local, "main_event_loop_pid", None) != os.getpid():
        return None
    loop = getattr(local, "main_event_loop", None)
    return loop if loop is not None and loop.is_running() and not loop.is_closed() else None


def _log_failure(what: str, future: Future) -> None:
    if not future.cancelled() and future.exception() is not None:
        _log(what, future.exception())


def _log(what: str, error: BaseException) -> None:
    logger.warning("%s failed: %s", what, type(error).__name__)
