"""`/api/v1/keys`: list signing keys, register a public key, rotate the signing key."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django_tenants.utils import schema_context
from ninja import Router

from parlor.api.auth import API_ACTOR, secret_key_auth
from parlor.api.parsing import json_body, optional_int
from parlor.api.schemas import Closed, body_schema, responses
from parlor.audit import actions
from parlor.audit.services import audit_record
from parlor.base.times import isoformat
from tenants.keys import (
    DEFAULT_GRACE_SECONDS,
    signing_key_list,
    signing_key_register_public,
    signing_key_rotate,
)
from tenants.models import SigningKey

router = Router(tags=["keys"])


class PublicKeyRequest(Closed):
    """A public key (JWK) with which the tenant signs its own tokens."""

    jwk: dict


class RotateRequest(Closed):
    """How long the previous key keeps verifying, in seconds."""

    grace_seconds: int | None = None


class Key(Closed):
    """A signing key as a tenant sees it: never its secret."""

    kid: str
    algorithm: str
    current: bool
    created_at: str | None
    verifies_until: str | None
    revoked_at: str | None


class KeyList(Closed):
    """The tenant's keys."""

    keys: list[Key]


class Rotated(Key):
    """The new current key, and the previous one if there was one."""

    previous: Key | None = None


@router.get("/keys", auth=secret_key_auth, response=responses(_200=KeyList), url_name="api-keys")
def keys(request: HttpRequest) -> JsonResponse:
    """List the tenant's keys."""
    return JsonResponse({"keys": [key_json(key) for key in signing_key_list(tenant=request.auth)]})


@router.post(
    "/keys",
    auth=secret_key_auth,
    response=responses(_201=Key),
    openapi_extra=body_schema(PublicKeyRequest),
)
def keys_register(request: HttpRequest) -> JsonResponse:
    """Register `{jwk}`, a public key with which the tenant signs its own tokens."""
    body = json_body(request, fields={"jwk"})
    key = signing_key_register_public(tenant=request.auth, jwk=body.get("jwk"))
    with schema_context(request.auth.schema_name):
        audit_record(actor=API_ACTOR, action=actions.SIGNING_KEY_REGISTERED, target=key.kid)
    return JsonResponse(key_json(key), status=201)


@router.post(
    "/keys/rotate",
    auth=secret_key_auth,
    response=responses(_201=Rotated),
    openapi_extra=body_schema(RotateRequest),
    url_name="api-keys-rotate",
)
def keys_rotate(request: HttpRequest) -> JsonResponse:
    """Make a new signing key current; the previous one verifies `grace_seconds` longer."""
    tenant = request.auth
    body = json_body(request, fields={"grace_seconds"}, allow_empty=True)
    grace = optional_int(body, "grace_seconds")
    rotation = signing_key_rotate(
        tenant=tenant, grace_seconds=DEFAULT_GRACE_SECONDS if grace is None else grace
    )
    with schema_context(tenant.schema_name):
        audit_record(
            actor=API_ACTOR, action=actions.SIGNING_KEY_ROTATED, target=rotation.current.kid
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
