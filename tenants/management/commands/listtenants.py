"""`manage.py listtenants [--json]`."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandParser

from tenants.selectors import tenant_list


class Command(BaseCommand):
    """List every tenant with its schema, domains and allowed origins (never a secret)."""

    help = "List tenants."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args, **options) -> None:
        rows = [
            {
                "id": tenant.id,
                "slug": tenant.slug,
                "schema": tenant.schema_name,
                "name": tenant.name,
                "domains": [domain.domain for domain in tenant.domains.all()],
                "allowed_origins": tenant.allowed_origins,
                "publishable_key": tenant.publishable_key,
            }
            for tenant in tenant_list().prefetch_related("domains")
        ]
        if options["json"]:
            self.stdout.write(json.dumps(rows))
            return
        for row in rows:
            self.stdout.write(f"{row['slug']}\t{row['name']}\t{','.join(row['domains'])}")
