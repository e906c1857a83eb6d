"""`manage.py importtenant FILE [--slug NEW --domain NEW]`."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from parlor.base.errors import ApplicationError
from tenants.portability import pg_tools_missing, tenant_import


class Command(BaseCommand):
    """Restore an `exporttenant` file into this running platform, optionally renamed."""

    help = "Import a tenant exported by exporttenant; --slug and --domain make a renamed copy."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the tar file exporttenant wrote")
        parser.add_argument("--slug", default="", help="a new slug (and schema) for a copy")
        parser.add_argument("--domain", default="", help="the domain the tenant answers on")

    def handle(self, *args, **options) -> None:
        missing = pg_tools_missing()
        if missing:
            raise CommandError(missing)
        try:
            imported = tenant_import(
                archive_path=Path(options["file"]), slug=options["slug"], domain=options["domain"]
            )
        except ApplicationError as error:
            raise CommandError(error.detail) from None
        self.stdout.write(
            f"imported {imported.slug} (schema {imported.schema_name}) on "
            f"{', '.join(imported.domains) or 'no domain'}"
        )
