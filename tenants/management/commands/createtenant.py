"""`manage.py createtenant SLUG --name N --domain D [--allowed-origin O ...] [--json]`."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from parlor.base.errors import ApplicationError
from tenants.quotas import DEFAULT_PLAN, PLANS
from tenants.services import tenant_create


class Command(BaseCommand):
    """Create a tenant and print its keys; the secret API key is shown only here, once."""

    help = "Create a tenant with its schema, domain, publishable key and secret API key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="lowercase letters, digits and '_'; also the schema name")
        parser.add_argument("--name", required=True, help="display name, e.g. 'Acme'")
        parser.add_argument("--domain", required=True, help="dashboard host, e.g. acme.localhost")
        parser.add_argument(
            "--allowed-origin",
            action="append",
            default=[],
            dest="allowed_origins",
            help="a site allowed to embed the widget, e.g. https://shop.example (repeatable)",
        )
        parser.add_argument(
            "--plan", default=DEFAULT_PLAN, choices=list(PLANS), help="the tenant's plan (quotas)"
        )
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args, **options) -> None:
        try:
            created = tenant_create(
                slug=options["slug"],
                name=options["name"],
                domain=options["domain"],
                allowed_origins=options["allowed_origins"],
                plan=options["plan"],
            )
        except ApplicationError as error:
            raise CommandError(f"{error.code}: {error.detail}") from None
        except DatabaseError as error:
            # Input the validators let through but the database refused: one line, no traceback.
            raise CommandError(
                f"the database refused the tenant ({type(error).__name__})."
            ) from None
        tenant = created.tenant
        result = {
            "id": tenant.id,
            "slug": tenant.slug,
            "schema": tenant.schema_name,
            "name": tenant.name,
            "domain": created.domain,
            "allowed_origins": tenant.allowed_origins,
            "publishable_key": tenant.publishable_key,
            "secret_key": created.secret_key,
            "plan": tenant.plan,
        }
        if options["json"]:
            self.stdout.write(json.dumps(result))
            return
        for key, value in result.items():
            self.stdout.write(f"{key}: {value}")
        self.stdout.write("Store the secret_key now: Parlor keeps only its hash.")
