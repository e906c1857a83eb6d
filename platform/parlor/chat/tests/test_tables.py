"""The raw SQL's tables and columns are the models' (one set of table definitions)."""

from __future__ import annotations

import dataclasses
import re

import pytest

from parlor.base.identity import TenantRef
from parlor.base.schemas import tenant_schema
from parlor.chat import statements
from parlor.chat.models import ConversationEvent, Membership, Message, Room
from parlor.chat.records import StoredMessage, StoredRoom
from parlor.chat.tables import CONVERSATION_EVENT, MEMBERSHIP, MESSAGE, ROOM
from parlor.webhooks.enqueue import OUTBOX_TABLES
from parlor.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent

MODELS = [
    (ROOM, Room),
    (MESSAGE, Message),
    (MEMBERSHIP, Membership),
    (CONVERSATION_EVENT, ConversationEvent),
]
OUTBOX_MODELS = {
    "webhook_endpoint": WebhookEndpoint,
    "webhook_event": WebhookEvent,
    "webhook_delivery": WebhookDelivery,
}
NAMED_TEMPLATES = {
    name: value
    for name, value in vars(statements).items()
    if name.isupper() and isinstance(value, str) and "{" in value
}
TEMPLATES = list(NAMED_TEMPLATES.values())
# The outbox CTEs are parts of statements (they read a CTE of the statement they are in).
STATEMENTS = [value for name, value in NAMED_TEMPLATES.items() if not name.endswith("_OUTBOX")]


@pytest.mark.parametrize(("table", "model"), MODELS)
def test_each_table_has_exactly_the_models_columns(table, model):
    assert table.name == model._meta.db_table
    assert set(table.columns) == {field.column for field in model._meta.concrete_fields}


def test_records_are_built_in_the_tables_column_order():
    assert tuple(f.name for f in dataclasses.fields(StoredMessage)) == MESSAGE.columns
    assert tuple(f.name for f in dataclasses.fields(StoredRoom)) == ROOM.columns


def test_the_outbox_tables_the_statements_write_are_the_webhook_models():
    tables = {key: model._meta.db_table for key, model in OUTBOX_MODELS.items()}
    assert tables == OUTBOX_TABLES


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_column_a_statement_writes_exists_in_its_table(template):
    by_placeholder = {
        "{room}": ROOM.columns,
        "{message}": MESSAGE.columns,
        "{membership}": MEMBERSHIP.columns,
        "{conversation_event}": CONVERSATION_EVENT.columns,
        **{
            f"{{{key}}}": tuple(field.column for field in model._meta.concrete_fields)
            for key, model in OUTBOX_MODELS.items()
        },
    }
    inserts = re.findall(r"INSERT INTO (\{\w+\})(?: AS \w+)?\s*\(([^)]*)\)", template)
    updates = re.findall(r"UPDATE (\{\w+\})(?: \w+)? SET (\w+)", template)
    for placeholder, columns in inserts:
        written = {column.strip() for column in columns.split(",")}
        assert written <= set(by_placeholder[placeholder]), template
    for placeholder, column in updates:
        assert column in by_placeholder[placeholder], template
    assert inserts or updates or "SELECT" in template


def test_statements_name_only_the_tenant_schemas_tables():
    schema = tenant_schema(TenantRef(id=1, slug="t", schema_name="tenant_x"))
    for template in STATEMENTS:
        sql = statements.statement(template, schema)
        tables = re.findall(r'(?:FROM|INTO|(?<!DO )UPDATE|JOIN)\s+("?[\w]+"?(?:\."?\w+"?)?)', sql)
        # CTEs, and the function the batch statement reads its sends from
        common_tables = {*re.findall(r"(\w+) AS \(", sql), "jsonb_array_elements"}
        assert tables, sql
        assert all(name.startswith('"tenant_x".') or name in common_tables for name in tables), (
            sql,
            tables,
        )
