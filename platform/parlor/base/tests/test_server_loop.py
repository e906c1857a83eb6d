"""parlor.base.server_loop: sync code hands coroutines to the server's loop, never blocks on it."""

from __future__ import annotations

import asyncio
import logging
import threading

import pytest
from asgiref.sync import sync_to_async

from parlor.base.server_loop import coroutine_hand_off, server_loop


async def _record(where: list, event: asyncio.Event | None = None) -> None:
    where.append(threading.get_ident())
    if event is not None:
        event.set()


def test_with_no_server_loop_the_coroutine_runs_here():
    ran: list[int] = []
    assert server_loop() is None
    coroutine_hand_off(_record(ran), what="test")
    assert ran == [threading.get_ident()]


async def test_from_a_worker_thread_the_coroutine_runs_on_the_servers_loop():
    ran: list[int] = []
    done = asyncio.Event()
    loop_thread = threading.get_ident()

    def from_sync() -> int:
        assert server_loop() is not None
        coroutine_hand_off(_record(ran, done), what="test")
        return threading.get_ident()

    worker = await sync_to_async(from_sync, thread_sensitive=False)()
    await asyncio.wait_for(done.wait(), timeout=5)
    assert worker != loop_thread
    assert ran == [loop_thread]


async def _fail() -> None:
    raise RuntimeError("a secret body must not be logged")


async def test_a_failure_is_logged_by_type_only(caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.WARNING, logger="parlor.base.server_loop")
    await sync_to_async(lambda: coroutine_hand_off(_fail(), what="publishing"))()

    async def logged() -> None:
        while not caplog.records:
            await asyncio.sleep(0.01)

    await asyncio.wait_for(logged(), timeout=5)
    assert caplog.records[0].getMessage() == "publishing failed: RuntimeError"
    assert "secret" not in caplog.text
