"""A schema cloned from the template equals one built by running every migration."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from tenants.clone_script import UnsupportedSchemaObject, clone_script, quote_identifier
from tenants.schema_template import schema_clone, template_ensure

pytestmark = pytest.mark.usefixtures("live_db")

# Each query reads one kind of object of schema %(schema)s, with search_path set to that
# schema so that names inside definitions come out unqualified (and so comparable).
CATALOG = {
    "tables": """
        SELECT relname, relkind, relpersistence FROM pg_class
        WHERE relnamespace = %(schema)s::regnamespace ORDER BY relname""",
    "columns": """
        SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
               a.attidentity, a.attgenerated, pg_get_expr(d.adbin, d.adrelid), a.attcollation,
               rank() OVER (PARTITION BY c.relname ORDER BY a.attnum)
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE c.relnamespace = %(schema)s::regnamespace AND c.relkind = 'r'
          AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY c.relname, a.attname""",
    "constraints": """
        SELECT c.relname, con.conname, con.contype, con.condeferrable, con.condeferred,
               con.convalidated, pg_get_constraintdef(con.oid)
        FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
        WHERE con.connamespace = %(schema)s::regnamespace ORDER BY c.relname, con.conname""",
    "indexes": """
        SELECT tablename, indexname,
               replace(indexdef, ' ON ' || quote_ident(%(schema)s) || '.', ' ON ')
        FROM pg_indexes WHERE schemaname = %(schema)s ORDER BY indexname""",
    "sequences": """
        SELECT sequencename, data_type::text, start_value, min_value, max_value, increment_by,
               cycle, cache_size, last_value
        FROM pg_sequences WHERE schemaname = %(schema)s ORDER BY sequencename""",
    "sequence owners": """
        SELECT s.relname, dep.deptype, t.relname, dep.refobjsubid
        FROM pg_class s JOIN pg_depend dep ON dep.objid = s.oid AND dep.deptype IN ('a', 'i')
             AND dep.classid = 'pg_class'::regclass AND dep.refclassid = 'pg_class'::regclass
        JOIN pg_class t ON t.oid = dep.refobjid
        WHERE s.relnamespace = %(schema)s::regnamespace AND s.relkind = 'S' ORDER BY s.relname""",
    "content types": "SELECT id, app_label, model FROM django_content_type ORDER BY id",
    "permissions": """
        SELECT id, content_type_id, codename, name FROM auth_permission ORDER BY id""",
    "migrations": "SELECT id, app, name FROM django_migrations ORDER BY id",
}


def catalog_snapshot(schema: str) -> dict[str, list[tuple]]:
    """Return every CATALOG query's rows for `schema`."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('search_path', %s, true)", [quote_identifier(schema)])
        snapshot = {}
        for kind, query in CATALOG.items():
            cursor.execute(query, {"schema": schema})
            snapshot[kind] = cursor.fetchall()
        cursor.execute("SELECT set_config('search_path', 'public', true)")
    return snapshot


@pytest.fixture
def schemas() -> Iterator[list[str]]:
    """Schema names the test creates; each is dropped afterwards."""
    names: list[str] = []
    yield names
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute(f"DROP SCHEMA IF EXISTS {quote_identifier(name)} CASCADE")


def migrated_schema(name: str) -> None:
    """Create schema `name` the slow way: every migration run against it."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {quote_identifier(name)}")
    call_command("migrate_schemas", schema_name=name, interactive=False, verbosity=0)
    connection.set_schema_to_public()


def cloned_schema(name: str) -> None:
    """Create schema `name` the fast way: the template's clone script."""
    template_ensure()
    with transaction.atomic():
        schema_clone(schema_name=name)


def test_a_cloned_schema_equals_a_migrated_one(schemas):
    schemas += ["cmp_migrated", "cmp_cloned"]
    migrated_schema("cmp_migrated")
    cloned_schema("cmp_cloned")
    migrated, cloned = catalog_snapshot("cmp_migrated"), catalog_snapshot("cmp_cloned")
    # The comparison must compare something: every kind of object is there.
    for kind in ("tables", "columns", "constraints", "indexes", "sequences", "permissions"):
        assert migrated[kind], f"no {kind} in the migrated schema"
    assert any(row[2] == "f" for row in migrated["constraints"]), "no foreign key compared"
    assert any((row[8] or 0) > 1 for row in migrated["sequences"]), "no advanced sequence compared"
    for kind in CATALOG:
        assert cloned[kind] == migrated[kind], kind


def test_a_clone_can_be_written_to_like_a_migrated_schema(schemas):
    schemas.append("cmp_writable")
    cloned_schema("cmp_writable")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO cmp_writable.django_content_type (app_label, model)"
            " VALUES ('x', 'y') RETURNING id"
        )
        (new_id,) = cursor.fetchone()
        cursor.execute(
            "SELECT max(id) FROM cmp_writable.django_content_type WHERE app_label <> 'x'"
        )
        assert new_id == cursor.fetchone()[0] + 1  # the sequence carried on, no collision


def test_a_template_with_an_object_the_script_cannot_copy_is_refused(schemas):
    schemas.append("cmp_with_view")
    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA cmp_with_view")
        cursor.execute("CREATE TABLE cmp_with_view.t (id int)")
        cursor.execute("CREATE VIEW cmp_with_view.v AS SELECT id FROM cmp_with_view.t")
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        pytest.raises(UnsupportedSchemaObject, match=r"views.*\(v\)"),
    ):
        clone_script(cursor, "cmp_with_view")
