"""Endpoints a browser calls with a visitor or agent token: bearer JWT auth and CORS.

The widget runs on the tenant's own pages, so its calls are cross-origin: they are admitted
by the same rules as its socket (tenants.authentication.socket_authenticate: the token, its
tenant's allowed origins, the Host), and answered with CORS headers for an origin some tenant
allows, errors included, so that the widget can say why.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from parlor.api.problems import problem_response
from parlor.base.errors import ApplicationError, NotAuthenticated
from parlor.base.identity import Principal
from tenants.authentication import origin_registered, socket_authenticate
from tenants.validators import normalise_origin

PREFLIGHT_MAX_AGE = "600"


def token_principal(request: HttpRequest) -> Principal:
    """Return the principal of `Authorization: Bearer <JWT>`, checked as its socket would be."""
    scheme, _, token = (request.headers.get("Authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated(
            "send the visitor or agent token as 'Authorization: Bearer <JWT>'.",
            code="token_missing",
        )
    verified = socket_authenticate(
        token=token.strip(),
        origin=request.headers.get("Origin"),
        host=request.headers.get("Host"),
    )
    return verified.principal


def preflight(request: HttpRequest, *, methods: str) -> HttpResponse:
    """Answer a CORS preflight from an origin some tenant allows (a 403 problem otherwise)."""
    origin = request.headers.get("Origin")
    if origin is None or not origin_registered(origin):
        return problem_response(
            ApplicationError(
                "this Origin may not call Parlor.", code="origin_forbidden", status=403
            )
        )
    response = HttpResponse(status=204)
    response["Access-Control-Allow-Methods"] = methods
    response["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
    response["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
    return allow_origin(response, origin)


def browser_endpoint(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Render a view's refusals here too, so both answers carry CORS headers for the page."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            response = view(request, *args, **kwargs)
        except ApplicationError as error:
            response = problem_response(error)
        origin = request.headers.get("Origin")
        if origin is not None and origin_registered(origin):
            allow_origin(response, origin)
        return response

    return wrapper


def allow_origin(response: HttpResponse, origin: str) -> HttpResponse:
    """Let `origin` read `response`."""
    response["Access-Control-Allow-Origin"] = normalise_origin(origin)
    response["Vary"] = "Origin"
    return response
