"""`/api/v1/keys`: list signing keys, register a public key, rotate the signing key."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse

from parlor.api.parsing import json_body, optional_int
from parlor.api.problems import api_view
from parlor.base.times import isoformat
from tenants.authentication import secret_key_authenticate
from tenants.keys import (
    DEFAULT_GRACE_SECONDS,
    signing_key_list,
    signing_key_register_public,
    signing_key_rotate,
)
from tenants.models import SigningKey, Tenant


@api_view("GET", "POST")
def keys(request: HttpRequest) -> JsonResponse:
    """GET lists the tenant's keys; POST `{jwk}` registers a public key for its own tokens."""
    tenant = _tenant(request)
    if request.method == "GET":
        return JsonResponse({"keys": [key_json(key) for key in signing_key_list(tenant=tenant)]})
    body = json_body(request, fields={"jwk"})
    key = signing_key_register_public(tenant=tenant, jwk=body.get("jwk"))
    return JsonResponse(key_json(key), status=201)


@api_view("POST")
def keys_rotate(request: HttpRequest) -> JsonResponse:
    """Make a new signing key current; the previous one verifies `grace_seconds` longer."""
    tenant = _tenant(request)
    body = json_body(request, fields={"grace_seconds"}, allow_empty=True)
    grace = optional_int(body, "grace_seconds")
    rotation = signing_key_rotate(
        tenant=tenant, grace_seconds=DEFAULT_GRACE_SECONDS if grace is None else grace
    )
    answer = key_json(rotation.current)
    if rotation.previous is not None:
        answer["previous"] = key_json(rotation.previous)
    return JsonResponse(answer, status=201)


def key_json(key: SigningKey) -> dict:
    """Return what a tenant may see of a key: never its secret."""
    return {
        "kid": key.kid,
        "algorithm": key.algorithm,
        "current": key.is_current,
        "created_at": isoformat(key.created_at),
        "verifies_until": isoformat(key.verifies_until),
        "revoked_at": isoformat(key.revoked_at),
    }


def _tenant(request: HttpRequest) -> Tenant:
    return secret_key_authenticate(
        authorization=request.headers.get("Authorization"), host=request.headers.get("Host")
    )
