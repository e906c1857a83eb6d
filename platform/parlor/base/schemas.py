"""The one way a tenant's schema name reaches SQL: `TenantSchema`, built only from a TenantRef.

The hot path writes schema-qualified SQL (no `search_path` per call), so the schema name is
part of the statement text. A name reaches SQL only through `psycopg.sql.Identifier` and only
as a `TenantSchema`, which `tenant_schema()` alone builds, after checking the name is what
django-tenants itself allows for a tenant: no quotes, dots, unicode or reserved schema.
"""

from __future__ import annotations

import re

from parlor.base.errors import ApplicationError
from parlor.base.identity import TenantRef

# django-tenants' own rule for schema names (lower case ASCII, at most 63 bytes), stricter
# on the first character so that no name needs quoting to mean what it says.
SCHEMA_NAME_PATTERN = re.compile(r"[a-z_][a-z0-9_]{0,62}")
RESERVED_SCHEMAS = frozenset({"public", "information_schema"})
RESERVED_PREFIX = "pg_"

_KEY = object()


class SchemaRefused(ApplicationError):
    """A schema name that must not reach SQL; answered as `internal`, never echoed."""

    code = "internal"
    status = 500


class TenantSchema:
    """A tenant's validated schema name; build one with `tenant_schema(tenant)`."""

    __slots__ = ("name",)

    def __init__(self, name: str, *, _key: object = None) -> None:
        if _key is not _KEY:
            raise TypeError("build a TenantSchema with parlor.base.schemas.tenant_schema(tenant)")
        self.name = name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TenantSchema) and other.name == self.name

    def __hash__(self) -> int:
        return hash(self.name)

    def __repr__(self) -> str:
        return f"TenantSchema({self.name!r})"


_checked: dict[str, TenantSchema] = {}


def tenant_schema(tenant: TenantRef) -> TenantSchema:
    """Return the schema of `tenant` (a TenantRef from the registry); refuse any unsafe name."""
    if not isinstance(tenant, TenantRef):
        raise TypeError("tenant_schema() takes the TenantRef the tenant registry gave")
    name = tenant.schema_name
    schema = _checked.get(name) if isinstance(name, str) else None
    if schema is not None:
        return schema
    if not schema_name_allowed(name):
        raise SchemaRefused("the server failed; nothing was stored; retry.")
    schema = _checked[name] = TenantSchema(name, _key=_KEY)
    return schema


def schema_name_allowed(name: object) -> bool:
    """Return whether `name` may name a tenant's schema in SQL."""
    return (
        isinstance(name, str)
        and SCHEMA_NAME_PATTERN.fullmatch(name) is not None
        and name not in RESERVED_SCHEMAS
        and not name.startswith(RESERVED_PREFIX)
    )
