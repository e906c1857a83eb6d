"""Prepare Parlor's benchmark database: migrate, create the bench tenant, mint tokens.

Run by the runner in a subprocess with Parlor's production environment:
`python -m benchmarks.parlor_setup COUNT TOKENS.json` writes COUNT user tokens (one per
client socket, each granted every channel room) to TOKENS.json, followed by the noisy
neighbour's tokens: a second tenant whose message quota the noisy scenario floods at.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

BENCH_TENANT = "bench"
TOKEN_TTL_SECONDS = 6 * 3600


def setup(count: int, tokens_path: Path, origin: str) -> None:
    """Migrate every schema, create the bench tenant allowing `origin`, write `count` tokens."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate_schemas", "--shared", verbosity=0, interactive=False)
    from parlor.base.identity import PrincipalKind
    from tenants.services import public_tenant_ensure, tenant_create
    from tenants.tokens import token_issue

    public_tenant_ensure()
    tenant = tenant_create(
        slug=BENCH_TENANT,
        name="Benchmark",
        domain=f"{BENCH_TENANT}.localhost",
        allowed_origins=[origin],
        # The largest plan: the benchmark measures the server, not the quotas.
        plan="enterprise",
    ).tenant
    from benchmarks.config import NOISY_A_PER_MINUTE, NOISY_TENANT, Sizes
    from tenants.quotas import tenant_plan_set

    noisy = tenant_create(
        slug=NOISY_TENANT,
        name="Noisy neighbour",
        domain="bench-noisy.localhost",
        allowed_origins=[origin],
        plan="enterprise",
    ).tenant
    tenant_plan_set(
        tenant=noisy, plan="enterprise", overrides={"messages_per_minute": NOISY_A_PER_MINUTE}
    )
    noisy_count = Sizes.full().noisy_a_senders
    tokens = [
        token_issue(
            tenant=tenant,
            kind=PrincipalKind.USER,
            subject=f"bench-user-{index}",
            name=f"Bench user {index}",
            rooms=["*"],
            ttl=TOKEN_TTL_SECONDS,
        ).token
        for index in range(count)
    ] + [
        token_issue(
            tenant=noisy,
            kind=PrincipalKind.USER,
            subject=f"noisy-{index}",
            name=f"Noisy {index}",
            rooms=["*"],
            ttl=TOKEN_TTL_SECONDS,
        ).token
        for index in range(noisy_count)
    ]
    tokens_path.write_text(json.dumps(tokens))


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parlor.settings.production")
    setup(int(sys.argv[1]), Path(sys.argv[2]), sys.argv[3])
