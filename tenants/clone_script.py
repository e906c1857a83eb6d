"""The SQL that recreates a schema from PostgreSQL's catalogs, ready to run in a new schema.

The script is read once from the template schema and then run for every new tenant, in the
tenant's own transaction, with `search_path` set to the new schema: every name it holds is
unqualified (the catalog functions leave out the schema of objects on `search_path`), so it
creates the same objects wherever it runs. Rows are copied from the template by
`INSERT ... SELECT`, which is why the template schema is kept.

It covers what Django's migrations create: tables, columns (with defaults, identity and
generated columns), sequences with their current values, constraints, indexes and comments.
Anything else in the template (views, functions, triggers, partitioned tables, policies) is
refused with `UnsupportedSchemaObject` rather than silently left out of every new tenant.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.backends.utils import CursorWrapper

# Each refused kind of object, with the catalog query that finds it in schema %(schema)s.
_UNSUPPORTED = {
    "views, materialized views, partitioned or foreign tables, composite types": """
        SELECT relname FROM pg_class
        WHERE relnamespace = %(schema)s::regnamespace AND relkind NOT IN ('r', 'i', 'S')""",
    "functions or procedures": """
        SELECT proname FROM pg_proc WHERE pronamespace = %(schema)s::regnamespace""",
    "triggers": """
        SELECT tgname FROM pg_trigger JOIN pg_class ON pg_class.oid = tgrelid
        WHERE relnamespace = %(schema)s::regnamespace AND NOT tgisinternal""",
    "row-level security policies": """
        SELECT polname FROM pg_policy JOIN pg_class ON pg_class.oid = polrelid
        WHERE relnamespace = %(schema)s::regnamespace""",
    "types or domains": """
        SELECT typname FROM pg_type
        WHERE typnamespace = %(schema)s::regnamespace AND typtype IN ('d', 'e', 'r', 'm')""",
}

_COLUMNS = """
    SELECT c.relname, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
           a.attidentity, a.attgenerated, pg_get_expr(d.adbin, d.adrelid),
           CASE WHEN a.attcollation <> t.typcollation THEN quote_ident(co.collname) END
    FROM pg_attribute a
    JOIN pg_class c ON c.oid = a.attrelid
    JOIN pg_type t ON t.oid = a.atttypid
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    LEFT JOIN pg_collation co ON co.oid = a.attcollation
    WHERE c.relnamespace = %(schema)s::regnamespace AND c.relkind = 'r'
      AND a.attnum > 0 AND NOT a.attisdropped
    ORDER BY c.relname, a.attnum"""

# PostgreSQL 18 names its NOT NULL constraints; older servers return no rows here.
_NOT_NULL_NAMES = """
    SELECT c.relname, con.conkey[1], con.conname
    FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
    WHERE con.connamespace = %(schema)s::regnamespace AND con.contype = 'n'"""

_SEQUENCES = """
    SELECT s.relname, format_type(q.seqtypid, NULL), q.seqstart, q.seqincrement, q.seqmin,
           q.seqmax, q.seqcache, q.seqcycle, dep.deptype, t.relname, a.attnum, a.attname
    FROM pg_sequence q
    JOIN pg_class s ON s.oid = q.seqrelid
    LEFT JOIN pg_depend dep ON dep.objid = s.oid AND dep.classid = 'pg_class'::regclass
         AND dep.refclassid = 'pg_class'::regclass AND dep.deptype IN ('a', 'i')
    LEFT JOIN pg_class t ON t.oid = dep.refobjid
    LEFT JOIN pg_attribute a ON a.attrelid = dep.refobjid AND a.attnum = dep.refobjsubid
    WHERE s.relnamespace = %(schema)s::regnamespace
    ORDER BY s.relname"""

# Every constraint but NOT NULL (part of its column): all but foreign keys go into CREATE TABLE,
# foreign keys into one ALTER TABLE per table once every table exists.
_CONSTRAINTS = """
    SELECT c.relname, con.contype = 'f',
           format('CONSTRAINT %%I %%s', con.conname, pg_get_constraintdef(con.oid))
    FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
    WHERE con.connamespace = %(schema)s::regnamespace AND con.contype IN ('p', 'u', 'c', 'x', 'f')
    ORDER BY c.relname, con.conname"""

# Indexes that no constraint owns (a foreign key's conindid is the index it references).
# pg_get_indexdef always qualifies the table, whatever the search_path: the schema is cut.
_INDEXES = """
    SELECT replace(pg_get_indexdef(i.indexrelid), ' ON ' || quote_ident(%(schema)s) || '.', ' ON ')
    FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
    WHERE ic.relnamespace = %(schema)s::regnamespace
      AND NOT EXISTS (SELECT 1 FROM pg_constraint con
                      WHERE con.conindid = i.indexrelid AND con.contype IN ('p', 'u', 'x'))
    ORDER BY ic.relname"""

_COMMENTS = """
    SELECT format('COMMENT ON TABLE %%I IS %%L', c.relname, d.description)
    FROM pg_description d JOIN pg_class c ON c.oid = d.objoid AND d.classoid = 'pg_class'::regclass
    WHERE c.relnamespace = %(schema)s::regnamespace AND c.relkind = 'r' AND d.objsubid = 0
    UNION ALL
    SELECT format('COMMENT ON COLUMN %%I.%%I IS %%L', c.relname, a.attname, d.description)
    FROM pg_description d JOIN pg_class c ON c.oid = d.objoid AND d.classoid = 'pg_class'::regclass
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid
    WHERE c.relnamespace = %(schema)s::regnamespace AND c.relkind = 'r' AND d.objsubid > 0"""


class UnsupportedSchemaObject(Exception):
    """The template holds an object the clone script cannot recreate."""


@dataclass(frozen=True)
class _Sequence:
    name: str
    options: str
    owner_table: str | None
    owner_column: str | None
    identity: bool


def quote_identifier(name: str) -> str:
    """Return `name` as a double-quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def clone_script(cursor: CursorWrapper, source_schema: str) -> str:
    """Return SQL recreating `source_schema` (structure, rows, sequence values) in any schema.

    Must run inside a transaction: it sets `search_path` locally to read unqualified names.
    """
    params = {"schema": source_schema}
    _refuse_unsupported(cursor, params)
    cursor.execute("SELECT current_setting('search_path')")
    (search_path,) = cursor.fetchone()
    cursor.execute(
        "SELECT set_config('search_path', %s, true)",
        [f"{quote_identifier(source_schema)}, pg_catalog"],
    )
    sequences = _sequences(cursor, params)
    tables = _tables(cursor, params, sequences)
    constraints, foreign_keys = _constraints(cursor, params)
    statements = [
        *(_sequence_create(sequence) for sequence in sequences if not sequence.identity),
        *(_table_create(table, columns, constraints[table]) for table, columns in tables.items()),
        *_sequence_ownerships(sequences),
        *_row_copies(cursor, source_schema, tables),
        *(_foreign_keys_add(table, clauses) for table, clauses in foreign_keys.items()),
        *_generated(cursor, _INDEXES, params),
        *_generated(cursor, _COMMENTS, params),
        *_sequence_values(cursor, source_schema, sequences),
    ]
    cursor.execute("SELECT set_config('search_path', %s, true)", [search_path])
    return ";\n".join(statements) + ";\n"


