"""`/api/v1/messages/search`: full-text search over the tenant's messages (secret key only)."""

from __future__ import annotations

import orjson
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django_tenants.utils import schema_context
from ninja import Query, Router

from parlor.api.auth import secret_key_auth
from parlor.api.query import query_int
from parlor.api.rooms import MessageOut
from parlor.api.schemas import Closed, responses
from parlor.chat.broadcast import message_item
from parlor.chat.search import SEARCH_DEFAULT, SEARCH_MAX, SearchHit, message_search

router = Router(tags=["search"], auth=secret_key_auth)


class SearchQuery(Closed):
    """The words to look for (websearch syntax) and how many results at most."""

    q: str
    limit: int | None = None


class SearchResult(Closed):
    """A matching message, its rank, a plain-text snippet and its place in the dashboard."""

    message: MessageOut
    rank: float
    snippet: str
    dashboard_path: str


class SearchResults(Closed):
    """The best matches, best first."""

    results: list[SearchResult]


@router.get(
    "/messages/search", response=responses(_200=SearchResults), url_name="api-message-search"
)
def messages_search(request: HttpRequest, query: Query[SearchQuery]) -> HttpResponse:
    """Search the tenant's messages; `q` uses web search syntax ("phrase", or, -word)."""
    limit = query_int(request.GET, "limit", minimum=1, maximum=SEARCH_MAX, default=SEARCH_DEFAULT)
    with schema_context(request.auth.schema_name):
        hits = message_search(query=request.GET.get("q", ""), limit=limit)
    body = {"results": [result_json(hit) for hit in hits]}
    # orjson with a Z suffix: messages read the same here as in /rooms/{id}/messages.
    return HttpResponse(
        orjson.dumps(body, option=orjson.OPT_UTC_Z), content_type="application/json"
    )


def result_json(hit: SearchHit) -> dict:
    """Return what the API shows of one search hit."""
    message = hit.message
    path = reverse("dashboard:transcript", kwargs={"room_id": message.room_id})
    return {
        "message": message_item(message),
        "rank": hit.rank,
        "snippet": hit.snippet_text,
        "dashboard_path": f"{path}?seq={message.seq}#m-{message.seq}",
    }
