"""migrate_schemas over many tenants: skip those up to date, carry on past a failing one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tenants.services import TenantCreated, tenant_create, tenant_delete

pytestmark = pytest.mark.usefixtures("live_db")

TENANT_COUNT = 10


@pytest.fixture
def ten_tenants() -> Iterator[list[TenantCreated]]:
    """Ten throwaway tenants, deleted afterwards."""
    created = [
        tenant_create(slug=f"fleet_{number}", name="Fleet", domain=f"fleet-{number}.localhost")
        for number in range(TENANT_COUNT)
    ]
    yield created
    connection.set_schema_to_public()  # a failed migration may leave the connection elsewhere
    for tenant in created:
        tenant_delete(slug=tenant.tenant.slug)


def sessions_migration_undone(schema: str, *, keep_table: bool = False) -> None:
    """Make `sessions.0001_initial` pending in `schema`; with `keep_table`, bound to fail."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {schema}.django_migrations WHERE app = 'sessions'")
        if not keep_table:
            cursor.execute(f"DROP TABLE {schema}.django_session")


def sessions_migrated(schema: str) -> bool:
    """Whether `schema` has the sessions table and records its migration."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [f"{schema}.django_session"])
        (has_table,) = cursor.fetchone()
        cursor.execute(f"SELECT count(*) FROM {schema}.django_migrations WHERE app = 'sessions'")
        (recorded,) = cursor.fetchone()
    return has_table and recorded == 1


def test_one_failing_tenant_of_ten_is_reported_and_the_other_nine_migrate(ten_tenants, capsys):
    schemas = [created.tenant.schema_name for created in ten_tenants]
    broken = schemas[3]
    for schema in schemas:
        sessions_migration_undone(schema, keep_table=schema == broken)
    with pytest.raises(CommandError, match=f"failed for 1 of {TENANT_COUNT} tenants: {broken}$"):
        call_command("migrate_schemas", tenant=True, parallel=2, interactive=False)
    output = capsys.readouterr()
    assert f"FAILED {broken}: ProgrammingError" in output.err
    assert 'relation "django_session" already exists' in output.err
    assert f"[{TENANT_COUNT}/{TENANT_COUNT}]" in output.err and "ETA" in output.err
    connection.set_schema_to_public()
    assert [schema for schema in schemas if not sessions_migrated(schema)] == [broken]


@pytest.fixture
def migrated_schemas(monkeypatch) -> list[str]:
    """The schemas Django's migration executor runs in, in order, for the rest of the test."""
    schemas: list[str] = []
    real_migrate = MigrationExecutor.migrate

    def record(self, *args, **kwargs):
        schemas.append(self.connection.schema_name)
        return real_migrate(self, *args, **kwargs)

    monkeypatch.setattr(MigrationExecutor, "migrate", record)
    return schemas


def test_a_no_op_run_migrates_no_tenant(ten_tenants, migrated_schemas, capsys):
    call_command("migrate_schemas", interactive=False)
    assert migrated_schemas == ["public"]
    assert "tenant schemas up to date" in capsys.readouterr().out


def test_only_the_tenants_behind_are_migrated(ten_tenants, migrated_schemas):
    behind = ten_tenants[7].tenant.schema_name
    sessions_migration_undone(behind)
    call_command("migrate_schemas", tenant=True, parallel=1, interactive=False, verbosity=0)
    connection.set_schema_to_public()
    assert migrated_schemas == [behind]
    assert sessions_migrated(behind)
