"""A job left `doing` by a dead worker is put back in the queue; a live worker's is not."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from django.db import connection

from parlor.jobs.stalled import stalled_jobs_retry

pytestmark = pytest.mark.usefixtures("live_db")
WORKERS: list[int] = []


def job_in_progress(*, worker_alive: bool) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO public.procrastinate_workers (last_heartbeat) VALUES"
            " (NOW() - (CASE WHEN %s THEN 0 ELSE 3600 END) * INTERVAL '1 second') RETURNING id",
            [worker_alive],
        )
        worker_id = cursor.fetchone()[0]
        WORKERS.append(worker_id)
        cursor.execute(
            "INSERT INTO public.procrastinate_jobs (queue_name, task_name, args, status, worker_id)"
            " VALUES ('test-stalled', 'noop', '{}', 'doing', %s) RETURNING id",
            [worker_id],
        )
        return cursor.fetchone()[0]


def status(job_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT status::text FROM public.procrastinate_jobs WHERE id = %s", [job_id])
        return cursor.fetchone()[0]


@pytest.fixture(autouse=True)
def jobs_removed_after(live_db):
    yield
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM public.procrastinate_jobs WHERE queue_name = 'test-stalled'")
        cursor.execute("DELETE FROM public.procrastinate_workers WHERE id = ANY(%s)", [WORKERS])
    WORKERS.clear()


async def test_only_the_jobs_of_a_silent_worker_are_put_back():
    dead = await sync_to_async(job_in_progress)(worker_alive=False)
    alive = await sync_to_async(job_in_progress)(worker_alive=True)
    assert await stalled_jobs_retry(seconds_since_heartbeat=60) == 1
    assert await sync_to_async(status)(dead) == "todo"
    assert await sync_to_async(status)(alive) == "doing"