def _refuse_unsupported(cursor: CursorWrapper, params: dict) -> None:
    for kind, query in _UNSUPPORTED.items():
        cursor.execute(query, params)
        names = [row[0] for row in cursor.fetchall()]
        if names:
            raise UnsupportedSchemaObject(
                f"the template schema holds {kind} ({', '.join(sorted(names))}), which the clone"
                " script does not copy: teach tenants.clone_script to, or create them elsewhere."
            )


def _sequences(cursor: CursorWrapper, params: dict) -> list[_Sequence]:
    cursor.execute(_SEQUENCES, params)
    sequences = []
    for (
        name,
        type_,
        start,
        increment,
        minimum,
        maximum,
        cache,
        cycle,
        dep,
        table,
        _,
        column,
    ) in cursor.fetchall():
        options = (
            f"START WITH {start} INCREMENT BY {increment} MINVALUE {minimum} MAXVALUE {maximum}"
            f" CACHE {cache} {'CYCLE' if cycle else 'NO CYCLE'}"
        )
        if dep != "i":
            options = f"AS {type_} {options}"
        sequences.append(_Sequence(name, options, table, column, identity=dep == "i"))
    return sequences


def _tables(
    cursor: CursorWrapper, params: dict, sequences: list[_Sequence]
) -> dict[str, list[tuple[str, bool, str]]]:
    """Return each table's columns as (name, is_generated, definition), in column order."""
    cursor.execute(_NOT_NULL_NAMES, params)
    not_null_names = {(table, number): name for table, number, name in cursor.fetchall()}
    identities = {(s.owner_table, s.owner_column): s for s in sequences if s.identity}
    cursor.execute(_COLUMNS, params)
    tables: dict[str, list[tuple[str, bool, str]]] = defaultdict(list)
    for (
        table,
        number,
        column,
        type_,
        not_null,
        identity,
        generated,
        default,
        collation,
    ) in cursor.fetchall():
        parts = [quote_identifier(column), type_]
        if collation:
            parts.append(f"COLLATE {collation}")
        if identity:
            sequence = identities[(table, column)]
            kind = "ALWAYS" if identity == "a" else "BY DEFAULT"
            parts.append(
                f"GENERATED {kind} AS IDENTITY"
                f" (SEQUENCE NAME {quote_identifier(sequence.name)} {sequence.options})"
            )
        elif generated:
            parts.append(
                f"GENERATED ALWAYS AS ({default}) {'VIRTUAL' if generated == 'v' else 'STORED'}"
            )
        elif default is not None:
            parts.append(f"DEFAULT {default}")
        if not_null:
            name = not_null_names.get((table, number))
            parts.append(f"CONSTRAINT {quote_identifier(name)} NOT NULL" if name else "NOT NULL")
        tables[table].append((column, bool(generated), " ".join(parts)))
    return tables


