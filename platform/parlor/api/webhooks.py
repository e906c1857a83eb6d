"""`/api/v1/webhooks`: register, list and delete endpoints, rotate secrets, redo deliveries."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django_tenants.utils import schema_context
from ninja import Router
from pydantic import Field

from parlor.api.auth import API_ACTOR, secret_key_auth
from parlor.api.schemas import Closed, responses
from parlor.audit import actions
from parlor.audit.services import audit_record
from parlor.base.times import isoformat
from parlor.webhooks import selectors, services
from parlor.webhooks.events import EVENT_TYPES
from parlor.webhooks.models import WebhookDelivery, WebhookEndpoint

router = Router(tags=["webhooks"], auth=secret_key_auth)
EVENTS = list(EVENT_TYPES)


class EndpointCreate(Closed):
    """An https URL and the event types it receives (docs/webhooks.md lists them)."""

    url: str
    # The schema names every type; the service refuses others with a problem document (422).
    events: list[str] = Field(json_schema_extra={"items": {"type": "string", "enum": EVENTS}})


class Endpoint(Closed):
    """An endpoint as listed: never its secret."""

    id: str
    url: str
    events: list[str]
    created_at: str | None
    disabled: bool
    disabled_at: str | None


class EndpointWithSecret(Endpoint):
    """An endpoint just created or rotated, with its secret: shown this once."""

    secret: str


class EndpointList(Closed):
    """The tenant's endpoints."""

    webhooks: list[Endpoint]


class Delivery(Closed):
    """One delivery of an event to an endpoint."""

    id: int
    event_id: str
    event_type: str
    status: str
    attempts: int
    last_status_code: int | None
    last_error: str
    created_at: str | None
    next_attempt_at: str | None


class DeliveryList(Closed):
    """An endpoint's newest deliveries, newest first."""

    deliveries: list[Delivery]


@router.post("/webhooks", response=responses(_201=EndpointWithSecret), url_name="api-webhooks")
def webhooks_create(request: HttpRequest, body: EndpointCreate) -> HttpResponse:
    """Register an endpoint; the answer carries its `whsec_` secret, shown once."""
    with schema_context(request.auth.schema_name):
        endpoint = services.webhook_endpoint_create(
            url=body.url, events=body.events, tenant=request.auth
        )
        audit_record(
            actor=API_ACTOR,
            action=actions.WEBHOOK_ENDPOINT_ADDED,
            target=endpoint.id,
            detail={"events": list(body.events)[:20]},
        )
    return JsonResponse(endpoint_json(endpoint, secret=True), status=201)


@router.get("/webhooks", response=responses(_200=EndpointList))
def webhooks_list(request: HttpRequest) -> HttpResponse:
    """List the tenant's endpoints."""
    with schema_context(request.auth.schema_name):
        endpoints = selectors.webhook_endpoint_list()
    return JsonResponse({"webhooks": [endpoint_json(endpoint) for endpoint in endpoints]})


@router.delete("/webhooks/{endpoint_id}", response=responses(_204=None), url_name="api-webhook")
def webhooks_delete(request: HttpRequest, endpoint_id: str) -> HttpResponse:
    """Delete an endpoint; its pending deliveries are not sent."""
    with schema_context(request.auth.schema_name):
        services.webhook_endpoint_delete(endpoint_id=endpoint_id)
        audit_record(actor=API_ACTOR, action=actions.WEBHOOK_ENDPOINT_REMOVED, target=endpoint_id)
    return HttpResponse(status=204)


@router.post(
    "/webhooks/{endpoint_id}/rotate-secret",
    response=responses(_200=EndpointWithSecret),
    url_name="api-webhook-rotate-secret",
)
def webhooks_rotate_secret(request: HttpRequest, endpoint_id: str) -> HttpResponse:
    """Give the endpoint a new secret, used from the next attempt on; shown once."""
    with schema_context(request.auth.schema_name):
        endpoint = services.webhook_endpoint_secret_rotate(endpoint_id=endpoint_id)
        audit_record(
            actor=API_ACTOR, action=actions.WEBHOOK_ENDPOINT_SECRET_ROTATED, target=endpoint_id
        )
    return JsonResponse(endpoint_json(endpoint, secret=True))


@router.get(
    "/webhooks/{endpoint_id}/deliveries",
    response=responses(_200=DeliveryList),
    url_name="api-webhook-deliveries",
)
def webhooks_deliveries(request: HttpRequest, endpoint_id: str) -> HttpResponse:
    """List the endpoint's newest deliveries."""
    with schema_context(request.auth.schema_name):
        selectors.webhook_endpoint_get(endpoint_id=endpoint_id)
        deliveries = selectors.webhook_delivery_list(endpoint_id=endpoint_id)
    return JsonResponse({"deliveries": [delivery_json(delivery) for delivery in deliveries]})


@router.post(
    "/webhooks/{endpoint_id}/deliveries/{delivery_id}/redeliver",
    response=responses(_202=Delivery),
    url_name="api-webhook-redeliver",
)
def webhooks_redeliver(request: HttpRequest, endpoint_id: str, delivery_id: int) -> HttpResponse:
    """Send a delivery's event again (same `webhook-id`), as a new delivery."""
    schema_name = request.auth.schema_name
    with schema_context(schema_name):
        selectors.webhook_endpoint_get(endpoint_id=endpoint_id)
        delivery = services.webhook_redeliver(
            schema_name=schema_name, endpoint_id=endpoint_id, delivery_id=delivery_id
        )
        answer = delivery_json(delivery)
    return JsonResponse(answer, status=202)


def endpoint_json(endpoint: WebhookEndpoint, *, secret: bool = False) -> dict:
    """Return what the API shows of an endpoint; the secret only when asked (create, rotate)."""
    answer = {
        "id": endpoint.id,
        "url": endpoint.url,
        "events": endpoint.events,
        "created_at": isoformat(endpoint.created_at),
        "disabled": endpoint.disabled_at is not None,
        "disabled_at": isoformat(endpoint.disabled_at),
    }
    if secret:
        answer["secret"] = endpoint.secret
    return answer


def delivery_json(delivery: WebhookDelivery) -> dict:
    """Return what the API shows of a delivery: never the payload or the response body."""
    return {
        "id": delivery.id,
        "event_id": delivery.event_id,
        "event_type": delivery.event.type,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "last_status_code": delivery.last_status_code,
        "last_error": delivery.last_error,
        "created_at": isoformat(delivery.created_at),
        "next_attempt_at": isoformat(delivery.next_attempt_at),
    }
