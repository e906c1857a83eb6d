"""Reading API requests: a size-limited JSON object with only the fields an endpoint knows."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest

from parlor.base.errors import PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from parlor.base.text import InvalidText, json_decode

MAX_BODY_BYTES = 16 * 1024


def json_body(request: HttpRequest, *, fields: set[str], allow_empty: bool = False) -> dict:
    """Return the request's JSON object body, refusing size, type and unknown fields clearly."""
    body = json_object(request, allow_empty=allow_empty)
    unknown = sorted(set(body) - fields)
    if unknown:
        raise ValidationFailed(
            f"unknown field '{unknown[0][:40]}'; known: {', '.join(sorted(fields))}.",
            code="unknown_field",
        )
    return body


def json_object(request: HttpRequest, *, allow_empty: bool = False) -> dict:
    """Return the request's body as a JSON object, refusing size, media type and syntax clearly.

    Every API body is read here: the hand-written views through json_body, the schema-checked
    ones through the API's parser (parlor.api.application).
    """
    raw = _raw_body(request)
    if not raw.strip() and allow_empty:
        return {}
    content_type = request.content_type or ""
    if content_type != "application/json":
        raise UnsupportedMediaType("send the body as Content-Type: application/json.")
    try:
        body = json_decode(raw)
    except InvalidText:
        raise ValidationFailed(
            "the body holds text that is not valid Unicode (a lone surrogate escape).",
            code="invalid_text",
        ) from None
    except (ValueError, RecursionError):
        raise ValidationFailed("the body is not valid JSON.", code="bad_json") from None
    if not isinstance(body, dict):
        raise ValidationFailed("the body must be a JSON object.", code="bad_json")
    return body


def optional_int(body: dict, name: str) -> int | None:
    """Return the integer field `name` of `body`, None when absent, else raise ValidationFailed."""
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed(f"{name} must be an integer.", code="invalid_field")
    return value


def _raw_body(request: HttpRequest) -> bytes:
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"the body is over {MAX_BODY_BYTES} bytes.")
    try:
        raw = request.body
    except RequestDataTooBig:
        raise PayloadTooLarge(f"the body is over {MAX_BODY_BYTES} bytes.") from None
    if len(raw) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"the body is over {MAX_BODY_BYTES} bytes.")
    return raw
