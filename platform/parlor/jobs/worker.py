"""Run a procrastinate worker, with a loop that puts back the jobs of dead workers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys

from django.conf import settings
from procrastinate.contrib.django import app

from parlor.base.conf import setting
from parlor.jobs.stalled import stalled_jobs_retry

logger = logging.getLogger(__name__)


def worker_command(*, concurrency: int = 4) -> list[str]:
    """Return the command line of a worker process: the one place that builds it."""
    manage = settings.BASE_DIR / "manage.py"
    return [sys.executable, str(manage), "jobsworker", "--concurrency", str(concurrency)]


async def worker_run(*, concurrency: int = 4) -> None:
    """Run jobs until cancelled (SIGINT/SIGTERM), recovering stalled jobs every few seconds."""
    heartbeat = float(setting("JOBS_HEARTBEAT_SECONDS"))
    stalled_after = float(setting("JOBS_STALLED_SECONDS"))
    # The Django connector cannot LISTEN nor serve a long-running worker: procrastinate's own
    # psycopg connector to the same database does.
    with app.replace_connector(app.connector.get_worker_connector()) as worker_app:
        async with worker_app.open_async():
            recovery = asyncio.create_task(_recover_forever(stalled_after, heartbeat))
            try:
                await worker_app.run_worker_async(
                    concurrency=concurrency,
                    fetch_job_polling_interval=float(setting("JOBS_POLL_SECONDS")),
                    update_heartbeat_interval=heartbeat,
                    stalled_worker_timeout=stalled_after,
                    install_signal_handlers=True,
                    # Finished jobs would pile up forever; their outcome lives in the tasks' own
                    # tables (e.g. webhook deliveries). Failed ones stay for inspection.
                    delete_jobs="successful",
                )
            finally:
                recovery.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await recovery


async def _recover_forever(stalled_after: float, interval: float) -> None:
    while True:
        try:
            await stalled_jobs_retry(seconds_since_heartbeat=stalled_after)
        except Exception:  # the database may be restarting: try again next round
            logger.exception("stalled job recovery failed")
        await asyncio.sleep(interval)
