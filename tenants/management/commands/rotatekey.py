"""`manage.py rotatekey SLUG [--grace-seconds N] [--json]`."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from parlor.base.errors import ApplicationError
from tenants.keys import DEFAULT_GRACE_SECONDS, signing_key_rotate
from tenants.selectors import tenant_get


class Command(BaseCommand):
    """Rotate a tenant's signing key: print the new kid; the old key verifies for the grace."""

    help = "Make a new HS256 signing key current; the previous one verifies until the grace ends."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="the tenant whose key to rotate")
        parser.add_argument(
            "--grace-seconds",
            type=int,
            default=DEFAULT_GRACE_SECONDS,
            help=f"how long the previous key still verifies (default {DEFAULT_GRACE_SECONDS})",
        )
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args, **options) -> None:
        try:
            tenant = tenant_get(slug=options["slug"])
            rotation = signing_key_rotate(tenant=tenant, grace_seconds=options["grace_seconds"])
        except ApplicationError as error:
            raise CommandError(f"{error.code}: {error.detail}") from None
        previous = rotation.previous
        result = {
            "tenant": tenant.slug,
            "kid": rotation.current.kid,
            "previous_kid": previous.kid if previous else None,
            "previous_verifies_until": (
                previous.verifies_until.isoformat()
                if previous and previous.verifies_until
                else None
            ),
        }
        if options["json"]:
            self.stdout.write(json.dumps(result))
            return
        for key, value in result.items():
            self.stdout.write(f"{key}: {value}")
