"""Who is calling: a tenant by its secret or publishable key, or a socket by token and origin."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from parlor.base.errors import NotAuthenticated, PermissionDenied, ValidationFailed
from parlor.base.identity import PrincipalKind
from tenants.api_keys import PUBLISHABLE_KEY_PREFIX, SECRET_KEY_PREFIX, secret_key_hash
from tenants.cache import TimedCache
from tenants.models import ApiKey, Domain, Tenant
from tenants.suspension import tenant_active_check
from tenants.tokens import VerifiedToken, token_verify
from tenants.validators import normalise_origin

MAX_KEY_LENGTH = 128
# Kinds a server-side client may use without an Origin header; browsers always send one.
KINDS_WITHOUT_ORIGIN = frozenset({PrincipalKind.USER, PrincipalKind.AGENT})
# Host name -> owning tenant id, or None for a host no tenant owns. Only callers that already
# proved a credential reach the lookup, and the cache is bounded either way.
DOMAIN_OWNERS = TimedCache(name="domain owners", max_entries=4096)


def secret_key_authenticate(*, authorization: str | None, host: str | None) -> Tenant:
    """Return the tenant whose secret API key is in `Authorization: Bearer sk_...`, or raise."""
    scheme, _, secret_key = (authorization or "").partition(" ")
    secret_key = secret_key.strip()
    if scheme.lower() != "bearer" or not secret_key.startswith(SECRET_KEY_PREFIX):
        raise NotAuthenticated("send the secret API key as 'Authorization: Bearer sk_...'.")
    if len(secret_key) > MAX_KEY_LENGTH:
        raise NotAuthenticated("the secret API key is not valid.")
    api_key = (
        ApiKey.objects.select_related("tenant")
        .filter(key_hash=secret_key_hash(secret_key), revoked_at__isnull=True)
        .exclude(tenant__schema_name="public")
        .first()
    )
    if api_key is None:
        raise NotAuthenticated("the secret API key is not valid.")
    host_tenant_check(host=host, tenant_id=api_key.tenant_id)
    tenant_active_check(api_key.tenant)
    return api_key.tenant


def publishable_key_tenant(*, key: object) -> Tenant:
    """Return the tenant with the publishable key `key`, or raise NotAuthenticated."""
    if not isinstance(key, str) or not key.startswith(PUBLISHABLE_KEY_PREFIX):
        raise ValidationFailed(
            "key must be the tenant's publishable key (pk_...).", code="invalid_key"
        )
    tenant = (
        Tenant.objects.exclude(schema_name="public").filter(publishable_key=key).first()
        if len(key) <= MAX_KEY_LENGTH
        else None
    )
    if tenant is None:
        raise NotAuthenticated("the publishable key is not valid.")
    tenant_active_check(tenant)
    return tenant


def socket_authenticate(*, token: object, origin: str | None, host: str | None) -> VerifiedToken:
    """Verify a WebSocket's token, then its Origin and Host against the token's tenant."""
    verified = token_verify(token)
    kind = verified.principal.kind
    if origin is None and kind not in KINDS_WITHOUT_ORIGIN:
        raise PermissionDenied("a visitor token needs a browser Origin.", code="origin_forbidden")
    if (
        origin is not None
        and not origin_allowed(tenant=verified.tenant, origin=origin, kind=kind)
        and not dashboard_origin(tenant=verified.tenant, origin=origin, host=host, kind=kind)
    ):
        raise PermissionDenied(
            "this Origin may not connect for the tenant.", code="origin_forbidden"
        )
    host_tenant_check(host=host, tenant_id=verified.tenant.id)
    tenant_active_check(verified.tenant)
    return verified


def origin_allowed(*, tenant: Tenant, origin: str, kind: PrincipalKind | None = None) -> bool:
    """Return whether `origin` is exactly (scheme, host, port) one of the tenant's origins."""
    try:
        normalised = normalise_origin(origin)
    except ValidationFailed:
        return False
    if normalised in tenant.allowed_origins:
        return True
    # Agents work in Parlor's own dashboard, served from the platform's origin.
    return kind is PrincipalKind.AGENT and normalised == platform_origin()


def dashboard_origin(
    *, tenant: Tenant, origin: str, host: str | None, kind: PrincipalKind | None
) -> bool:
    """Return whether an agent's socket comes from its tenant's dashboard, on the same host."""
    # The dashboard is served on the tenant's own domain (e.g. acme.localhost), so its
    # sockets carry that domain as Origin; only same-host agents of that tenant pass.
    if kind is not PrincipalKind.AGENT:
        return False
    try:
        origin_host = urlsplit(normalise_origin(origin)).hostname
    except ValidationFailed:
        return False
    if not origin_host or origin_host != _hostname(host):
        return False
    return domain_owner(origin_host) == tenant.id


def platform_origin() -> str:
    """Return the origin of PARLOR_PUBLIC_URL, where Parlor's own pages are served."""
    parts = urlsplit(settings.PARLOR_PUBLIC_URL)
    return normalise_origin(f"{parts.scheme}://{parts.netloc}")


def host_tenant_check(*, host: str | None, tenant_id: int) -> None:
    """Refuse a request sent to another tenant's domain: nothing crosses tenants."""
    hostname = _hostname(host)
    if not hostname:
        return
    owner = domain_owner(hostname)
    if owner is not None and owner != tenant_id:
        raise PermissionDenied(
            "this credential belongs to another tenant than this host.", code="tenant_mismatch"
        )


def domain_owner(hostname: str) -> int | None:
    """Return the id of the tenant whose Domain is `hostname` (cached per process), or None."""
    return DOMAIN_OWNERS.get_or_load(
        hostname,
        lambda: Domain.objects.filter(domain=hostname).values_list("tenant_id", flat=True).first(),
    )


def _hostname(host: str | None) -> str:
    if not host:
        return ""
    host = host.strip().lower()
    if host.startswith("["):
        return host.partition("]")[0] + "]"
    return host.rpartition(":")[0] if ":" in host else host


def origin_registered(origin: str) -> bool:
    """Return whether any tenant allows `origin` (used only to answer CORS preflights)."""
    try:
        normalised = normalise_origin(origin)
    except ValidationFailed:
        return False
    return (
        Tenant.objects.exclude(schema_name="public")
        .filter(allowed_origins__contains=[normalised])
        .exists()
    )


# A receiver, not calls in each service: a domain added, moved or removed by any code in this
# process must reach the cache this module keeps at once (other processes: AUTH_CACHE_SECONDS).
@receiver([post_save, post_delete], sender=Domain)
def _domain_changed(sender, instance: Domain, **kwargs) -> None:
    # All of them: a renamed domain's old name is not on the instance.
    DOMAIN_OWNERS.discard_now_and_on_commit(None)
