"""`manage.py exporttenant SLUG --output FILE`."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from parlor.base.errors import ApplicationError
from tenants.portability import pg_tools_missing, tenant_export


class Command(BaseCommand):
    """Write one tenant's schema and public rows to a file `importtenant` restores."""

    help = "Export one tenant (its schema with pg_dump, and its public rows) to a tar file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="the tenant's slug")
        parser.add_argument("--output", required=True, help="the tar file to write")

    def handle(self, *args, **options) -> None:
        missing = pg_tools_missing()
        if missing:
            raise CommandError(missing)
        try:
            tenant_export(slug=options["slug"], output=Path(options["output"]))
        except ApplicationError as error:
            raise CommandError(error.detail) from None
        self.stdout.write(f"exported {options['slug']} to {options['output']}")
