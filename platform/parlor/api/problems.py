"""Errors rendered once for HTTP: problem details (RFC 9457) from the ApplicationError family."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from http import HTTPStatus

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from parlor.base.errors import (
    ApplicationError,
    MethodNotAllowed,
    NotFound,
    QuotaExceeded,
    RateLimited,
)

logger = logging.getLogger(__name__)
PROBLEM_CONTENT_TYPE = "application/problem+json"


def problem_response(error: ApplicationError) -> JsonResponse:
    """Return `error` as an application/problem+json response with its status."""
    body = {
        "type": "about:blank",
        "title": HTTPStatus(error.status).phrase,
        "status": error.status,
        "code": error.code,
        "detail": error.detail,
    }
    response = JsonResponse(body, status=error.status, content_type=PROBLEM_CONTENT_TYPE)
    if error.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="parlor"'
    if isinstance(error, RateLimited | QuotaExceeded) and error.retry_after is not None:
        response["Retry-After"] = str(error.retry_after)
    return response


def api_view(*methods: str) -> Callable:
    """Make a view CSRF-exempt (bearer keys, no cookies), limit its methods, render its errors."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            try:
                if request.method not in methods:
                    raise MethodNotAllowed(f"use {' or '.join(methods)} here.")
                return view(request, *args, **kwargs)
            except ApplicationError as error:
                response = problem_response(error)
            except Exception:
                # The traceback goes to the log only; the client learns the failure, no more.
                logger.exception("API view %s failed", view.__name__)
                failure = ApplicationError(
                    "the server failed; nothing was changed.", code="internal", status=500
                )
                response = problem_response(failure)
            if response.status_code == 405:
                response["Allow"] = ", ".join(methods)
            return response

        return wrapper

    return decorate


@api_view("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD")
def not_found(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    """Answer any unknown API path with a 404 problem."""
    raise NotFound("no such API endpoint.")
