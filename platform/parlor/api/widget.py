"""`POST /api/v1/widget/sessions`: a browser embedding the widget asks for a visitor token."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django_tenants.utils import schema_context
from ninja import Router

from parlor.api.parsing import json_body
from parlor.api.schemas import Closed, body_schema, responses
from parlor.api.throttle import widget_sessions_throttle
from parlor.base.errors import PermissionDenied, ValidationFailed
from parlor.base.identity import PrincipalKind
from parlor.base.times import isoformat
from parlor.followup.widget import followup_widget_config
from parlor.hours.status import widget_status
from parlor.visitors.selectors import visitor_given_name
from tenants.authentication import origin_allowed, origin_registered, publishable_key_tenant
from tenants.models import Tenant
from tenants.validators import normalise_origin
from tenants.widget_sessions import widget_session_start

FIELDS = {"key", "visitor"}
PREFLIGHT_MAX_AGE = "600"
router = Router(tags=["widget"])


class WidgetSessionRequest(Closed):
    """A widget's key, and the visitor string of an earlier session if it has one."""

    key: str
    visitor: str | None = None


class WidgetSession(Closed):
    """A visitor token and everything the widget needs to connect."""

    token: str
    expires_at: str
    visitor: str
    conversation: str
    ws_url: str
    widget: dict
    status: dict
    followup: dict


@router.api_operation(
    ["OPTIONS"], "/widget/sessions", response=responses(_204=None), url_name="api-widget-sessions"
)
def widget_sessions_preflight(request: HttpRequest) -> HttpResponse:
    """Answer the CORS preflight of a page some tenant allows."""
    return preflight(request.headers.get("Origin"))


@router.post(
    "/widget/sessions",
    response=responses(_201=WidgetSession),
    openapi_extra=body_schema(WidgetSessionRequest),
)
def widget_sessions(request: HttpRequest) -> HttpResponse:
    """Start a session for an allowed Origin of the key's tenant."""
    tenant, origin, body = widget_request_open(request, fields=FIELDS)
    visitor = body.get("visitor")
    if visitor is not None and not isinstance(visitor, str):
        raise ValidationFailed(
            "visitor must be the string from an earlier session.", code="invalid_visitor"
        )
    session = widget_session_start(
        tenant=tenant, visitor=visitor, given_name=lambda subject: _given_name(tenant, subject)
    )
    response = JsonResponse(
        {
            "token": session.token,
            "expires_at": isoformat(session.expires_at),
            "visitor": session.visitor,
            "conversation": session.conversation,
            "ws_url": session.ws_url,
            "widget": session.widget,
            # Business hours and email capture (docs/offline.md).
            "status": widget_status(tenant).as_dict(),
            "followup": followup_widget_config(tenant),
        },
        status=201,
    )
    return allow_origin(response, origin)


def _given_name(tenant: Tenant, subject: str) -> str:
    # One indexed read per session (not per message): the token then carries the name.
    with schema_context(tenant.schema_name):
        return visitor_given_name(kind=PrincipalKind.VISITOR.value, subject=subject)


def widget_request_open(request: HttpRequest, *, fields) -> tuple[Tenant, str, dict]:
    """Return the key's tenant, the page's Origin and the body of a widget request.

    Throttled per tenant and address; refused unless the Origin is one the tenant allows.
    """
    origin = request.headers.get("Origin")
    body = json_body(request, fields=fields)
    tenant = publishable_key_tenant(key=body.get("key"))
    widget_sessions_throttle(request=request, tenant=tenant)
    if origin is None or not origin_allowed(tenant=tenant, origin=origin):
        raise origin_forbidden()
    return tenant, origin, body


def preflight(origin: str | None, *, headers: str = "Content-Type") -> HttpResponse:
    """Answer a widget endpoint's CORS preflight: POST with `headers`, from an allowed origin."""
    # The preflight carries no body, hence no key: it admits an origin some tenant allows, and
    # the POST then checks that origin against the key's own tenant.
    if origin is None or not origin_registered(origin):
        raise origin_forbidden()
    response = HttpResponse(status=204)
    response["Access-Control-Allow-Methods"] = "POST"
    response["Access-Control-Allow-Headers"] = headers
    response["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
    return allow_origin(response, origin)


def allow_origin(response: HttpResponse, origin: str) -> HttpResponse:
    """Let the page at `origin` read `response` (CORS), varying caches by Origin."""
    response["Access-Control-Allow-Origin"] = normalise_origin(origin)
    response["Vary"] = "Origin"
    return response


def origin_forbidden() -> PermissionDenied:
    """Return the refusal of a page whose Origin may not embed the tenant's widget."""
    return PermissionDenied(
        "this Origin may not embed the tenant's widget.", code="origin_forbidden"
    )
