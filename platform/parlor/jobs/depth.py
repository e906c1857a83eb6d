"""parlor_job_queue_depth: jobs waiting per queue, read from procrastinate at scrape time."""

from __future__ import annotations

import logging

from django.db import DatabaseError, connection
from django_tenants.utils import schema_context

from parlor.observability import metrics

# The queues Parlor's tasks name (webhooks, parlor.subjects.tasks): a closed label set.
QUEUES = frozenset({"webhooks", "maintenance"})

logger = logging.getLogger(__name__)


def job_queue_depth_refresh() -> None:
    """Set the gauge for every known queue (0 when empty); count a database failure."""
    try:
        with schema_context("public"), connection.cursor() as cursor:
            cursor.execute(
                "SELECT queue_name, count(*) FROM procrastinate_jobs"
                " WHERE status = 'todo' GROUP BY queue_name"
            )
            rows = cursor.fetchall()
    except DatabaseError as error:
        metrics.backend_errors.labels("database").inc()
        logger.warning("job queue depth not read: %s", type(error).__name__)
        return
    depths = dict.fromkeys(QUEUES, 0)
    for queue, count in rows:
        label = metrics.bounded(queue, QUEUES)
        depths[label] = depths.get(label, 0) + count
    for queue, count in depths.items():
        metrics.job_queue_depth.labels(queue).set(count)
