"""`manage.py createoperator USERNAME --password-stdin [--email E]`: the first platform operator."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser

from parlor.base.errors import ApplicationError
from tenants.operators import operator_create


class Command(BaseCommand):
    """Create a platform operator (public schema); refuses to run in a tenant's schema."""

    help = "Create a platform operator, who logs into /operator/ on the platform's host."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password-stdin", action="store_true", help="read the password from standard input"
        )

    def handle(self, *args, **options) -> None:
        if not options["password_stdin"]:
            raise CommandError("give the password on standard input with --password-stdin.")
        password = sys.stdin.readline().rstrip("\n")
        try:
            user = operator_create(
                username=options["username"], password=password, email=options["email"]
            )
        except ApplicationError as error:
            raise CommandError(f"{error.code}: {error.detail}") from None
        self.stdout.write(f"created platform operator {user.get_username()}")