def _sequence_create(sequence: _Sequence) -> str:
    return f"CREATE SEQUENCE {quote_identifier(sequence.name)} {sequence.options}"


def _constraints(
    cursor: CursorWrapper, params: dict
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Return each table's constraint clauses: those of CREATE TABLE, and its foreign keys."""
    cursor.execute(_CONSTRAINTS, params)
    inline: dict[str, list[str]] = defaultdict(list)
    foreign: dict[str, list[str]] = defaultdict(list)
    for table, is_foreign_key, clause in cursor.fetchall():
        (foreign if is_foreign_key else inline)[table].append(clause)
    return inline, foreign


def _table_create(table: str, columns: list[tuple[str, bool, str]], constraints: list[str]) -> str:
    body = ",\n    ".join([*(definition for _, _, definition in columns), *constraints])
    return f"CREATE TABLE {quote_identifier(table)} (\n    {body}\n)"


def _foreign_keys_add(table: str, clauses: list[str]) -> str:
    # One statement per table: each ALTER TABLE takes a lock and rebuilds the table's cache.
    additions = ",\n    ".join(f"ADD {clause}" for clause in clauses)
    return f"ALTER TABLE {quote_identifier(table)}\n    {additions}"


def _sequence_ownerships(sequences: list[_Sequence]) -> list[str]:
    return [
        f"ALTER SEQUENCE {quote_identifier(sequence.name)} OWNED BY"
        f" {quote_identifier(sequence.owner_table)}.{quote_identifier(sequence.owner_column)}"
        for sequence in sequences
        if not sequence.identity and sequence.owner_table
    ]


def _row_copies(
    cursor: CursorWrapper, source_schema: str, tables: dict[str, list[tuple[str, bool, str]]]
) -> list[str]:
    # Rows are copied before foreign keys are added, so the tables can be filled in any order.
    statements = []
    for table, columns in tables.items():
        source = f"{quote_identifier(source_schema)}.{quote_identifier(table)}"
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {source})")  # noqa: S608 (quoted names)
        if not cursor.fetchone()[0]:
            continue
        names = ", ".join(quote_identifier(name) for name, generated, _ in columns if not generated)
        statements.append(
            f"INSERT INTO {quote_identifier(table)} ({names}) OVERRIDING SYSTEM VALUE"  # noqa: S608
            f" SELECT {names} FROM {source}"
        )
    return statements


def _generated(cursor: CursorWrapper, query: str, params: dict) -> list[str]:
    cursor.execute(query, params)
    return [row[0] for row in cursor.fetchall()]


def _sequence_values(
    cursor: CursorWrapper, source_schema: str, sequences: list[_Sequence]
) -> list[str]:
    statements = []
    for sequence in sequences:
        source = f"{quote_identifier(source_schema)}.{quote_identifier(sequence.name)}"
        cursor.execute(f"SELECT last_value, is_called FROM {source}")  # noqa: S608 (quoted names)
        last_value, is_called = cursor.fetchone()
        statements.append(
            f"SELECT setval('{quote_identifier(sequence.name)}', {int(last_value)},"
            f" {'true' if is_called else 'false'})"
        )
    return statements
