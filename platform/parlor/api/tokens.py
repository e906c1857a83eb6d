"""`POST /api/v1/tokens`: a tenant's server asks for a user or agent token."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest, JsonResponse
from ninja import Router

from parlor.api.auth import secret_key_auth
from parlor.api.parsing import json_body, optional_int
from parlor.api.schemas import Closed, body_schema, responses
from parlor.api.throttle import tokens_quota_check, tokens_throttle
from parlor.base.errors import ValidationFailed
from parlor.base.identity import PrincipalKind
from parlor.base.times import isoformat
from tenants.tokens import token_issue

FIELDS = {"user_id", "name", "rooms", "ttl", "kind", "email", "attributes"}
SERVER_KINDS = {PrincipalKind.USER.value, PrincipalKind.AGENT.value}
router = Router(tags=["tokens"])


class TokenRequest(Closed):
    """What a tenant's server asks a token for (docs/tokens.md has each field's rules)."""

    user_id: str
    name: str | None = None
    rooms: list[str] | None = None
    ttl: int | None = None
    kind: Literal["user", "agent"] = "user"
    email: str | None = None
    attributes: dict[str, str | int | float | bool] | None = None


class TokenIssued(Closed):
    """A token and when it expires."""

    token: str
    expires_at: str


@router.post(
    "/tokens",
    auth=secret_key_auth,
    response=responses(_201=TokenIssued),
    openapi_extra=body_schema(TokenRequest),
    url_name="api-tokens",
)
def tokens_create(request: HttpRequest) -> JsonResponse:
    """Issue a token for the tenant whose secret key authenticates the request."""
    tenant = request.auth
    tokens_throttle(tenant=tenant)
    tokens_quota_check(tenant=tenant)
    body = json_body(request, fields=FIELDS)
    kind = body.get("kind", PrincipalKind.USER.value)
    if kind not in SERVER_KINDS:
        raise ValidationFailed("kind must be 'user' or 'agent'.", code="invalid_kind")
    issued = token_issue(
        tenant=tenant,
        kind=PrincipalKind(kind),
        subject=body.get("user_id"),
        name=body.get("name"),
        rooms=body.get("rooms"),
        ttl=optional_int(body, "ttl"),
        email=body.get("email"),
        attributes=body.get("attributes"),
    )
    return JsonResponse(
        {"token": issued.token, "expires_at": isoformat(issued.expires_at)}, status=201
    )
