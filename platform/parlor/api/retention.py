"""`/api/v1/retention`: how many days an inactive conversation is kept (null: forever)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django_tenants.utils import schema_context
from ninja import Router

from parlor.api.auth import secret_key_auth
from parlor.api.schemas import Closed, responses
from parlor.subjects.selectors import retention_days
from parlor.subjects.services import retention_set

router = Router(tags=["subjects"], auth=secret_key_auth)


class Retention(Closed):
    """Conversations with no message for this many days are deleted daily; null keeps them."""

    conversation_days: int | None


@router.get("/retention", response=responses(_200=Retention), url_name="api-retention")
def retention_get(request: HttpRequest) -> HttpResponse:
    """Return the tenant's retention setting."""
    with schema_context(request.auth.schema_name):
        return JsonResponse({"conversation_days": retention_days()})


@router.put("/retention", response=responses(_200=Retention))
def retention_put(request: HttpRequest, body: Retention) -> HttpResponse:
    """Set the tenant's retention (1-3650 days, or null)."""
    with schema_context(request.auth.schema_name):
        days = retention_set(days=body.conversation_days)
    return JsonResponse({"conversation_days": days})
