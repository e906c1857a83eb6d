"""`python -m parlor.health.tests.drill_setup COUNT`: migrate the database of DATABASE_URL,
create the tenant `drill` and print COUNT visitor tokens of it as JSON (for fault drills)."""

from __future__ import annotations

import json
import sys

import django


def main(count: int) -> None:
    """Prepare a fresh database for a drill; print the tokens."""
    django.setup()
    from django.core.management import call_command

    from parlor.base.identity import PrincipalKind
    from tenants.services import public_tenant_ensure, tenant_create
    from tenants.tokens import token_issue

    call_command("migrate_schemas", interactive=False, verbosity=0)
    public_tenant_ensure()
    created = tenant_create(
        slug="drill", name="Drill", domain="drill.localhost", allowed_origins=[DRILL_ORIGIN]
    )
    tokens = [
        token_issue(
            tenant=created.tenant, kind=PrincipalKind.VISITOR, subject=f"v-{n}", name="V"
        ).token
        for n in range(count)
    ]
    print(json.dumps(tokens))


DRILL_ORIGIN = "https://shop.drill.example"

if __name__ == "__main__":
    main(int(sys.argv[1]))
