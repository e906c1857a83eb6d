"""POST /api/v1/ratings: a visitor rates their own conversation 1-5; a webhook event follows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from parlor.api.tests.helpers import assert_problem
from parlor.attachments.tests.support import agent, headers, visitor
from parlor.chat import services as chat
from parlor.ratings.models import Rating
from parlor.webhooks.events import CONVERSATION_RATED
from parlor.webhooks.models import WebhookEndpoint, WebhookEvent
from parlor.webhooks.services import webhook_endpoint_create
from tenants.tokens import token_verify

pytestmark = pytest.mark.usefixtures("live_db")


@pytest.fixture(autouse=True)
def clean(live_db, tenant_alpha):
    yield
    with schema_context(tenant_alpha.tenant.schema_name):
        WebhookEvent.objects.all().delete()
        WebhookEndpoint.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM public.procrastinate_jobs WHERE queue_name = 'webhooks'")


def conversation(created) -> tuple[str, str]:
    """Return (token, room) of a visitor who has written once (so the room exists)."""
    token, room = visitor(created)
    chat.message_send(
        room_id=room, sender=token_verify(token).principal, body="help", client_msg_id="m1"
    )
    return token, room


def rate(client, created, token, body, **extra):
    return client.post(
        "/api/v1/ratings", body, content_type="application/json", **headers(created, token), **extra
    )


def test_rating_is_stored_and_the_last_one_wins(tenant_alpha):
    client = Client()
    token, room = conversation(tenant_alpha)
    answer = rate(client, tenant_alpha, token, {"room": room, "score": 2, "comment": "slow"})
    assert answer.status_code == 201, answer.content
    assert answer["Access-Control-Allow-Origin"] == "https://shop.alpha.example"
    assert answer.json()["score"] == 2 and answer.json()["conversation"] == room
    again = rate(client, tenant_alpha, token, {"room": room, "score": 4})
    assert again.status_code == 201
    with schema_context(tenant_alpha.tenant.schema_name):
        stored = list(Rating.objects.filter(room_id=room).values_list("score", "comment"))
    assert stored == [(4, "")]


def test_the_table_is_the_one_analytics_reads(tenant_alpha):
    assert Rating._meta.db_table == "ratings_rating"
    columns = {field.column for field in Rating._meta.get_fields() if hasattr(field, "column")}
    assert columns == {"id", "room_id", "score", "comment", "created_at"}


@pytest.mark.parametrize("score", [0, 6, -1, 4.5, "4", True, None])
def test_a_score_outside_1_to_5_is_refused_and_nothing_stored(tenant_alpha, score):
    client = Client()
    token, room = conversation(tenant_alpha)
    answer = rate(client, tenant_alpha, token, {"room": room, "score": score})
    assert_problem(answer, 400, "invalid_score")
    with schema_context(tenant_alpha.tenant.schema_name):
        assert not Rating.objects.filter(room_id=room).exists()


def test_a_visitor_rates_only_their_own_conversation(tenant_alpha, tenant_bravo):
    client = Client()
    token, _ = conversation(tenant_alpha)
    _, other_room = conversation(tenant_alpha)
    assert_problem(
        rate(client, tenant_alpha, token, {"room": other_room, "score": 5}), 403, "forbidden"
    )
    # Bravo's visitor, naming alpha's room: its token only ever reaches bravo's schema.
    bravo_token, _ = conversation(tenant_bravo)
    answer = rate(client, tenant_bravo, bravo_token, {"room": other_room, "score": 1})
    assert_problem(answer, 403, "forbidden")
    # ... and from alpha's page it is refused for the origin.
    answer = client.post(
        "/api/v1/ratings",
        {"room": other_room, "score": 1},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {bravo_token}",
        HTTP_ORIGIN="https://shop.alpha.example",
    )
    assert_problem(answer, 403, "origin_forbidden")
    with schema_context(tenant_alpha.tenant.schema_name):
        assert not Rating.objects.filter(room_id=other_room).exists()


def test_agents_do_not_rate(tenant_alpha):
    client = Client()
    _, room = conversation(tenant_alpha)
    answer = client.post(
        "/api/v1/ratings",
        {"room": room, "score": 5},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {agent(tenant_alpha)}",
    )
    assert_problem(answer, 403, "forbidden")


def test_a_conversation_not_started_is_not_found(tenant_alpha):
    token, room = visitor(tenant_alpha)
    assert_problem(
        rate(Client(), tenant_alpha, token, {"room": room, "score": 3}), 404, "not_found"
    )


def test_without_a_token_nothing_is_rated(tenant_alpha):
    _, room = conversation(tenant_alpha)
    answer = Client().post(
        "/api/v1/ratings", {"room": room, "score": 3}, content_type="application/json"
    )
    assert_problem(answer, 401, "token_missing")


def test_comment_with_html_is_stored_as_text_and_bounded(tenant_alpha):
    client = Client()
    token, room = conversation(tenant_alpha)
    html = "<img src=x onerror=alert(1)>"
    assert (
        rate(client, tenant_alpha, token, {"room": room, "score": 3, "comment": html}).json()[
            "comment"
        ]
        == html
    )
    answer = rate(client, tenant_alpha, token, {"room": room, "score": 3, "comment": "x" * 2001})
    assert_problem(answer, 400, "invalid_comment")


def test_rating_enqueues_a_conversation_rated_webhook(tenant_alpha):
    client = Client()
    token, room = conversation(tenant_alpha)
    with schema_context(tenant_alpha.tenant.schema_name):
        webhook_endpoint_create(url="https://hooks.example.com/parlor", events=[CONVERSATION_RATED])
    answer = rate(client, tenant_alpha, token, {"room": room, "score": 5, "comment": "great"})
    assert answer.status_code == 201
    with schema_context(tenant_alpha.tenant.schema_name):
        event = WebhookEvent.objects.get(type=CONVERSATION_RATED, room=room)
        assert event.deliveries.count() == 1
    assert event.payload["data"]["rating"] == {
        "conversation": room,
        "score": 5,
        "comment": "great",
        "created_at": answer.json()["created_at"],
    }
    assert event.payload["tenant"] == "alpha" and event.payload["seq"] == 1
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM public.procrastinate_jobs WHERE queue_name = 'webhooks'"
            " AND args->>'schema_name' = %s",
            [tenant_alpha.tenant.schema_name],
        )
        assert cursor.fetchone()[0] == 1


def test_without_a_subscriber_no_event_is_written(tenant_alpha):
    token, room = conversation(tenant_alpha)
    assert rate(Client(), tenant_alpha, token, {"room": room, "score": 5}).status_code == 201
    with schema_context(tenant_alpha.tenant.schema_name):
        assert not WebhookEvent.objects.filter(type=CONVERSATION_RATED).exists()
