"""The jobs app: only so Django finds the `jobsworker` command."""

from django.apps import AppConfig


class JobsConfig(AppConfig):
    """Parlor's job runner."""

    name = "parlor.jobs"
    label = "parlor_jobs"
