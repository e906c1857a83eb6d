"""The widget session endpoint lets the calling page read its refusals, so that the widget can
say in one line why it cannot chat (bad key, origin not allowed) and stop retrying."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.usefixtures("live_db")


def post(client, body: dict, origin: str | None):
    headers = {"HTTP_ORIGIN": origin} if origin else {}
    return client.post(
        "/api/v1/widget/sessions", json.dumps(body), content_type="application/json", **headers
    )


def test_a_session_for_an_allowed_origin_is_readable_by_it(client, tenant_alpha):
    response = post(client, {"key": tenant_alpha.tenant.publishable_key}, "http://127.0.0.1:8001")
    assert response.status_code == 201
    assert response["Access-Control-Allow-Origin"] == "http://127.0.0.1:8001"


def test_a_wrong_key_is_refused_readably(client, tenant_alpha):
    response = post(client, {"key": "pk_" + "x" * 30}, "https://shop.alpha.example")
    assert response.status_code == 401
    assert response["Access-Control-Allow-Origin"] == "https://shop.alpha.example"
    assert response.json()["code"] == "unauthenticated"
    assert "token" not in response.json()


def test_another_tenants_origin_is_refused_readably_and_gets_no_token(
    client, tenant_alpha, tenant_bravo
):
    response = post(
        client, {"key": tenant_alpha.tenant.publishable_key}, "https://shop.bravo.example"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "origin_forbidden"
    assert "token" not in response.json()
    assert response["Access-Control-Allow-Origin"] == "https://shop.bravo.example"


def test_an_opaque_origin_gets_no_cors_header(client, tenant_alpha):
    response = post(client, {"key": tenant_alpha.tenant.publishable_key}, "null")
    assert response.status_code == 403
    assert "Access-Control-Allow-Origin" not in response
