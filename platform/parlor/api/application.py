"""The HTTP API, version 1: one django-ninja application, its OpenAPI schema and its errors.

Every route is declared on a router of its module and mounted here. Errors are rendered once,
as problem details (parlor.api.problems); bodies are read by parlor.api.parsing; secret-key
authentication is tenants.authentication's.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError
from ninja.parser import Parser

from parlor.api.parsing import MAX_BODY_BYTES, json_object
from parlor.api.problems import PROBLEM_CONTENT_TYPE, problem_response
from parlor.base.errors import (
    ApplicationError,
    MethodNotAllowed,
    NotAuthenticated,
    NotFound,
    PayloadTooLarge,
    ValidationFailed,
)

logger = logging.getLogger(__name__)


class JsonObjectParser(Parser):
    """Read every body through parlor.api.parsing: size, media type, JSON, an object."""

    def parse_body(self, request: HttpRequest) -> dict:
        return json_object(request)


class ParlorAPI(NinjaAPI):
    """NinjaAPI whose schema says that errors are application/problem+json."""

    def get_openapi_schema(self, **kwargs: Any) -> dict:
        schema = super().get_openapi_schema(**kwargs)
        for operations in schema["paths"].values():
            for operation in operations.values():
                for status, answer in operation.get("responses", {}).items():
                    content = answer.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        answer["content"] = {PROBLEM_CONTENT_TYPE: content["application/json"]}
        return schema


def schema_errors(request: HttpRequest, error: SchemaValidationError) -> HttpResponse:
    """Render a request that does not match its schema: 400 for a query, 422 for a body."""
    first = error.errors[0] if error.errors else {}
    location = [str(part) for part in first.get("loc", ())]
    where = location[0] if location else "body"
    field = ".".join(location[1:]) or "body"
    message = str(first.get("msg", "is not valid")).replace("\n", " ")[:160]
    if where in ("query", "path"):
        refusal = ValidationFailed(f"{field}: {message}", code="invalid_parameter")
    elif first.get("type") == "extra_forbidden":
        refusal = ValidationFailed(
            f"unknown field '{field[:40]}'.", code="unknown_field", status=422
        )
    else:
        refusal = ValidationFailed(f"{field}: {message}", code="invalid_field", status=422)
    return problem_response(refusal)


def http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    """Render ninja's own HTTP errors; one wrapping our parser's refusal renders that refusal."""
    # ninja wraps whatever the parser raises in HttpError(400, "Cannot parse request body").
    if isinstance(error.__cause__, ApplicationError):
        return problem_response(error.__cause__)
    return problem_response(
        ApplicationError(str(error)[:160], code="error", status=error.status_code)
    )


def unexpected(request: HttpRequest, error: Exception) -> HttpResponse:
    """The traceback goes to the log only; the client learns the failure, no more."""
    logger.exception("API request %s %s failed", request.method, request.path)
    return problem_response(
        ApplicationError("the server failed; nothing was changed.", code="internal", status=500)
    )


def api_build() -> ParlorAPI:
    """Return the API with its routers, parser, auth scheme and problem-details errors."""
    from parlor.api import (
        attachments,
        exports,
        followup,
        keys,
        lifetimes,
        ratings,
        retention,
        revocations,
        rooms,
        search,
        subjects,
        tokens,
        visitors,
        webhooks,
        widget,
    )
    from parlor.api.docs import LocalSwagger

    api = ParlorAPI(
        title="Parlor API",
        version="1",
        description="The HTTP API of Parlor (docs/api.md). Errors are RFC 9457 problem details.",
        parser=JsonObjectParser(),
        docs=LocalSwagger(),
        docs_url="/docs",
        openapi_url="/openapi.json",
        urls_namespace="api-v1",
    )
    api.add_exception_handler(ApplicationError, lambda request, error: problem_response(error))
    api.add_exception_handler(SchemaValidationError, schema_errors)
    api.add_exception_handler(
        AuthenticationError,
        lambda request, error: problem_response(
            NotAuthenticated("send the secret API key as 'Authorization: Bearer sk_...'.")
        ),
    )
    api.add_exception_handler(
        Http404, lambda request, error: problem_response(NotFound("no such API endpoint."))
    )
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(
        RequestDataTooBig,
        lambda request, error: problem_response(
            PayloadTooLarge(f"the body is over {MAX_BODY_BYTES} bytes.")
        ),
    )
    api.add_exception_handler(Exception, unexpected)
    for module in (
        tokens,
        widget,
        visitors,
        revocations,
        keys,
        lifetimes,
        rooms,
        webhooks,
        subjects,
        retention,
        search,
        exports,
        attachments,
        ratings,
        followup,
    ):
        api.add_router("", module.router)
    return api


def problem_for_405(view):
    """Wrap a route's view so that a method it does not serve answers a 405 problem document."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = sorted(method.strip() for method in response["Allow"].split(","))
            refusal = problem_response(MethodNotAllowed(f"use {' or '.join(allowed)} here."))
            refusal["Allow"] = ", ".join(allowed)
            return refusal
        return response

    wrapper.csrf_exempt = True  # bearer keys, no cookies
    return wrapper


api = api_build()
