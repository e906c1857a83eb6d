"""Tests of problem details: every API error renders once, the same way, with no traceback."""

from __future__ import annotations

import pytest

from parlor.api.parsing import MAX_BODY_BYTES
from parlor.api.tests.helpers import assert_problem, post

pytestmark = pytest.mark.usefixtures("live_db")


def test_unknown_api_path_is_a_404_problem(client):
    assert_problem(client.get("/api/v1/nothing/here"), 404, "not_found")


def test_wrong_method_is_a_405_problem_with_allow(client):
    response = client.get("/api/v1/tokens")
    assert_problem(response, 405, "method_not_allowed")
    assert response["Allow"] == "POST"


def test_missing_credentials_are_a_401_problem_with_challenge(client):
    response = post(client, "/api/v1/tokens", {"user_id": "u", "name": "n"})
    assert_problem(response, 401, "unauthenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_body_over_the_limit_is_a_413_problem(client, tenant_alpha):
    body = {"user_id": "u", "name": "x" * MAX_BODY_BYTES}
    response = post(client, "/api/v1/tokens", body, secret_key=tenant_alpha.secret_key)
    assert_problem(response, 413, "payload_too_large")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("{not json", "bad_json"),
        ("[1, 2]", "bad_json"),
        ('"text"', "bad_json"),
        ("[" * 5000, "bad_json"),
    ],
)
def test_malformed_json_is_a_400_problem(client, tenant_alpha, body, code):
    response = post(client, "/api/v1/tokens", body, secret_key=tenant_alpha.secret_key)
    assert_problem(response, 400, code)


def test_a_body_that_is_not_json_is_a_415_problem(client, tenant_alpha):
    response = client.post(
        "/api/v1/tokens",
        "user_id=u",
        content_type="application/x-www-form-urlencoded",
        HTTP_AUTHORIZATION=f"Bearer {tenant_alpha.secret_key}",
    )
    assert_problem(response, 415, "unsupported_media_type")


def test_an_unexpected_failure_is_a_500_problem_without_traceback(
    client, tenant_alpha, monkeypatch
):
    def explode(**kwargs):
        raise RuntimeError("secret internals /etc/passwd")

    monkeypatch.setattr("parlor.api.tokens.token_issue", explode)
    response = post(
        client, "/api/v1/tokens", {"user_id": "u", "name": "n"}, secret_key=tenant_alpha.secret_key
    )
    problem = assert_problem(response, 500, "internal")
    assert "secret internals" not in response.content.decode()
    assert problem["title"] == "Internal Server Error"


def test_api_needs_no_csrf_token(tenant_alpha):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = post(
        client, "/api/v1/tokens", {"user_id": "u", "name": "n"}, secret_key=tenant_alpha.secret_key
    )
    assert response.status_code == 201, response.content
