"""`manage.py createstaff SLUG --username U (--password P | --password-stdin) [--name N]
[--email E] [--role owner|admin|agent]` (an owner by default)."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser

from parlor.base.errors import ApplicationError
from parlor.dashboard.services import staff_create
from parlor.team.roles import Role
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
        parser.add_argument("--email", default="", help="where password reset emails go")
        parser.add_argument("--role", choices=Role.values, default=Role.OWNER)

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
                email=options["email"],
                role=options["role"],
            )
        except ApplicationError as error:
            raise CommandError(f"{error.code}: {error.detail}") from None
        domain = tenant.get_primary_domain()
        where = f" on http://{domain.domain}/dashboard/" if domain else ""
        username, role = options["username"], options["role"]
        self.stdout.write(f"Staff user '{username}' created for {tenant.slug}{where} as {role}.")
