"""Jobs left `doing` by a worker that died (killed, crashed, lost its host) are run again."""

from __future__ import annotations

import logging

from django.utils import timezone
from procrastinate.contrib.django import app

logger = logging.getLogger(__name__)


async def stalled_jobs_retry(*, seconds_since_heartbeat: float) -> int:
    """Put back in the queue every job whose worker sent no heartbeat for that long; count them."""
    # procrastinate notices a dead worker but leaves its jobs `doing`: retrying them is ours to
    # do (its documented recipe). Each task is idempotent or at least once by design.
    manager = app.job_manager
    stalled = await manager.get_stalled_jobs(seconds_since_heartbeat=seconds_since_heartbeat)
    count = 0
    for job in stalled:
        try:
            await manager.retry_job(job, retry_at=timezone.now())
        except Exception:  # another worker's recovery put it back first
            logger.info("job %s was already put back", job.id)
            continue
        logger.warning("job %s (%s) of a dead worker put back in the queue", job.id, job.task_name)
        count += 1
    return count
