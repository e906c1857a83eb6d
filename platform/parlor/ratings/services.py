"""Writes of ratings: a visitor rates their own conversation; a webhook event follows."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from parlor.base.errors import NotFound, PermissionDenied, ValidationFailed
from parlor.base.identity import Principal, PrincipalKind
from parlor.base.times import isoformat
from parlor.chat.models import Room
from parlor.chat.permissions import own_conversation
from parlor.ratings.models import SCORE_MAX, SCORE_MIN, Rating
from parlor.webhooks.enqueue import EventToSend, webhook_event_enqueue
from parlor.webhooks.events import CONVERSATION_RATED

COMMENT_MAX_LENGTH = 2000


def rating_submit(
    *, principal: Principal, room_id: object, score: object, comment: object
) -> Rating:
    """Store the visitor's rating of their own conversation (the last one wins) and its event."""
    score = _score_check(score)
    comment = _comment_check(comment)
    if principal.kind is not PrincipalKind.VISITOR:
        raise PermissionDenied("only the visitor rates a conversation.", code="forbidden")
    if not isinstance(room_id, str) or room_id != own_conversation(principal):
        raise PermissionDenied("a visitor rates only their own conversation.", code="forbidden")
    schema_name = principal.tenant.schema_name
    with schema_context(schema_name), transaction.atomic():
        room = Room.objects.select_for_update().filter(id=room_id).first()
        if room is None:
            raise NotFound("no such conversation.", code="not_found")
        rating, _ = Rating.objects.update_or_create(
            room=room, defaults={"score": score, "comment": comment, "created_at": timezone.now()}
        )
        webhook_event_enqueue(
            schema_name=schema_name,
            event=EventToSend(
                type=CONVERSATION_RATED,
                tenant=principal.tenant.slug,
                room=room.id,
                seq=room.last_seq,
                data={"rating": rating_json(rating)},
                at=rating.created_at,
            ),
        )
    return rating


def rating_json(rating: Rating) -> dict:
    """Return a rating as the API and the webhook show it."""
    return {
        "conversation": rating.room_id,
        "score": rating.score,
        "comment": rating.comment,
        "created_at": isoformat(rating.created_at),
    }


def _score_check(score: object) -> int:
    if isinstance(score, bool) or not isinstance(score, int) or not SCORE_MIN <= score <= SCORE_MAX:
        raise ValidationFailed(
            f"score must be a whole number from {SCORE_MIN} to {SCORE_MAX}.", code="invalid_score"
        )
    return score


def _comment_check(comment: object) -> str:
    if comment is None:
        return ""
    if not isinstance(comment, str) or "\x00" in comment:
        raise ValidationFailed("comment must be text.", code="invalid_comment")
    if len(comment) > COMMENT_MAX_LENGTH:
        raise ValidationFailed(
            f"comment is over {COMMENT_MAX_LENGTH} characters.", code="invalid_comment"
        )
    return comment.strip()
