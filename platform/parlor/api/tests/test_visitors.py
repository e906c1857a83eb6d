"""`POST /api/v1/widget/context` through a real widget session: context, identify, signed claims."""

from __future__ import annotations

import uuid

import pytest
from django_tenants.utils import schema_context

from parlor.api.tests.helpers import assert_problem, post
from parlor.chat import services as chat
from parlor.visitors.models import VisitorProfile
from tenants.tokens import token_verify

pytestmark = pytest.mark.usefixtures("live_db")
ALPHA_ORIGIN = "https://shop.alpha.example"
BRAVO_ORIGIN = "https://shop.bravo.example"
CHROME = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/120.0.0.0 Safari/537.36"
)
CONTEXT = {
    "page_url": "https://shop.alpha.example/pricing",
    "page_title": "Pricing",
    "referrer": "https://search.example/",
    "locale": "fr-FR",
    "timezone": "Europe/Paris",
}


def session(client, created, origin=ALPHA_ORIGIN) -> str:
    body = {"key": created.tenant.publishable_key}
    response = post(client, "/api/v1/widget/sessions", body, HTTP_ORIGIN=origin)
    assert response.status_code == 201, response.content
    return response.json()["token"]


def report(client, token, body, origin=ALPHA_ORIGIN, **headers):
    headers.setdefault("HTTP_USER_AGENT", CHROME)
    if token is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    if origin is not None:
        headers["HTTP_ORIGIN"] = origin
    return post(client, "/api/v1/widget/context", body, **headers)


def profile_of(schema: str, token: str) -> VisitorProfile | None:
    principal = token_verify(token).principal
    with schema_context(schema):
        return VisitorProfile.objects.filter(
            kind=principal.kind.value, subject=principal.subject
        ).first()


def test_the_widget_reports_context_and_identify_for_its_visitor(client, tenant_alpha):
    token = session(client, tenant_alpha)
    answer = report(client, token, {**CONTEXT, "name": "Ana <b>", "email": "ana@example.com"})
    assert answer.status_code == 204, answer.content
    assert answer["Access-Control-Allow-Origin"] == ALPHA_ORIGIN
    profile = profile_of("alpha", token)
    assert (profile.page_url, profile.page_title, profile.referrer) == (
        CONTEXT["page_url"],
        "Pricing",
        "https://search.example/",
    )
    assert (profile.browser, profile.os, profile.locale, profile.timezone) == (
        "Chrome 120",
        "macOS",
        "fr-FR",
        "Europe/Paris",
    )
    assert (profile.name, profile.name_verified, profile.email_verified) == (
        "Ana <b>",
        False,
        False,
    )


def test_the_visitor_tokens_label_names_its_messages_not_its_id(client, tenant_alpha):
    principal = token_verify(session(client, tenant_alpha)).principal
    assert "#" in principal.name and principal.subject not in principal.name


def test_attributes_from_the_page_are_refused_and_nothing_is_stored(client, tenant_alpha):
    token = session(client, tenant_alpha)
    forged = {**CONTEXT, "attributes": {"plan": "enterprise"}, "name": "Mallory"}
    assert_problem(report(client, token, forged), 400, "unknown_field")
    assert profile_of("alpha", token) is None


def test_signed_claims_from_the_tenants_token_are_verified_and_beat_the_page(client, tenant_alpha):
    user_id = f"u-{uuid.uuid4().hex[:8]}"
    issued = post(
        client,
        "/api/v1/tokens",
        {
            "user_id": user_id,
            "name": "Dana Signed",
            "email": "dana@alpha.example",
            "attributes": {"plan": "pro", "seats": 3, "vip": True},
        },
        secret_key=tenant_alpha.secret_key,
    )
    assert issued.status_code == 201, issued.content
    token = issued.json()["token"]
    page_says = {**CONTEXT, "name": "Forged", "email": "forged@evil.example"}
    assert report(client, token, page_says).status_code == 204
    profile = profile_of("alpha", token)
    assert (profile.name, profile.name_verified) == ("Dana Signed", True)
    assert (profile.email, profile.email_verified) == ("dana@alpha.example", True)
    assert profile.attributes == {"plan": "pro", "seats": 3, "vip": True}


@pytest.mark.parametrize(
    "attributes",
    [{"bad name": 1}, {"nested": {"a": 1}}, {f"k{n}": n for n in range(26)}, {"x": "y" * 300}],
)
def test_bad_attributes_are_refused_when_a_token_is_asked_for(client, tenant_alpha, attributes):
    answer = post(
        client,
        "/api/v1/tokens",
        {"user_id": "u-1", "name": "U", "attributes": attributes},
        secret_key=tenant_alpha.secret_key,
    )
    assert answer.status_code in (400, 422), answer.content


@pytest.mark.parametrize(
    "body",
    [
        {"page_url": "javascript:alert(1)"},
        {"referrer": "file:///etc/passwd"},
        {"timezone": "Nowhere/Land"},
        {"email": "not-an-email"},
    ],
)
def test_bad_context_is_422_and_stores_nothing(client, tenant_alpha, body):
    token = session(client, tenant_alpha)
    assert_problem(report(client, token, body), 422, "invalid_field")
    assert profile_of("alpha", token) is None


