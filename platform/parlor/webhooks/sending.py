"""One delivery attempt: sign, POST through the SSRF-safe client, record, schedule the next."""

from __future__ import annotations

import http.client
import logging
import time

import orjson
from django.db import connection, transaction
from django.utils import timezone
from psycopg import sql

from parlor.outbound.http import OutboundRefused, outbound_post
from parlor.webhooks.enqueue import DELIVER_TASK, QUEUE
from parlor.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from parlor.webhooks.retries import retry_delay, retry_window_over
from parlor.webhooks.signing import signed_headers

logger = logging.getLogger(__name__)

DEFER_SQL = """
SELECT public.procrastinate_defer_jobs_v1(ARRAY[ROW(
    %(queue)s::varchar, %(task)s::varchar, 0, NULL, NULL,
    jsonb_build_object(
        'schema_name', %(schema_name)s::text, 'delivery_id', %(delivery_id)s::bigint
    ),
    %(at)s::timestamptz)::public.procrastinate_job_to_defer_v1])
"""


def delivery_attempt(*, schema_name: str, delivery_id: int) -> str:
    """Try one pending delivery once (in the tenant's schema); return its status afterwards."""
    delivery = (
        WebhookDelivery.objects.select_related("event", "endpoint").filter(id=delivery_id).first()
    )
    if delivery is None or delivery.status != DeliveryStatus.PENDING:
        # Already done (a job run twice: at least once means sometimes twice) or erased.
        return delivery.status if delivery else "gone"
    if delivery.endpoint.disabled_at is not None:
        _finish(
            delivery, DeliveryStatus.FAILED, error="endpoint disabled", attempts=delivery.attempts
        )
        return DeliveryStatus.FAILED
    status_code, error = _post(delivery)
    if status_code is not None and 200 <= status_code < 300:
        _succeeded(delivery, status_code)
        return DeliveryStatus.SUCCEEDED
    return _failed(delivery, schema_name=schema_name, status_code=status_code, error=error)


def delivery_defer(*, schema_name: str, delivery_id: int, at=None) -> None:
    """Queue a job for the delivery (at `at`, default now), in the caller's transaction."""
    params = {
        "queue": QUEUE,
        "task": DELIVER_TASK,
        "schema_name": schema_name,
        "delivery_id": delivery_id,
        "at": at,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL(DEFER_SQL).as_string(cursor.cursor), params)


def _post(delivery: WebhookDelivery) -> tuple[int | None, str]:
    event = delivery.event
    body = orjson.dumps(event.payload)
    headers = signed_headers(
        secret=delivery.endpoint.secret,
        message_id=event.id,
        timestamp=int(time.time()),
        body=body,
    )
    try:
        response = outbound_post(url=delivery.endpoint.url, body=body, headers=headers)
    except OutboundRefused as refusal:
        return None, refusal.detail
    # Timeouts, refused or reset connections, TLS failures, replies that are not HTTP.
    except (OSError, ValueError, http.client.HTTPException) as failure:
        return None, type(failure).__name__
    return response.status, "" if 200 <= response.status < 300 else f"HTTP {response.status}"


def _succeeded(delivery: WebhookDelivery, status_code: int) -> None:
    with transaction.atomic():
        _finish(delivery, DeliveryStatus.SUCCEEDED, status_code=status_code)
        WebhookEndpoint.objects.filter(id=delivery.endpoint_id).update(failing_since=None)


def _failed(
    delivery: WebhookDelivery, *, schema_name: str, status_code: int | None, error: str
) -> str:
    now = timezone.now()
    endpoint = delivery.endpoint
    failing_since = endpoint.failing_since or now
    disable = retry_window_over(since=failing_since, now=now)
    with transaction.atomic():
        if disable:
            WebhookEndpoint.objects.filter(id=endpoint.id).update(disabled_at=now)
            logger.warning(
                "webhook endpoint %s disabled after failing since %s", endpoint.id, failing_since
            )
        elif endpoint.failing_since is None:
            WebhookEndpoint.objects.filter(id=endpoint.id).update(failing_since=now)
        attempts = delivery.attempts + 1
        if retry_window_over(since=delivery.event.created_at, now=now) or disable:
            _finish(
                delivery,
                DeliveryStatus.FAILED,
                status_code=status_code,
                error=error,
                attempts=attempts,
            )
            return DeliveryStatus.FAILED
        next_at = now + retry_delay(attempts)
        WebhookDelivery.objects.filter(id=delivery.id).update(
            attempts=attempts,
            last_status_code=status_code,
            last_error=error[:200],
            next_attempt_at=next_at,
        )
        delivery_defer(schema_name=schema_name, delivery_id=delivery.id, at=next_at)
    return DeliveryStatus.PENDING


def _finish(
    delivery: WebhookDelivery,
    status: str,
    *,
    status_code: int | None = None,
    error: str = "",
    attempts: int | None = None,
) -> None:
    WebhookDelivery.objects.filter(id=delivery.id).update(
        status=status,
        attempts=attempts if attempts is not None else delivery.attempts + 1,
        last_status_code=status_code,
        last_error=error[:200],
        next_attempt_at=None,
        finished_at=timezone.now(),
    )
