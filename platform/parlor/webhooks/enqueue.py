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

from parlor.webhooks.events import EVENT_TYPES, event_id_new, event_payload

DELIVER_TASK = "webhook_deliver"
QUEUE = "webhooks"
# django-tenants' rule for schema names: quoting such a name is exact.
SCHEMA_NAME = re.compile(r"[_a-zA-Z][_a-zA-Z0-9]{0,62}")
# The outbox's tables (parlor.webhooks.models), by the placeholder `outbox_ctes` names them.
OUTBOX_TABLES = {
    "webhook_endpoint": "webhooks_webhookendpoint",
    "webhook_event": "webhooks_webhookevent",
    "webhook_delivery": "webhooks_webhookdelivery",
}

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


# The statements that store a cause from the hot path (parlor.chat.statements) write its
# events themselves, in the same statement: `outbox_ctes` returns the CTEs that do it. The
# envelope is `event_payload`'s, built in SQL because the message's id and seq exist only
# there; chat/tests/test_webhook_events.py holds the two spellings together.
# `evt_` + 18 random bytes in URL-safe base64, as `event_id_new` spells it.
EVENT_ID_SQL = (
    "'evt_' || translate(encode(uuid_send(gen_random_uuid())"
    " || substr(uuid_send(gen_random_uuid()), 1, 2), 'base64'), '+/', '-_')"
)


def timestamp_sql(expression: str) -> str:
    """Return SQL spelling the timestamptz `expression` as parlor.base.times.isoformat does."""
    return f"""to_char({expression} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')"""


def outbox_ctes(*, name: str, event_type: str, source: str, room: str, seq: str, data: str) -> str:
    """Return CTEs enqueueing one `event_type` event per row of CTE `source` (schema-templated).

    `room`, `seq` and `data` are SQL expressions over `source`'s columns; the statement needs
    the parameter `tenant` (the slug) and the placeholders `webhook_endpoint`, `webhook_event`,
    `webhook_delivery` and `schema_name` (parlor.chat.statements fills them). With no enabled
    endpoint subscribed to the type, they read one (usually empty) table and write nothing.
    """
    if event_type not in EVENT_TYPES or not name.isidentifier():
        raise ValueError(f"not an event type and CTE name: {event_type!r}, {name!r}")
    return f"""{name}_endpoints AS (
    SELECT id FROM {{webhook_endpoint}}
    WHERE disabled_at IS NULL AND events ? '{event_type}'
), {name}_event AS (
    SELECT {EVENT_ID_SQL} AS id, clock_timestamp() AS at,
        {room} AS room, {seq} AS seq, {data} AS data
    FROM {source} WHERE EXISTS (SELECT FROM {name}_endpoints)
), {name}_stored AS (
    INSERT INTO {{webhook_event}} (id, type, room, payload, created_at)
    SELECT id, '{event_type}', room, jsonb_build_object(
        'id', id, 'type', '{event_type}', 'timestamp', {timestamp_sql("at")},
        'tenant', %(tenant)s::text, 'room', room, 'seq', seq, 'data', data
    ), at
    FROM {name}_event
    RETURNING id, created_at
), {name}_deliveries AS (
    INSERT INTO {{webhook_delivery}}
        (event_id, endpoint_id, status, attempts, last_error, created_at, next_attempt_at)
    SELECT stored.id, endpoint.id, 'pending', 0, '', stored.created_at, stored.created_at
    FROM {name}_stored AS stored, {name}_endpoints AS endpoint
    -- The job is deferred in RETURNING: a data-modifying CTE runs to completion (RETURNING
    -- included) even though the statement's own SELECT never reads it.
    RETURNING public.procrastinate_defer_jobs_v1(ARRAY[ROW(
        '{QUEUE}', '{DELIVER_TASK}', 0, NULL, NULL,
        jsonb_build_object('schema_name', {{schema_name}}::text, 'delivery_id', id), NULL
    )::public.procrastinate_job_to_defer_v1])
)"""  # noqa: S608 (the caller's SQL constants and checked names; values are parameters)
