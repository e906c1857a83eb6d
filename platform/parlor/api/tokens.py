"""`POST /api/v1/tokens`: a tenant's server asks for a user or agent token."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse

from parlor.api.parsing import json_body, optional_int
from parlor.api.problems import api_view
from parlor.api.throttle import tokens_throttle
from parlor.base.errors import ValidationFailed
from parlor.base.identity import PrincipalKind
from parlor.base.times import isoformat
from tenants.authentication import secret_key_authenticate
from tenants.tokens import token_issue

FIELDS = {"user_id", "name", "rooms", "ttl", "kind"}
SERVER_KINDS = {PrincipalKind.USER.value, PrincipalKind.AGENT.value}


@api_view("POST")
def tokens_create(request: HttpRequest) -> JsonResponse:
    """Issue a token for the tenant whose secret key authenticates the request."""
    tenant = secret_key_authenticate(
        authorization=request.headers.get("Authorization"), host=request.headers.get("Host")
    )
    tokens_throttle(tenant=tenant)
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
    )
    return JsonResponse(
        {"token": issued.token, "expires_at": isoformat(issued.expires_at)}, status=201
    )
