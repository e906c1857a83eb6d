"""`/api/v1/token-lifetimes`: read and lower the longest lifetime of each kind of token."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from ninja import Router

from parlor.api.auth import secret_key_auth
from parlor.api.parsing import json_body
from parlor.api.schemas import Closed, body_schema, responses
from parlor.base.identity import PrincipalKind
from tenants.lifetimes import PLATFORM_MAX_TTL, token_ttl_cap
from tenants.models import Tenant
from tenants.services import tenant_token_lifetime_caps_set

router = Router(tags=["tokens"])


class CapsRequest(Closed):
    """The caps to set, per kind of token, in seconds."""

    caps: dict[str, int]


class Lifetimes(Closed):
    """The caps the tenant set, the caps in force, and the platform's."""

    caps: dict[str, int]
    effective: dict[str, int]
    platform_max: dict[str, int]


@router.get(
    "/token-lifetimes",
    auth=secret_key_auth,
    response=responses(_200=Lifetimes),
    url_name="api-token-lifetimes",
)
def token_lifetimes(request: HttpRequest) -> JsonResponse:
    """Return the tenant's caps, the caps in force and the platform's."""
    return JsonResponse(token_lifetimes_json(request.auth))


@router.put(
    "/token-lifetimes",
    auth=secret_key_auth,
    response=responses(_200=Lifetimes),
    openapi_extra=body_schema(CapsRequest),
)
def token_lifetimes_set(request: HttpRequest) -> JsonResponse:
    """Replace the caps with `{caps: {kind: seconds}}` (`{}` clears them)."""
    body = json_body(request, fields={"caps"})
    tenant = tenant_token_lifetime_caps_set(tenant=request.auth, caps=body.get("caps"))
    return JsonResponse(token_lifetimes_json(tenant))


def token_lifetimes_json(tenant: Tenant) -> dict:
    """Return the caps the tenant set, and the cap in force and the platform's for each kind."""
    return {
        "caps": dict(tenant.token_lifetime_caps or {}),
        "effective": {
            kind.value: token_ttl_cap(tenant=tenant, kind=kind) for kind in PrincipalKind
        },
        "platform_max": {kind.value: seconds for kind, seconds in PLATFORM_MAX_TTL.items()},
    }