def test_no_token_a_forged_one_or_an_agent_token_is_401(client, tenant_alpha):
    assert_problem(report(client, None, CONTEXT), 401, "token_missing")
    assert report(client, "a.b.c", CONTEXT).status_code == 401
    agent = post(
        client,
        "/api/v1/tokens",
        {"user_id": "agent-1", "name": "Ada", "kind": "agent"},
        secret_key=tenant_alpha.secret_key,
    ).json()["token"]
    assert report(client, agent, CONTEXT).status_code == 401


def test_a_page_another_tenant_allows_cannot_report_for_alpha(client, tenant_alpha, tenant_bravo):
    token = session(client, tenant_alpha)
    assert_problem(report(client, token, CONTEXT, origin=BRAVO_ORIGIN), 403, "origin_forbidden")
    assert_problem(report(client, token, CONTEXT, origin=None), 403, "origin_forbidden")
    assert profile_of("alpha", token) is None


def test_alphas_visitor_profile_is_never_in_bravos_schema(client, tenant_alpha, tenant_bravo):
    token = session(client, tenant_alpha)
    assert report(client, token, {**CONTEXT, "name": "Alpha Visitor"}).status_code == 204
    assert profile_of("alpha", token).name == "Alpha Visitor"
    assert profile_of("bravo", token) is None
    with schema_context("bravo"):
        assert not VisitorProfile.objects.filter(name="Alpha Visitor").exists()


def test_the_preflight_allows_the_authorization_header(client, tenant_alpha):
    answer = client.options("/api/v1/widget/context", HTTP_ORIGIN=ALPHA_ORIGIN)
    assert answer.status_code == 204
    assert "Authorization" in answer["Access-Control-Allow-Headers"]
    assert (
        client.options("/api/v1/widget/context", HTTP_ORIGIN="https://evil.example").status_code
        == 403
    )


@pytest.fixture
def identified_hook(client, tenant_alpha):
    """An endpoint of alpha's for visitor.identified, registered through the API; removed after."""
    from django.db import connection

    from parlor.webhooks.models import WebhookEndpoint, WebhookEvent

    answer = post(
        client,
        "/api/v1/webhooks",
        {"url": "https://hooks.alpha.example/in", "events": ["visitor.identified"]},
        secret_key=tenant_alpha.secret_key,
    )
    assert answer.status_code == 201, answer.content
    yield answer.json()["id"]
    with schema_context("alpha"):
        WebhookEvent.objects.all().delete()
        WebhookEndpoint.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM public.procrastinate_jobs WHERE queue_name = 'webhooks'")


def test_identify_through_the_api_enqueues_one_visitor_identified_delivery(
    client, tenant_alpha, identified_hook
):
    from parlor.webhooks.models import WebhookDelivery, WebhookEvent

    token = session(client, tenant_alpha)
    subject = token_verify(token).principal.subject
    assert report(client, token, CONTEXT).status_code == 204
    with schema_context("alpha"):
        assert not WebhookEvent.objects.filter(type="visitor.identified").exists()
    for name in ("Ana", "Ana again"):
        assert report(client, token, {**CONTEXT, "name": name}).status_code == 204
    with schema_context("alpha"):
        [event] = WebhookEvent.objects.filter(type="visitor.identified")
        assert event.payload["data"]["visitor"]["id"] == subject
        assert event.payload["data"]["visitor"]["name"] == "Ana"
        assert WebhookDelivery.objects.get(event=event).endpoint_id == identified_hook


def test_after_identify_the_next_token_bears_the_name_and_so_do_new_messages(
    client, tenant_alpha, tenant_bravo
):
    body = {"key": tenant_alpha.tenant.publishable_key}
    first = post(client, "/api/v1/widget/sessions", body, HTTP_ORIGIN=ALPHA_ORIGIN).json()
    label = token_verify(first["token"]).principal.name
    assert report(client, first["token"], {**CONTEXT, "name": "Ana <b>"}).status_code == 204
    # The widget renews its token after identify: the returning visitor's token has the name.
    again = {**body, "visitor": first["visitor"]}
    renewed = post(client, "/api/v1/widget/sessions", again, HTTP_ORIGIN=ALPHA_ORIGIN).json()
    principal = token_verify(renewed["token"]).principal
    assert (principal.subject, principal.name) == (
        token_verify(first["token"]).principal.subject,
        "Ana <b>",
    )
    with schema_context("alpha"):
        sent = chat.message_send(
            room_id=renewed["conversation"],
            sender=principal,
            body="it's Ana",
            client_msg_id=uuid.uuid4().hex,
        )
    assert sent.message.sender_name == "Ana <b>"
    # Another tenant's key never takes alpha's visitor string: a new visitor, labelled.
    elsewhere = {"key": tenant_bravo.tenant.publishable_key, "visitor": first["visitor"]}
    response = post(client, "/api/v1/widget/sessions", elsewhere, HTTP_ORIGIN=BRAVO_ORIGIN)
    stranger = token_verify(response.json()["token"]).principal
    assert stranger.name != "Ana <b>" and "#" in stranger.name and label != stranger.name
