"""The template schema every new tenant is cloned from, kept at the current migration state.

Replaying every migration for each new tenant took half a second and grows with each
migration added. Instead one schema, `_parlor_template`, is migrated once; its clone script
(tenants.clone_script) is stored beside the migration graph leaves it was built at, and a new
tenant's schema is that script run inside the tenant's own transaction.

The template is rebuilt when this code's migration leaves differ from the stored ones, unless
the stored template is newer than this code (it holds a migration this process does not
know): during a deploy an old process must not roll the template back.
"""

from __future__ import annotations

import functools

from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader

from tenants.clone_script import clone_script, quote_identifier
from tenants.models import SchemaTemplate

# Starts with '_', which a tenant slug cannot (tenants.validators), so no tenant can take it.
TEMPLATE_SCHEMA = "_parlor_template"
# The advisory lock that orders rebuilds (exclusive) before clones (shared).
TEMPLATE_LOCK = 0x7061726C6F72  # "parlor"


class TemplateMissing(Exception):
    """No template schema has been built in this database yet."""


@functools.cache
def _migration_graph() -> tuple[frozenset[str], tuple[str, ...]]:
    # Read from the migration files only, once per process: the code cannot change under it.
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    nodes = frozenset(f"{app}.{name}" for app, name in graph.nodes)
    leaves = tuple(sorted(f"{app}.{name}" for app, name in graph.leaf_nodes()))
    return nodes, leaves


def migration_leaves() -> tuple[str, ...]:
    """Return this code's migration graph leaves as sorted `app.migration` names."""
    return _migration_graph()[1]


def template_is_current(template: SchemaTemplate | None) -> bool:
    """Whether `template` can be cloned as is: built at this code's leaves, or at newer ones."""
    if template is None:
        return False
    nodes, leaves = _migration_graph()
    stored = tuple(template.migration_leaves)
    return stored == leaves or any(leaf not in nodes for leaf in stored)


def template_ensure() -> SchemaTemplate:
    """Return the current template record, rebuilding the template first if it is stale."""
    template = SchemaTemplate.objects.filter(schema_name=TEMPLATE_SCHEMA).first()
    if template_is_current(template):
        return template
    return template_rebuild()


def template_rebuild(*, force: bool = False) -> SchemaTemplate:
    """Migrate a fresh template schema and store its clone script (a no-op if already current)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [TEMPLATE_LOCK])
    try:
        template = SchemaTemplate.objects.filter(schema_name=TEMPLATE_SCHEMA).first()
        if not force and template_is_current(template):
            return template  # another process rebuilt it while this one waited for the lock
        return _build()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [TEMPLATE_LOCK])


def _build() -> SchemaTemplate:
    # Forget the old script first: were the build to fail half-way, clones would find no
    # template (a clear error, and the next template_ensure() builds again) rather than a
    # script whose rows no longer exist.
    SchemaTemplate.objects.filter(schema_name=TEMPLATE_SCHEMA).delete()
    schema = quote_identifier(TEMPLATE_SCHEMA)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        cursor.execute(f"CREATE SCHEMA {schema}")
    call_command(
        "migrate_schemas",
        tenant=True,
        schema_name=TEMPLATE_SCHEMA,
        interactive=False,
        verbosity=0,
    )
    connection.set_schema_to_public()
    with transaction.atomic(), connection.cursor() as cursor:
        script = clone_script(cursor, TEMPLATE_SCHEMA)
        template, _ = SchemaTemplate.objects.update_or_create(
            schema_name=TEMPLATE_SCHEMA,
            defaults={"migration_leaves": list(migration_leaves()), "clone_script": script},
        )
    return template


def schema_clone(*, schema_name: str) -> None:
    """Create schema `schema_name` as a copy of the template; call inside transaction.atomic().

    Call template_ensure() first, outside the transaction: a rebuild migrates and commits.
    """
    # Two round trips, each a batch of statements: under CPU contention every round trip is
    # a wait to be scheduled, and it showed in the creation time.
    with connection.cursor() as cursor:
        # Shared: clones run side by side, and a rebuild waits for them (and they for it). The
        # script is read by a second statement: its snapshot is taken after the lock is held.
        cursor.execute(
            f"SELECT pg_advisory_xact_lock_shared({TEMPLATE_LOCK});"  # noqa: S608 (constants)
            f" SELECT clone_script FROM {SchemaTemplate._meta.db_table}"
            f" WHERE schema_name = '{TEMPLATE_SCHEMA}'"
        )
        cursor.nextset()
        row = cursor.fetchone()
        if row is None:
            raise TemplateMissing(
                f"no template schema {TEMPLATE_SCHEMA}: call template_ensure() (or run"
                " `manage.py migrate_schemas`) before creating tenants."
            )
        target = quote_identifier(schema_name)
        cursor.execute(
            "SELECT set_config('parlor.search_path', current_setting('search_path'), true);\n"
            f"CREATE SCHEMA {target};\n"
            f"SELECT set_config('search_path', '{target}', true);\n"
            f"{row[0]}"
            "SELECT set_config('search_path', current_setting('parlor.search_path'), true);\n"
        )
