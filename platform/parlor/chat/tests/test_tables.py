"""The raw SQL's tables and columns are the models' (one set of table definitions)."""

from __future__ import annotations

import dataclasses
import re

import pytest

from parlor.base.identity import TenantRef
from parlor.base.schemas import tenant_schema
from parlor.chat import statements
from parlor.chat.models import Membership, Message, Room
from parlor.chat.records import StoredMessage, StoredRoom
from parlor.chat.tables import MEMBERSHIP, MESSAGE, ROOM

MODELS = [(ROOM, Room), (MESSAGE, Message), (MEMBERSHIP, Membership)]
TEMPLATES = [
    value
    for name, value in vars(statements).items()
    if name.isupper() and isinstance(value, str) and "{" in value
]


@pytest.mark.parametrize(("table", "model"), MODELS)
def test_each_table_has_exactly_the_models_columns(table, model):
    assert table.name == model._meta.db_table
    assert set(table.columns) == {field.column for field in model._meta.concrete_fields}


def test_records_are_built_in_the_tables_column_order():
    assert tuple(f.name for f in dataclasses.fields(StoredMessage)) == MESSAGE.columns
    assert tuple(f.name for f in dataclasses.fields(StoredRoom)) == ROOM.columns


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_column_a_statement_writes_exists_in_its_table(template):
    by_placeholder = {"{room}": ROOM, "{message}": MESSAGE, "{membership}": MEMBERSHIP}
    inserts = re.findall(r"INSERT INTO (\{\w+\})(?: AS \w+)?\s*\(([^)]*)\)", template)
    updates = re.findall(r"UPDATE (\{\w+\}) SET (\w+)", template)
    for placeholder, columns in inserts:
        written = {column.strip() for column in columns.split(",")}
        assert written <= set(by_placeholder[placeholder].columns), template
    for placeholder, column in updates:
        assert column in by_placeholder[placeholder].columns, template
    assert inserts or updates or "SELECT" in template


def test_statements_name_only_the_tenant_schemas_tables():
    schema = tenant_schema(TenantRef(id=1, slug="t", schema_name="tenant_x"))
    for template in TEMPLATES:
        sql = statements.statement(template, schema)
        tables = re.findall(r'(?:FROM|INTO|(?<!DO )UPDATE|JOIN)\s+("?[\w]+"?(?:\."?\w+"?)?)', sql)
        assert tables, sql
        assert all(
            name.startswith('"tenant_x".') or name in {"existing", "room", "inserted"}
            for name in tables
        ), (sql, tables)
