"""A tenant's final export: every row of its schema and its public records, as gzipped JSON lines.

Written before a tenant is deleted (tenants.operators.tenant_delete_exported), so the customer's
data can be handed over or restored by hand. Secrets are left out (password hashes, webhook
signing secrets, signing keys' secrets, API key hashes): the export may leave the platform.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.utils import timezone
from psycopg import sql

from parlor.base.conf import setting
from tenants.models import Tenant

# Columns never exported, per table name.
SECRET_COLUMNS = {
    "auth_user": {"password"},
    "webhooks_webhookendpoint": {"secret"},
}
PUBLIC_RECORDS = {
    "domains": ("domain", "is_primary"),
    "signing_keys": ("kid", "algorithm", "public_jwk", "is_current", "created_at", "revoked_at"),
    "api_keys": ("prefix", "created_at", "revoked_at"),
}
BATCH = 1000


@dataclass(frozen=True)
class TenantExport:
    """Where a tenant's export was written, its size and SHA-256, and rows per table."""

    path: Path
    bytes: int
    sha256: str
    rows: dict[str, int]


def export_directory() -> Path:
    """Return the folder exports go to: PARLOR EXPORT_DIR, else `exports/` in the data folder."""
    configured = setting("EXPORT_DIR")
    return Path(configured) if configured else Path(settings.DATA_DIR) / "exports"


def tenant_export(*, tenant: Tenant, directory: Path | None = None) -> TenantExport:
    """Write every row of `tenant` (its schema's tables and public records) to one file."""
    directory = directory or export_directory()
    directory.mkdir(parents=True, exist_ok=True)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    path = directory / f"{tenant.slug}-{stamp}.jsonl.gz"
    rows: dict[str, int] = {}
    with gzip.open(path, "wt", encoding="utf-8") as out:
        _line(out, {"tenant": _tenant_record(tenant), "exported_at": timezone.now()})
        for name, fields in PUBLIC_RECORDS.items():
            records = list(getattr(tenant, name).values(*fields))
            rows[f"public.{name}"] = len(records)
            for record in records:
                _line(out, {"table": f"public.{name}", "row": record})
        for table in _tables(tenant.schema_name):
            rows[table] = _table_export(out, tenant.schema_name, table)
    data = path.read_bytes()
    return TenantExport(
        path=path, bytes=len(data), sha256=hashlib.sha256(data).hexdigest(), rows=rows
    )


def _tenant_record(tenant: Tenant) -> dict:
    fields = ("slug", "name", "schema_name", "allowed_origins", "widget_settings", "plan")
    record = {name: getattr(tenant, name) for name in fields}
    record["created_at"] = tenant.created_at
    return record


def _tables(schema_name: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY tablename",
            [schema_name],
        )
        return [name for (name,) in cursor.fetchall()]


def _table_export(out, schema_name: str, table: str) -> int:
    hidden = SECRET_COLUMNS.get(table, set())
    count = 0
    with connection.cursor() as cursor:
        query = (
            sql.SQL("SELECT row_to_json(t)::text FROM {}.{} t")
            .format(sql.Identifier(schema_name), sql.Identifier(table))
            .as_string(cursor.connection)
        )
        cursor.execute(query)
        while batch := cursor.fetchmany(BATCH):
            for (text,) in batch:
                row = {key: value for key, value in json.loads(text).items() if key not in hidden}
                _line(out, {"table": table, "row": row})
                count += 1
    return count


def _line(out, record: dict) -> None:
    out.write(json.dumps(record, cls=DjangoJSONEncoder, sort_keys=True))
    out.write("\n")
