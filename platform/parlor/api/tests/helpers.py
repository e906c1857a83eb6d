"""Test support for the HTTP API: authenticated JSON requests and problem-details checks."""

from __future__ import annotations

import json

from django.test import Client


def post(client: Client, path: str, body: object, *, secret_key: str | None = None, **headers):
    """POST `body` as JSON to `path`, with the secret key as a bearer token if given."""
    if secret_key is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {secret_key}"
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(path, data, content_type="application/json", **headers)


def assert_problem(response, status: int, code: str) -> dict:
    """Assert `response` is one problem-details document with `status` and `code`; return it."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert set(problem) == {"type", "title", "status", "code", "detail"}
    assert problem["status"] == status and problem["code"] == code, problem
    assert "\n" not in problem["detail"] and "Traceback" not in problem["detail"]
    return problem
