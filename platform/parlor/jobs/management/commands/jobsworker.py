"""`manage.py jobsworker`: run background jobs (webhook deliveries, retention) until stopped."""

from __future__ import annotations

import asyncio

from django.core.management.base import BaseCommand, CommandParser

from parlor.jobs.worker import worker_run


class Command(BaseCommand):
    """Run a procrastinate worker over Parlor's tasks; start as many as you like."""

    help = "Run Parlor's background job worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--concurrency", type=int, default=4)

    def handle(self, *args, **options) -> None:
        asyncio.run(worker_run(concurrency=options["concurrency"]))
