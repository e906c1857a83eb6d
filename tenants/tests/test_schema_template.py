"""The template schema: rebuilt when migrations change, never rolled back, never replayed."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django_tenants.utils import schema_exists

from parlor.testing.tenants import scratch_tenant
from tenants import schema_template
from tenants.models import SchemaTemplate, Tenant
from tenants.schema_template import (
    TEMPLATE_SCHEMA,
    TemplateMissing,
    migration_leaves,
    template_ensure,
    template_is_current,
)
from tenants.services import tenant_create

pytestmark = pytest.mark.usefixtures("live_db")


def stored() -> SchemaTemplate:
    """The template record as stored now."""
    return SchemaTemplate.objects.get(schema_name=TEMPLATE_SCHEMA)


@pytest.fixture
def template_restored():
    """Put back the template as the code's migrations build it after the test."""
    yield
    schema_template.template_rebuild(force=True)


def test_the_template_is_built_at_the_code_s_migration_leaves():
    template = template_ensure()
    assert template.migration_leaves == list(migration_leaves())
    assert any(leaf.startswith("chat.") for leaf in template.migration_leaves)
    assert schema_exists(TEMPLATE_SCHEMA)


def test_a_template_built_at_older_migrations_is_rebuilt(template_restored):
    template = template_ensure()
    older = [leaf for leaf in template.migration_leaves if not leaf.startswith("sessions.")]
    SchemaTemplate.objects.filter(pk=template.pk).update(migration_leaves=older)
    with connection.cursor() as cursor:  # a mark only a rebuild removes
        cursor.execute(f"CREATE TABLE {TEMPLATE_SCHEMA}.stale_marker (id int)")
    assert not template_is_current(stored())
    template_ensure()
    assert stored().migration_leaves == list(migration_leaves())
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [f"{TEMPLATE_SCHEMA}.stale_marker"])
        assert cursor.fetchone()[0] is None


def test_a_template_newer_than_this_code_is_not_rolled_back(template_restored):
    template = template_ensure()
    newer = [*template.migration_leaves, "chat.9999_from_the_next_release"]
    SchemaTemplate.objects.filter(pk=template.pk).update(migration_leaves=newer)
    assert template_is_current(stored())
    template_ensure()
    assert stored().migration_leaves == newer


def test_creating_a_tenant_runs_no_migration(django_db_blocker, monkeypatch):
    template_ensure()

    def refuse(*args, **kwargs):
        raise AssertionError("a migration ran while creating a tenant")

    # Every migration run, whichever command or executor starts it, goes through here.
    monkeypatch.setattr("django.db.migrations.executor.MigrationExecutor.migrate", refuse)
    with scratch_tenant("no_replay", django_db_blocker) as created:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM no_replay.django_migrations")
            assert cursor.fetchone()[0] > 0
        assert created.tenant.schema_name == "no_replay"


def test_a_failing_clone_creates_neither_schema_nor_rows(monkeypatch):
    template_ensure()

    def broken_clone(*, schema_name):
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE SCHEMA {schema_name}")
            cursor.execute("SELECT * FROM no_such_table_anywhere")

    monkeypatch.setattr("tenants.services.schema_clone", broken_clone)
    with pytest.raises(Exception, match="no_such_table_anywhere"):
        tenant_create(slug="half_cloned", name="Half", domain="half-cloned.localhost")
    assert not schema_exists("half_cloned")
    assert not Tenant.objects.filter(slug="half_cloned").exists()


def test_cloning_without_a_template_says_what_to_run(template_restored):
    SchemaTemplate.objects.filter(schema_name=TEMPLATE_SCHEMA).delete()
    with transaction.atomic(), pytest.raises(TemplateMissing, match="migrate_schemas"):
        schema_template.schema_clone(schema_name="never_made")
    assert not schema_exists("never_made")
