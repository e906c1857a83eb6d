"""Schemas shared by the API's endpoints: the problem document and every route's errors."""

from __future__ import annotations

from typing import Any

from ninja import Schema
from pydantic import ConfigDict


class Problem(Schema):
    """An RFC 9457 problem document: every error the API answers."""

    type: str
    title: str
    status: int
    code: str
    detail: str


class Closed(Schema):
    """A request body: only the fields it names (an unknown one is refused)."""

    model_config = ConfigDict(extra="forbid")


# Every route may answer these (bad input, credentials, tenant mismatch, unknown things, size,
# media type, rate limits): the schema says so, so clients and schemathesis know every status.
PROBLEM_STATUSES = (400, 401, 403, 404, 405, 413, 415, 422, 429)


def responses(**success: Any) -> dict[int, Any]:
    """Return a route's responses: its successes (`_201=Schema`) and every problem status."""
    answers: dict[int, Any] = {status: Problem for status in PROBLEM_STATUSES}
    for name, schema in success.items():
        answers[int(name.lstrip("_"))] = schema
    return answers


def body_schema(model: type[Schema]) -> dict[str, Any]:
    """Return `openapi_extra` documenting a JSON body a hand-written view reads itself."""
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": model.model_json_schema()}},
        }
    }
