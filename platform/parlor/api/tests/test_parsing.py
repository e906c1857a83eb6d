"""Reading API bodies: a lone surrogate anywhere answers 400 `invalid_text`, never a 500."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from parlor.api.tests.helpers import assert_problem, post
from parlor.chat.models import Room, RoomKind

pytestmark = pytest.mark.usefixtures("live_db")
LONE = "\\ud800"  # a JSON escape of half a surrogate pair: JSON-legal, not valid Unicode


@pytest.fixture(autouse=True)
def public_schema_after():
    yield
    connection.set_schema_to_public()


@pytest.fixture
def room_id(tenant_alpha) -> str:
    room_id = f"text-{uuid.uuid4().hex[:12]}"
    with schema_context(tenant_alpha.tenant.schema_name):
        Room.objects.create(id=room_id, kind=RoomKind.CHANNEL)
    return room_id


@pytest.mark.parametrize(
    "body",
    [
        f'{{"body": "{LONE}", "sender_name": "Ada", "client_msg_id": "m1"}}',
        f'{{"body": "hi", "sender_name": "A{LONE}", "client_msg_id": "m2"}}',
        f'{{"body": "hi", "sender_name": "Ada", "client_msg_id": "{LONE}"}}',
    ],
    ids=["body", "sender_name", "client_msg_id"],
)
def test_a_lone_surrogate_in_a_message_answers_400_invalid_text(
    client, tenant_alpha, room_id, body
):
    response = post(
        client, f"/api/v1/rooms/{room_id}/messages", body, secret_key=tenant_alpha.secret_key
    )
    assert_problem(response, 400, "invalid_text")


def test_a_lone_surrogate_user_id_mints_no_token(client, tenant_alpha):
    body = f'{{"user_id": "{LONE}", "name": "Ada"}}'
    response = post(client, "/api/v1/tokens", body, secret_key=tenant_alpha.secret_key)
    assert_problem(response, 400, "invalid_text")


def test_a_valid_surrogate_pair_is_text_like_any_other(client, tenant_alpha):
    body = '{"user_id": "u-\\ud83d\\ude00", "name": "Ada"}'
    response = post(client, "/api/v1/tokens", body, secret_key=tenant_alpha.secret_key)
    assert response.status_code == 201, response.content


def test_malformed_json_is_still_bad_json(client, tenant_alpha):
    response = post(client, "/api/v1/tokens", '{"user_id": ', secret_key=tenant_alpha.secret_key)
    assert_problem(response, 400, "bad_json")
