"""`manage.py createstaff SLUG --username U (--password P | --password-stdin) [--name N]`."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser

from parlor.base.errors import ApplicationError
from parlor.dashboard.services import staff_create
from tenants.selectors import tenant_get


class Command(BaseCommand):
    """Create a staff user who can log in to one tenant's dashboard."""

    help = "Create a dashboard staff user in a tenant's schema."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="the tenant's slug")
        parser.add_argument("--username", required=True)
        secret = parser.add_mutually_exclusive_group(required=True)
        secret.add_argument("--password", help="visible in the process list: prefer stdin")
        secret.add_argument(
            "--password-stdin", action="store_true", help="read the password from stdin"
        )
        parser.add_argument("--name", default="", help="the name customers see, e.g. 'Dana'")

    def handle(self, *args, **options) -> None:
        password = options["password"]
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\r\n")
        try:
            tenant = tenant_get(slug=options["slug"])
            staff_create(
                tenant=tenant,
                username=options["username"],
                password=password,
                name=options["name"],
            )
        except ApplicationError as error:
            raise CommandError(f"{error.code}: {error.detail}") from None
        domain = tenant.get_primary_domain()
        where = f" on http://{domain.domain}/dashboard/" if domain else ""
        self.stdout.write(f"Staff user '{options['username']}' created for {tenant.slug}{where}.")
