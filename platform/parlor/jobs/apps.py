"""The jobs app: Django finds the `jobsworker` command, and /metrics reads the queues' depth."""

from django.apps import AppConfig


class JobsConfig(AppConfig):
    """Parlor's job runner."""

    name = "parlor.jobs"
    label = "parlor_jobs"

    def ready(self) -> None:
        """Have every /metrics scrape read the job queues' depth."""
        from parlor.jobs.depth import job_queue_depth_refresh
        from parlor.observability.views import SCRAPE_REFRESHERS

        if job_queue_depth_refresh not in SCRAPE_REFRESHERS:
            SCRAPE_REFRESHERS.append(job_queue_depth_refresh)
