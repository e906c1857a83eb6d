"""The transactional outbox: one statement writes an event, its deliveries and their jobs.

Call it inside the transaction that stores the event's cause: the event exists if and only if
the cause committed. `webhook_event_enqueue` runs it on Django's connection (ORM code);
`webhook_event_enqueue_sql` returns the statement and its parameters for code that talks to
PostgreSQL directly (psycopg): execute it on the connection, in the transaction, of the cause.
With no active endpoint subscribed to the type, the statement writes nothing at all.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from psycopg.types.json import Jsonb

from parlor.webhooks.events import event_id_new, event_payload

DELIVER_TASK = "webhook_deliver"
QUEUE = "webhooks"
# django-tenants' rule for schema names: quoting such a name is exact.
SCHEMA_NAME = re.compile(r"[_a-zA-Z][_a-zA-Z0-9]{0,62}")

# Tables are qualified with the tenant's schema and procrastinate's objects with `public`, so
# the statement means the same whatever the connection's search_path is.
ENQUEUE_SQL = """
WITH endpoints AS (
    SELECT id FROM {schema}.webhooks_webhookendpoint
    WHERE disabled_at IS NULL AND events ? %(type)s::text
), event AS (
    INSERT INTO {schema}.webhooks_webhookevent (id, type, room, payload, created_at)
    SELECT %(id)s::varchar, %(type)s::varchar, %(room)s::varchar, %(payload)s::jsonb,
           %(at)s::timestamptz WHERE EXISTS (SELECT 1 FROM endpoints)
    RETURNING id
), deliveries AS (
    INSERT INTO {schema}.webhooks_webhookdelivery
        (event_id, endpoint_id, status, attempts, last_error, created_at, next_attempt_at)
    SELECT event.id, endpoints.id, 'pending', 0, '', %(at)s::timestamptz, %(at)s::timestamptz
    FROM event, endpoints
    RETURNING id
)
SELECT public.procrastinate_defer_jobs_v1(ARRAY(
    SELECT ROW(
        %(queue)s::varchar, %(task)s::varchar, 0, NULL, NULL,
        jsonb_build_object('schema_name', %(schema_name)s::text, 'delivery_id', deliveries.id),
        NULL
    )::public.procrastinate_job_to_defer_v1
    FROM deliveries
))
-- No call (a PL/pgSQL function) at all when nothing was written: the common case.
WHERE EXISTS (SELECT 1 FROM deliveries)
"""


@dataclass(frozen=True)
class EventToSend:
    """An event about to be enqueued: type, tenant slug, room, seq, and the type's data."""

    type: str
    tenant: str
    room: str
    seq: int
    data: dict[str, Any]
    at: datetime


def webhook_event_enqueue_sql(*, schema_name: str, event: EventToSend) -> tuple[str, dict]:
    """Return (statement, parameters) that enqueue `event` for every endpoint subscribed to it."""
    event_id = event_id_new()
    payload = event_payload(
        event_id=event_id,
        event_type=event.type,
        tenant=event.tenant,
        room=event.room,
        seq=event.seq,
        data=event.data,
        at=event.at,
    )
    statement = _statement(schema_name)
    params = {
        "id": event_id,
        "type": event.type,
        "room": event.room,
        "payload": Jsonb(payload),
        "at": event.at,
        "queue": QUEUE,
        "task": DELIVER_TASK,
        "schema_name": schema_name,
    }
    return statement, params


def webhook_event_enqueue(*, schema_name: str, event: EventToSend) -> None:
    """Enqueue `event` on Django's connection, in the caller's transaction (ORM code)."""
    statement, params = webhook_event_enqueue_sql(schema_name=schema_name, event=event)
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@functools.lru_cache(maxsize=4096)
def _statement(schema_name: str) -> str:
    # Built once per schema: this runs with every message stored.
    if not SCHEMA_NAME.fullmatch(schema_name):
        raise ValueError(f"not a schema name: {schema_name!r}")
    return ENQUEUE_SQL.replace("{schema}", f'"{schema_name}"')
