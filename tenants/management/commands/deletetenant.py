"""`manage.py deletetenant SLUG --yes`."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from parlor.base.errors import ApplicationError
from tenants.services import tenant_delete


class Command(BaseCommand):
    """Delete a tenant and drop its schema (every room and message in it)."""

    help = "Delete a tenant and drop its schema."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--yes", action="store_true", help="confirm: the data cannot come back")

    def handle(self, *args, **options) -> None:
        if not options["yes"]:
            raise CommandError(
                "refusing to delete without --yes: the tenant's data cannot be restored."
            )
        try:
            tenant_delete(slug=options["slug"])
        except ApplicationError as error:
            raise CommandError(f"{error.code}: {error.detail}") from None
        self.stdout.write(f"deleted tenant {options['slug']}")
