"""Finding the schemas behind the migration leaves, in one query over all of them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenants import migration_state
from tenants.migration_state import schemas_behind
from tenants.schema_template import migration_leaves

pytestmark = pytest.mark.usefixtures("live_db")


def test_tenants_at_the_leaves_are_not_behind(tenant_alpha, tenant_bravo):
    assert schemas_behind(["alpha", "bravo"], migration_leaves()) == []


def test_a_schema_missing_a_leaf_or_the_table_or_the_schema_is_behind(tenant_alpha, tenant_bravo):
    leaves = [*migration_leaves(), "chat.9999_not_yet_applied"]
    assert schemas_behind(["alpha", "no_such_schema", "bravo"], leaves) == [
        "alpha",
        "no_such_schema",
        "bravo",
    ]
    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA IF NOT EXISTS state_empty")
    try:
        assert schemas_behind(["state_empty", "alpha"], migration_leaves()) == ["state_empty"]
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA state_empty")


def test_the_check_is_one_query_per_batch_of_schemas(tenant_alpha, tenant_bravo, monkeypatch):
    monkeypatch.setattr(migration_state, "SCHEMAS_PER_QUERY", 2)
    schemas = ["alpha", "bravo", "alpha", "bravo", "alpha"]
    with CaptureQueriesContext(connection) as queries:
        assert schemas_behind(schemas, migration_leaves()) == []
    # One query finds the schemas with a migrations table, then one per batch of two.
    assert len(queries) == 1 + 3
