"""Quota refusals counted per tenant, per quota and per day, for the tenant's usage page.

A tenant flooding at its limit is refused many times a second, so a refusal must not cost a
write each: refusals are added up in this process and written at most once a second, one
upsert per (tenant, quota) (`quota_refusals_flush`). Sync callers flush at once if the last
flush is that old; async callers (the socket path) schedule a flush on the event loop.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import Counter
from datetime import date

from django.db import connection
from django.utils import timezone

from parlor.base.db import in_public_schema
from tenants.models import QuotaRefusal

logger = logging.getLogger(__name__)
FLUSH_INTERVAL_SECONDS = 1.0


class RefusalCounter:
    """Refusals of this process not yet written, and when they were last written."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pending: Counter[tuple[int, str]] = Counter()
        self.flushed_at = 0.0
        self.flush_scheduled = False

    def note(self, tenant_id: int, quota: str) -> None:
        """Count one refusal of `tenant_id` over `quota` (memory only)."""
        with self.lock:
            self.pending[(tenant_id, quota)] += 1

    def take(self) -> Counter[tuple[int, str]]:
        """Return the pending counts and start afresh."""
        with self.lock:
            pending, self.pending = self.pending, Counter()
            self.flushed_at = time.monotonic()
            self.flush_scheduled = False
            return pending

    def due(self) -> bool:
        """Return whether a flush is allowed now (the last one is a second old)."""
        return time.monotonic() - self.flushed_at >= FLUSH_INTERVAL_SECONDS


REFUSALS = RefusalCounter()

_TABLE = QuotaRefusal._meta.db_table
_TENANTS = QuotaRefusal._meta.get_field("tenant").related_model._meta.db_table
# One statement per (tenant, quota): adds to the day's count; a tenant deleted meanwhile has
# no row to count against, so its refusals are dropped rather than failing the batch.
UPSERT = (
    f"INSERT INTO {_TABLE} (tenant_id, day, quota, count, last_at)"  # noqa: S608
    f" SELECT %s, %s, %s, %s, %s WHERE EXISTS (SELECT 1 FROM {_TENANTS} WHERE id = %s)"
    " ON CONFLICT (tenant_id, day, quota) DO UPDATE"
    f" SET count = {_TABLE}.count + EXCLUDED.count, last_at = EXCLUDED.last_at"
)


def quota_refusal_record(*, tenant_id: int, quota: str) -> None:
    """Count a refusal from sync code; written now if the last write is a second old, else
    by a timer within a second."""
    REFUSALS.note(tenant_id, quota)
    if REFUSALS.due():
        quota_refusals_flush()
        return
    with REFUSALS.lock:
        if REFUSALS.flush_scheduled:
            return
        REFUSALS.flush_scheduled = True
    timer = threading.Timer(FLUSH_INTERVAL_SECONDS, _flush_from_timer)
    timer.daemon = True
    timer.start()


def _flush_from_timer() -> None:
    try:
        quota_refusals_flush()
    except Exception as error:  # counts only: never let a timer thread raise
        logger.warning("quota refusals not written: %s", type(error).__name__)
    finally:
        connection.close()  # this thread's own connection


def quota_refusal_note(*, tenant_id: int, quota: str) -> None:
    """Count a refusal from async code (no query here); a flush runs on the loop within ~1 s."""
    REFUSALS.note(tenant_id, quota)
    if REFUSALS.flush_scheduled:
        return
    REFUSALS.flush_scheduled = True
    delay = 0.0 if REFUSALS.due() else FLUSH_INTERVAL_SECONDS
    asyncio.get_running_loop().call_later(delay, _flush_soon)


def _flush_soon() -> None:
    task = asyncio.ensure_future(in_public_schema(quota_refusals_flush))
    task.add_done_callback(_flush_done)


def _flush_done(task: asyncio.Future) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.warning("quota refusals not written: %s", type(task.exception()).__name__)


def quota_refusals_flush() -> None:
    """Write this process's pending refusal counts (sync, public schema)."""
    pending = REFUSALS.take()
    if not pending:
        return
    now = timezone.now()
    rows = [
        (tenant_id, now.date(), quota, count, now, tenant_id)
        for (tenant_id, quota), count in sorted(pending.items())
    ]
    with connection.cursor() as cursor:
        cursor.executemany(UPSERT, rows)


def quota_refusals_list(*, tenant_id: int, since: date) -> list[QuotaRefusal]:
    """Return the tenant's refusal counts from `since` on, newest day first."""
    return list(
        QuotaRefusal.objects.filter(tenant_id=tenant_id, day__gte=since).order_by("-day", "quota")
    )
