"""Which tenant schemas are behind the code's migrations, found in one query over all of them.

A schema is at the target state when its `django_migrations` table records every leaf of the
migration graph: Django applies a migration only after its dependencies, so a recorded leaf
means everything before it was applied too. This lets `migrate_schemas` skip a tenant in a
fraction of a millisecond instead of loading the migration graph and a connection per tenant.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection

from tenants.clone_script import quote_identifier

# Schemas per statement: one UNION ALL branch each, so the statement stays a sensible size.
SCHEMAS_PER_QUERY = 500


def schemas_behind(schema_names: Iterable[str], leaves: Sequence[str]) -> list[str]:
    """Return those of `schema_names` missing any of `leaves` (`app.migration`), in order."""
    names = list(schema_names)
    if not names or not leaves:
        return names
    with_table = _schemas_with_migrations_table(names)
    complete: set[str] = set()
    candidates = [name for name in names if name in with_table]
    for start in range(0, len(candidates), SCHEMAS_PER_QUERY):
        complete |= _complete(candidates[start : start + SCHEMAS_PER_QUERY], leaves)
    return [name for name in names if name not in complete]


def _schemas_with_migrations_table(names: list[str]) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE c.relname = 'django_migrations' AND c.relkind = 'r' AND n.nspname = ANY(%s)",
            [names],
        )
        return {row[0] for row in cursor.fetchall()}


def _complete(names: list[str], leaves: Sequence[str]) -> set[str]:
    pairs = [leaf.split(".", 1) for leaf in leaves]
    values = ", ".join(["(%s, %s)"] * len(pairs))
    branches = " UNION ALL ".join(
        f"SELECT %s, count(DISTINCT (m.app, m.name))"  # noqa: S608 (a quoted identifier)
        f" FROM {quote_identifier(name)}.django_migrations m"
        " JOIN leaves l ON l.app = m.app AND l.name = m.name"
        for name in names
    )
    params = [part for pair in pairs for part in pair] + names
    with connection.cursor() as cursor:
        cursor.execute(f"WITH leaves(app, name) AS (VALUES {values}) {branches}", params)
        return {name for name, found in cursor.fetchall() if found >= len(pairs)}
