"""`/api/v1/token-lifetimes`: read and lower the longest lifetime of each kind of token."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse

from parlor.api.parsing import json_body
from parlor.api.problems import api_view
from parlor.base.identity import PrincipalKind
from tenants.authentication import secret_key_authenticate
from tenants.lifetimes import PLATFORM_MAX_TTL, token_ttl_cap
from tenants.models import Tenant
from tenants.services import tenant_token_lifetime_caps_set


@api_view("GET", "PUT")
def token_lifetimes(request: HttpRequest) -> JsonResponse:
    """GET the tenant's caps; PUT `{caps: {kind: seconds}}` replaces them (`{}` clears them)."""
    tenant = secret_key_authenticate(
        authorization=request.headers.get("Authorization"), host=request.headers.get("Host")
    )
    if request.method == "PUT":
        body = json_body(request, fields={"caps"})
        tenant = tenant_token_lifetime_caps_set(tenant=tenant, caps=body.get("caps"))
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
