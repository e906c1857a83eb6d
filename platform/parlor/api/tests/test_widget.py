"""Tests of POST /api/v1/widget/sessions: visitor tokens for allowed origins only, with CORS."""

from __future__ import annotations

import pytest
from django.test import override_settings

from parlor.api.tests.helpers import assert_problem, post
from parlor.base.conversations import conversation_room_id
from parlor.base.identity import PrincipalKind
from parlor.testing.origins import FOREIGN_ORIGINS
from tenants.tokens import token_verify
from tenants.widget_sessions import WIDGET_DEFAULTS

pytestmark = pytest.mark.usefixtures("live_db")
PATH = "/api/v1/widget/sessions"
ALPHA_ORIGIN = "https://shop.alpha.example"


def start(client, tenant, *, origin=ALPHA_ORIGIN, **body):
    headers = {"HTTP_ORIGIN": origin} if origin is not None else {}
    return post(client, PATH, {"key": tenant.publishable_key, **body}, **headers)


def test_session_gives_a_visitor_token_and_everything_the_widget_needs(client, tenant_alpha):
    response = start(client, tenant_alpha.tenant)
    assert response.status_code == 201, response.content
    assert response["Access-Control-Allow-Origin"] == ALPHA_ORIGIN
    assert "Origin" in response["Vary"]
    answer = response.json()
    assert set(answer) == {
        *("token", "expires_at", "visitor", "conversation", "ws_url", "widget"),
        *("status", "followup"),
    }
    principal = token_verify(answer["token"]).principal
    assert principal.kind is PrincipalKind.VISITOR and principal.tenant.slug == "alpha"
    assert principal.expires_at - principal.issued_at == 900
    assert principal.subject not in answer["visitor"].split(":")[1:]
    assert answer["conversation"] == conversation_room_id(
        kind=PrincipalKind.VISITOR, subject=principal.subject
    )
    assert answer["ws_url"] == "ws://127.0.0.1:8000/ws/v1/"
    assert set(answer["widget"]) == set(WIDGET_DEFAULTS)
    assert answer["widget"]["title"] == "Alpha"


def test_returning_visitor_keeps_its_conversation(client, tenant_alpha):
    first = start(client, tenant_alpha.tenant).json()
    again = start(client, tenant_alpha.tenant, visitor=first["visitor"]).json()
    assert again["conversation"] == first["conversation"]
    assert (
        token_verify(again["token"]).principal.subject
        == token_verify(first["token"]).principal.subject
    )


@pytest.mark.parametrize("visitor", ["v_forged", "", "x" * 1000, "v_AAAAAAAAAAAAAAAAAAAAAA:1:sig"])
def test_tampered_visitor_gets_a_new_conversation(client, tenant_alpha, visitor):
    answer = start(client, tenant_alpha.tenant, visitor=visitor).json()
    assert token_verify(answer["token"]).principal.subject.startswith("v_")
    assert answer["visitor"] != visitor


def test_visitor_of_another_tenant_gets_a_new_conversation(client, tenant_alpha, tenant_bravo):
    bravo = start(client, tenant_bravo.tenant, origin="https://shop.bravo.example").json()
    alpha = start(client, tenant_alpha.tenant, visitor=bravo["visitor"]).json()
    assert alpha["conversation"] != bravo["conversation"]


def test_tenant_widget_settings_override_defaults(client, tenant_alpha):
    tenant = tenant_alpha.tenant
    original = tenant.widget_settings
    tenant.widget_settings = {
        "color": "#ff0000",
        "greeting": "Hola",
        "evil": "<script>",
        "title": 5,
    }
    tenant.save(update_fields=["widget_settings"])
    try:
        widget = start(client, tenant).json()["widget"]
    finally:
        tenant.widget_settings = original
        tenant.save(update_fields=["widget_settings"])
    assert widget["color"] == "#ff0000" and widget["greeting"] == "Hola"
    assert widget["title"] == "Alpha" and "evil" not in widget


@override_settings(PARLOR_PUBLIC_URL="https://chat.parlor.example")
def test_ws_url_follows_the_public_url(client, tenant_alpha):
    assert start(client, tenant_alpha.tenant).json()["ws_url"] == "wss://chat.parlor.example/ws/v1/"


@pytest.mark.parametrize("origin", FOREIGN_ORIGINS)
def test_foreign_origins_are_refused_without_cors_headers(client, tenant_alpha, origin):
    response = start(client, tenant_alpha.tenant, origin=origin)
    assert_problem(response, 403, "origin_forbidden")
    assert "Access-Control-Allow-Origin" not in response


@pytest.mark.parametrize(
    ("key", "status", "code"),
    [("pk_nope", 401, "unauthenticated"), ("sk_x", 400, "invalid_key"), (None, 400, "invalid_key")],
)
def test_bad_publishable_keys_are_refused(client, key, status, code):
    response = post(client, PATH, {"key": key}, HTTP_ORIGIN=ALPHA_ORIGIN)
    assert_problem(response, status, code)


def test_visitor_must_be_a_string(client, tenant_alpha):
    assert_problem(start(client, tenant_alpha.tenant, visitor=42), 400, "invalid_visitor")


def test_preflight_answers_with_the_exact_origin(client, tenant_alpha):
    response = client.options(
        PATH, HTTP_ORIGIN=ALPHA_ORIGIN, HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST"
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == ALPHA_ORIGIN
    assert response["Access-Control-Allow-Methods"] == "POST"
    assert response["Access-Control-Allow-Headers"] == "Content-Type"
    assert "Access-Control-Allow-Credentials" not in response


@pytest.mark.parametrize(
    "origin", ["https://evil.example", "null", "http://shop.alpha.example", None]
)
def test_preflight_from_an_unknown_origin_gets_no_cors_headers(client, origin):
    headers = {"HTTP_ORIGIN": origin} if origin else {}
    response = client.options(PATH, **headers)
    assert_problem(response, 403, "origin_forbidden")
    assert "Access-Control-Allow-Origin" not in response
