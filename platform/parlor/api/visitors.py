"""`POST /api/v1/widget/context`: the widget reports where its visitor is and who they say they are.

Authenticated by the visitor's or user's own token (the one its socket presents), so the
profile is always the token's subject's, in the token's tenant; the page's Origin must be one
the tenant allows. Signed claims come from that token; the body carries only the page's word.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django_tenants.utils import schema_context
from ninja import Router
from ninja.security import HttpBearer

from parlor.api.parsing import json_body
from parlor.api.schemas import Closed, body_schema, responses
from parlor.api.throttle import visitor_context_throttle
from parlor.api.widget import allow_origin, origin_forbidden, preflight
from parlor.base.identity import PrincipalKind
from parlor.visitors.context import FIELDS, page_identity_parse, visitor_context_parse
from parlor.visitors.services import visitor_profile_record
from tenants.authentication import origin_allowed
from tenants.tokens import TokenError, VerifiedToken, token_verify

WIDGET_KINDS = frozenset({PrincipalKind.VISITOR, PrincipalKind.USER})
router = Router(tags=["widget"])


class WidgetTokenAuth(HttpBearer):
    """`Authorization: Bearer <visitor or user token>`; the verified token is `request.auth`."""

    def __call__(self, request: HttpRequest) -> VerifiedToken:
        scheme, _, token = (request.headers.get("Authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise TokenError(
                "send the widget's visitor or user token as 'Authorization: Bearer <token>'.",
                code="token_missing",
            )
        return token_verify(token.strip(), kinds=WIDGET_KINDS)

    def authenticate(self, request: HttpRequest, token: str) -> VerifiedToken:
        """Unused: __call__ authenticates."""
        raise NotImplementedError


class VisitorContextReport(Closed):
    """Where the visitor is, and the name and email the page gave (docs/api.md has the rules)."""

    page_url: str | None = None
    page_title: str | None = None
    referrer: str | None = None
    locale: str | None = None
    timezone: str | None = None
    name: str | None = None
    email: str | None = None


@router.api_operation(
    ["OPTIONS"], "/widget/context", response=responses(_204=None), url_name="api-widget-context"
)
def widget_context_preflight(request: HttpRequest) -> HttpResponse:
    """Answer the CORS preflight of a page some tenant allows."""
    return preflight(request.headers.get("Origin"), headers="Authorization, Content-Type")


@router.post(
    "/widget/context",
    auth=WidgetTokenAuth(),
    response=responses(_204=None),
    openapi_extra=body_schema(VisitorContextReport),
)
def widget_context(request: HttpRequest) -> HttpResponse:
    """Record the visitor's page, browser, language and time zone, and any name and email."""
    verified: VerifiedToken = request.auth
    origin = request.headers.get("Origin")
    if origin is None or not origin_allowed(tenant=verified.tenant, origin=origin):
        raise origin_forbidden()
    principal = verified.principal
    visitor_context_throttle(tenant_id=principal.tenant.id, subject=principal.subject)
    body = json_body(request, fields=set(FIELDS), allow_empty=True)
    context = visitor_context_parse(body=body, user_agent=request.headers.get("User-Agent"))
    identity = page_identity_parse(body)
    with schema_context(principal.tenant.schema_name):
        visitor_profile_record(principal=principal, context=context, identity=identity)
    return allow_origin(HttpResponse(status=204), origin)
