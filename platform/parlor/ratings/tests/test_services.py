"""rating_submit on its own: bounds, the visitor's own conversation, the last rating wins."""

from __future__ import annotations

import uuid

import pytest
from django_tenants.utils import schema_context

from parlor.base.conversations import conversation_room_id
from parlor.base.errors import NotFound, PermissionDenied, ValidationFailed
from parlor.base.identity import PrincipalKind
from parlor.chat import services as chat
from parlor.ratings.models import Rating
from parlor.ratings.services import rating_submit
from tenants.tokens import token_issue, token_verify

pytestmark = pytest.mark.usefixtures("live_db")


def visitor(created) -> tuple[str, str]:
    """Return (token, own conversation) of a new visitor of the tenant."""
    subject = f"v_{uuid.uuid4().hex[:20]}"
    token = token_issue(
        tenant=created.tenant, kind=PrincipalKind.VISITOR, subject=subject, name="Vera"
    ).token
    return token, conversation_room_id(kind=PrincipalKind.VISITOR, subject=subject)


def started(created):
    token, room = visitor(created)
    principal = token_verify(token).principal
    chat.message_send(room_id=room, sender=principal, body="hi", client_msg_id="m1")
    return principal, room


@pytest.mark.parametrize("score", [1, 5])
def test_the_bounds_are_accepted(tenant_alpha, score):
    principal, room = started(tenant_alpha)
    rating = rating_submit(principal=principal, room_id=room, score=score, comment=None)
    assert (rating.score, rating.comment) == (score, "")


@pytest.mark.parametrize("score", [0, 6, 3.0, "3", False])
def test_outside_the_bounds_is_refused(tenant_alpha, score):
    principal, room = started(tenant_alpha)
    with pytest.raises(ValidationFailed) as refused:
        rating_submit(principal=principal, room_id=room, score=score, comment="")
    assert refused.value.code == "invalid_score" and refused.value.status == 400


def test_the_last_rating_wins(tenant_alpha):
    principal, room = started(tenant_alpha)
    rating_submit(principal=principal, room_id=room, score=1, comment="bad")
    rating_submit(principal=principal, room_id=room, score=5, comment="fixed")
    with schema_context(tenant_alpha.tenant.schema_name):
        assert list(Rating.objects.filter(room_id=room).values_list("score", "comment")) == [
            (5, "fixed")
        ]


def test_another_room_or_a_missing_one_is_refused(tenant_alpha):
    principal, _ = started(tenant_alpha)
    _, other = started(tenant_alpha)
    with pytest.raises(PermissionDenied):
        rating_submit(principal=principal, room_id=other, score=3, comment="")
    fresh_token, fresh_room = visitor(tenant_alpha)
    with pytest.raises(NotFound):
        rating_submit(
            principal=token_verify(fresh_token).principal, room_id=fresh_room, score=3, comment=""
        )
