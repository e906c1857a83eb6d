"""Token lifetimes: short defaults per kind, and caps a tenant may lower but never raise."""

from __future__ import annotations

from parlor.base.errors import ValidationFailed
from parlor.base.identity import PrincipalKind
from tenants.models import Tenant

MIN_TTL = 10
DEFAULT_TTL = {
    PrincipalKind.VISITOR: 15 * 60,
    PrincipalKind.USER: 60 * 60,
    PrincipalKind.AGENT: 15 * 60,
}
PLATFORM_MAX_TTL = {
    PrincipalKind.VISITOR: 60 * 60,
    PrincipalKind.USER: 24 * 60 * 60,
    PrincipalKind.AGENT: 8 * 60 * 60,
}


def token_ttl_cap(*, tenant: Tenant, kind: PrincipalKind) -> int:
    """Return the longest lifetime in seconds a `kind` token of `tenant` may have."""
    platform_cap = PLATFORM_MAX_TTL[kind]
    tenant_cap = (tenant.token_lifetime_caps or {}).get(kind.value)
    if isinstance(tenant_cap, int) and MIN_TTL <= tenant_cap < platform_cap:
        return tenant_cap
    return platform_cap


def token_ttl_resolve(*, tenant: Tenant, kind: PrincipalKind, ttl: int | None) -> int:
    """Return `ttl` if within bounds, else the default capped; raise ValidationFailed if out."""
    cap = token_ttl_cap(tenant=tenant, kind=kind)
    if ttl is None:
        return min(DEFAULT_TTL[kind], cap)
    if isinstance(ttl, bool) or not isinstance(ttl, int) or not MIN_TTL <= ttl <= cap:
        raise ValidationFailed(
            f"ttl must be an integer from {MIN_TTL} to {cap} seconds for {kind.value} tokens.",
            code="ttl_out_of_range",
        )
    return ttl


def token_lifetime_caps_validate(caps: dict) -> dict[str, int]:
    """Return `caps` ({kind: seconds}) if every entry is a known kind within platform bounds."""
    if not isinstance(caps, dict):
        raise ValidationFailed("caps must be an object of kind to seconds.")
    clean: dict[str, int] = {}
    for name, seconds in caps.items():
        try:
            kind = PrincipalKind(name)
        except ValueError:
            raise ValidationFailed("caps keys must be visitor, user or agent.") from None
        maximum = PLATFORM_MAX_TTL[kind]
        if isinstance(seconds, bool) or not isinstance(seconds, int):
            raise ValidationFailed(f"the {kind.value} cap must be an integer.")
        if not MIN_TTL <= seconds <= maximum:
            raise ValidationFailed(f"the {kind.value} cap must be from {MIN_TTL} to {maximum}.")
        clean[kind.value] = seconds
    return clean
