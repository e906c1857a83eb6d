"""Plans and quotas: what one tenant may take of the platform, by plan and per-tenant override.

A tenant has a plan (free, team, business, enterprise) whose defaults apply unless the
operator overrides one quota for that tenant. Quotas are read from the Tenant row, which the
socket handshake already holds from its per-process cache (tenants.cache): checking one costs
no query. Where each is enforced and what the client sees is in docs/quotas.md.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from django.db import transaction

from parlor.base.errors import ValidationFailed
from tenants.models import Tenant

# Names of the quotas, as stored in Tenant.quota_overrides and shown on forms.
SOCKETS = "sockets"
MESSAGES_PER_MINUTE = "messages_per_minute"
TOKENS_PER_MINUTE = "tokens_per_minute"
AGENTS = "agents"
ATTACHMENT_BYTES = "attachment_bytes"
WEBHOOK_ENDPOINTS = "webhook_endpoints"

LABELS = {
    SOCKETS: "concurrent sockets",
    MESSAGES_PER_MINUTE: "messages per minute",
    TOKENS_PER_MINUTE: "token mints per minute",
    AGENTS: "staff seats",
    ATTACHMENT_BYTES: "attachment storage (bytes)",
    WEBHOOK_ENDPOINTS: "webhook endpoints",
}
# Far above any real figure, and still a valid bigint: no quota is ever "unlimited".
QUOTA_MAX = 10**15


@dataclass(frozen=True)
class Quotas:
    """The effective quotas of one tenant: its plan's defaults with its overrides applied."""

    sockets: int
    messages_per_minute: int
    tokens_per_minute: int
    agents: int
    attachment_bytes: int
    webhook_endpoints: int


QUOTA_NAMES = tuple(field.name for field in fields(Quotas))
GIB = 1024**3

PLANS: dict[str, Quotas] = {
    "free": Quotas(
        sockets=50,
        messages_per_minute=120,
        tokens_per_minute=60,
        agents=2,
        attachment_bytes=GIB // 10,
        webhook_endpoints=1,
    ),
    "team": Quotas(
        sockets=1_000,
        messages_per_minute=3_000,
        tokens_per_minute=600,
        agents=20,
        attachment_bytes=10 * GIB,
        webhook_endpoints=5,
    ),
    "business": Quotas(
        sockets=10_000,
        messages_per_minute=30_000,
        tokens_per_minute=3_000,
        agents=200,
        attachment_bytes=100 * GIB,
        webhook_endpoints=20,
    ),
    "enterprise": Quotas(
        sockets=100_000,
        messages_per_minute=300_000,
        tokens_per_minute=30_000,
        agents=5_000,
        attachment_bytes=2_000 * GIB,
        webhook_endpoints=100,
    ),
}
DEFAULT_PLAN = "team"


def tenant_quotas(tenant: Tenant) -> Quotas:
    """Return the effective quotas of `tenant` (no query: the row holds plan and overrides)."""
    plan = PLANS.get(tenant.plan) or PLANS[DEFAULT_PLAN]
    overrides = tenant.quota_overrides or {}
    if not overrides:
        return plan
    values = asdict(plan)
    values.update({name: overrides[name] for name in QUOTA_NAMES if name in overrides})
    return Quotas(**values)


def quota_value_parse(name: str, raw: object) -> int:
    """Return `raw` as a quota of `name` (a whole number ≥ 1); raise ValidationFailed."""
    label = LABELS.get(name)
    if label is None:
        raise ValidationFailed(f"there is no quota named '{name}'.", code="invalid_quota")
    if isinstance(raw, bool):
        raise ValidationFailed(f"{label} must be a whole number.", code="invalid_quota")
    if isinstance(raw, str):
        raw = raw.strip()
        if not raw.isdigit() or len(raw) > 16:
            raise ValidationFailed(
                f"{label} must be a whole number of 1 or more.", code="invalid_quota"
            )
        raw = int(raw)
    if not isinstance(raw, int):
        raise ValidationFailed(f"{label} must be a whole number.", code="invalid_quota")
    if raw < 1 or raw > QUOTA_MAX:
        raise ValidationFailed(
            f"{label} must be between 1 and {QUOTA_MAX}; to stop a tenant, suspend it.",
            code="invalid_quota",
        )
    return raw


def plan_validate(plan: object) -> str:
    """Return `plan` if it names a plan; raise ValidationFailed."""
    if not isinstance(plan, str) or plan not in PLANS:
        raise ValidationFailed(f"plan must be one of {', '.join(PLANS)}.", code="invalid_plan")
    return plan


def overrides_validate(overrides: dict[str, Any]) -> dict[str, int]:
    """Return the overrides with every value checked; a None or empty value drops that override."""
    if not isinstance(overrides, dict):
        raise ValidationFailed("quota overrides must be an object.", code="invalid_quota")
    checked: dict[str, int] = {}
    for name, raw in overrides.items():
        if raw is None or raw == "":
            quota_value_parse(name, 1)  # the name must still be a quota's
            continue
        checked[name] = quota_value_parse(name, raw)
    return checked


def tenant_plan_set(*, tenant: Tenant, plan: str, overrides: dict[str, Any]) -> Tenant:
    """Give `tenant` the plan and overrides, all checked first: a bad value changes nothing."""
    plan = plan_validate(plan)
    checked = overrides_validate(overrides)
    with transaction.atomic():
        tenant.plan = plan
        tenant.quota_overrides = checked
        tenant.save(update_fields=["plan", "quota_overrides"])
    return tenant
