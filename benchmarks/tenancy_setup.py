"""The Django side of the tenancy scale scenario: create tenants, time each, mint tokens.

Run by `benchmarks.tenancy` in a subprocess with Parlor's production environment:
`python -m benchmarks.tenancy_setup SPEC.json OUT.json`. SPEC holds `tenants` (how many to
create), `socket_tenants` and `sockets_per_tenant` (tokens to mint), `peer_tenants` (how many
more to create the old way, every migration replayed) and `origin`.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

SLUG_FORMAT = "scale_{:05d}"
PEER_SLUG_FORMAT = "replay_{:05d}"
TOKEN_TTL_SECONDS = 6 * 3600


def setup(spec: dict) -> dict:
    """Create the tenants of `spec`; return the timings and the minted tokens."""
    import django

    django.setup()
    from django.core.management import call_command

    from tenants.schema_template import template_ensure
    from tenants.services import public_tenant_ensure

    call_command("migrate_schemas", "--shared", verbosity=0, interactive=False)
    public_tenant_ensure()
    started = time.perf_counter()
    template_ensure()
    template_seconds = time.perf_counter() - started
    cpu_before = _cpu_seconds()
    created = _create(spec["tenants"], spec["origin"])
    cpu = [after - before for before, after in zip(cpu_before, _cpu_seconds(), strict=True)]
    peer = _create_by_replay(spec.get("peer_tenants", 0))
    return {
        "template_build_s": round(template_seconds, 3),
        "creation": _summary(created),
        # CPU per tenant (this process, its PostgreSQL backend): what wall time would be on an
        # idle machine, whatever the load of the shared one.
        "creation_cpu_ms_per_tenant": {
            "python": round(cpu[0] / max(1, len(created)) * 1000, 1),
            "postgres_backend": round(cpu[1] / max(1, len(created)) * 1000, 1),
        },
        "peer_creation": _summary(peer) if peer else None,
        "tokens": _tokens(spec),
    }


def _create(count: int, origin: str) -> list[float]:
    from tenants.services import tenant_create

    seconds = []
    for number in range(count):
        slug = SLUG_FORMAT.format(number)
        started = time.perf_counter()
        tenant_create(
            slug=slug,
            name=slug,
            domain=f"{slug}.localhost".replace("_", "-"),
            allowed_origins=[origin],
        )
        seconds.append(time.perf_counter() - started)
        if (number + 1) % 100 == 0:
            print(f"created {number + 1}/{count}", file=sys.stderr, flush=True)
    return seconds


def _cpu_seconds() -> tuple[float, float]:
    """Return the CPU seconds used so far by this process and by its PostgreSQL backend."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone()
    fields = Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return time.process_time(), (int(fields[11]) + int(fields[12])) / ticks


def _create_by_replay(count: int) -> list[float]:
    """Create `count` tenants as django-tenants does by default: replay every migration."""
    from tenants.models import Tenant

    seconds = []
    for number in range(count):
        slug = PEER_SLUG_FORMAT.format(number)
        started = time.perf_counter()
        Tenant(schema_name=slug, slug=slug, name=slug, publishable_key=f"pk_{slug}").save(
            verbosity=0
        )
        seconds.append(time.perf_counter() - started)
    return seconds


def _tokens(spec: dict) -> list[str]:
    from parlor.base.identity import PrincipalKind
    from tenants.selectors import tenant_get
    from tenants.tokens import token_issue

    step = max(1, spec["tenants"] // max(1, spec["socket_tenants"]))
    tokens = []
    for number in range(0, spec["tenants"], step)[: spec["socket_tenants"]]:
        tenant = tenant_get(slug=SLUG_FORMAT.format(number))
        tokens += [
            token_issue(
                tenant=tenant,
                kind=PrincipalKind.USER,
                subject=f"scale-user-{index}",
                name=f"Scale user {index}",
                rooms=["*"],
                ttl=TOKEN_TTL_SECONDS,
            ).token
            for index in range(spec["sockets_per_tenant"])
        ]
    return tokens


def _summary(seconds: list[float]) -> dict:
    ordered = sorted(seconds)
    return {
        "count": len(ordered),
        "median_ms": round(statistics.median(ordered) * 1000, 1),
        "p90_ms": round(ordered[int(len(ordered) * 0.9) - 1] * 1000, 1) if ordered else None,
        "max_ms": round(ordered[-1] * 1000, 1) if ordered else None,
        "total_s": round(sum(ordered), 2),
    }


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parlor.settings.production")
    result = setup(json.loads(Path(sys.argv[1]).read_text()))
    Path(sys.argv[2]).write_text(json.dumps(result))
