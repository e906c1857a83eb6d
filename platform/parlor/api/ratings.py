"""`POST /api/v1/ratings`: the visitor rates their conversation once it is resolved."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Router

from parlor.api.browser import browser_endpoint, preflight, token_principal
from parlor.api.parsing import json_body
from parlor.api.schemas import Closed, body_schema, responses
from parlor.ratings.services import rating_json, rating_submit

FIELDS = {"room", "score", "comment"}
router = Router(tags=["ratings"])


class RatingIn(Closed):
    """The visitor's own conversation, a score of 1-5 and an optional comment."""

    room: str
    score: int
    comment: str | None = None


class RatingOut(Closed):
    """A stored rating (a later one of the same conversation replaces it)."""

    conversation: str
    score: int
    comment: str
    created_at: str


@router.api_operation(["OPTIONS"], "/ratings", response=responses(_204=None))
def ratings_preflight(request: HttpRequest) -> HttpResponse:
    """Answer the CORS preflight of a page some tenant allows."""
    return preflight(request, methods="POST")


@router.post("/ratings", response=responses(_201=RatingOut), openapi_extra=body_schema(RatingIn))
@browser_endpoint
def ratings_create(request: HttpRequest) -> HttpResponse:
    """Store the visitor token's rating of its own conversation; the last rating wins."""
    principal = token_principal(request)
    body = json_body(request, fields=FIELDS)
    rating = rating_submit(
        principal=principal,
        room_id=body.get("room"),
        score=body.get("score"),
        comment=body.get("comment"),
    )
    return JsonResponse(rating_json(rating), status=201)
