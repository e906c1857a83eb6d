"""`migrate_schemas`' executor: skip tenants already migrated, migrate the rest in parallel.

django-tenants' executors load the migration graph and run `migrate` for every tenant, even
when nothing is pending (about 130 ms a tenant here), and stop at the first failure. This one
asks PostgreSQL once which schemas miss a migration (tenants.migration_state), migrates only
those, in forked worker processes when there are several, shows progress, and carries on past
a failing tenant: every failure is reported at the end and the command exits non-zero.
Settings: GET_EXECUTOR_FUNCTION points here; TENANT_MULTIPROCESSING_MAX_PROCESSES (or
`migrate_schemas --parallel N`) sets the number of worker processes.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import sys
import time

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connections
from django_tenants.migration_executors import get_executor
from django_tenants.migration_executors.base import MigrationExecutor, run_migrations

from tenants.migration_progress import MigrationOutcome, MigrationProgress
from tenants.migration_state import schemas_behind
from tenants.schema_template import migration_leaves, template_ensure

CODENAME = "parlor"
# Options that change what `migrate` does to a schema already at the leaves: never skip then.
_NO_SKIP_OPTIONS = ("app_label", "migration_name", "fake", "fake_initial", "prune", "plan")


def executor_get(codename: str | None = None) -> type[MigrationExecutor]:
    """Return Parlor's executor, or django-tenants' own when named (`--executor=standard`)."""
    if codename in (None, CODENAME):
        return ParlorExecutor
    return get_executor(codename)


class ParlorExecutor(MigrationExecutor):
    """Migrate the public schema in-process, then only the tenants that are behind."""

    codename = CODENAME

    def run_migrations(self, tenants=None) -> None:
        """Migrate `tenants` (schema names); raise CommandError naming every one that failed."""
        tenants = list(tenants or [])
        if self.PUBLIC_SCHEMA_NAME in tenants:
            run_migrations(self.args, self.options, self.codename, self.PUBLIC_SCHEMA_NAME)
            tenants.remove(self.PUBLIC_SCHEMA_NAME)
            if not tenants:
                return
        pending = self._pending(tenants)
        self._say(f"{len(tenants) - len(pending)} of {len(tenants)} tenant schemas up to date")
        outcomes = self._migrate(pending)
        if not self.options.get("schema_name"):
            template_ensure()  # a full run leaves new tenants' template at the new state too
        self._report(outcomes)

    def run_multi_type_migrations(self, tenants) -> None:
        """Parlor has one tenant type."""
        raise NotImplementedError("Parlor has no multi-type tenants.")

    def _pending(self, tenants: list[str]) -> list[str]:
        if any(self.options.get(name) for name in _NO_SKIP_OPTIONS):
            return tenants
        return schemas_behind(tenants, migration_leaves())

    def _migrate(self, pending: list[str]) -> list[MigrationOutcome]:
        if not pending:
            return []
        processes = min(self._processes(), len(pending))
        migrate = functools.partial(_migrate_schema, self.args, self._worker_options())
        outcomes = []
        quiet = int(self.options.get("verbosity", 1)) < 1
        with MigrationProgress(len(pending), None if quiet else sys.stderr) as progress:
            for outcome in self._outcomes(migrate, pending, processes):
                outcomes.append(outcome)
                progress.advance(outcome)
        return outcomes

    def _outcomes(self, migrate, pending: list[str], processes: int):
        if processes <= 1:
            yield from map(migrate, pending)
            return
        # Forked workers must not share the parent's socket to PostgreSQL.
        connections[self.TENANT_DB_ALIAS].close()
        context = multiprocessing.get_context("fork")
        with context.Pool(processes=processes) as pool:
            yield from pool.imap_unordered(migrate, pending)

    def _processes(self) -> int:
        explicit = self.options.get("parallel")
        if explicit:
            return max(1, int(explicit))
        configured = getattr(settings, "TENANT_MULTIPROCESSING_MAX_PROCESSES", None)
        return max(1, int(configured or os.cpu_count() or 1))

    def _worker_options(self) -> dict:
        # Each worker's own `migrate` output would tear the progress bar: quiet below -v 2.
        verbosity = int(self.options.get("verbosity", 1))
        return {**self.options, "verbosity": verbosity if verbosity >= 2 else 0}

    def _report(self, outcomes: list[MigrationOutcome]) -> None:
        failed = [outcome for outcome in outcomes if outcome.error]
        if outcomes:
            self._say(f"migrated {len(outcomes) - len(failed)} of {len(outcomes)} tenant schemas")
        if not failed:
            return
        for outcome in failed:
            sys.stderr.write(f"FAILED {outcome.schema_name}: {outcome.error}\n")
        names = ", ".join(outcome.schema_name for outcome in failed)
        raise CommandError(
            f"migration failed for {len(failed)} of {len(outcomes)} tenants: {names}"
        )

    def _say(self, line: str) -> None:
        if int(self.options.get("verbosity", 1)) >= 1:
            sys.stdout.write(f"[{self.codename}] {line}\n")


def _migrate_schema(args: tuple, options: dict, schema_name: str) -> MigrationOutcome:
    """Migrate one tenant schema; never raise, so that one tenant cannot stop the others."""
    started = time.monotonic()
    try:
        run_migrations(args, options, CODENAME, schema_name, allow_atomic=False)
    except Exception as error:  # reported with the tenant at the end of the run
        connection = connections[options.get("database") or "default"]
        connection.close()
        return MigrationOutcome(
            schema_name, time.monotonic() - started, f"{type(error).__name__}: {error}".strip()
        )
    return MigrationOutcome(schema_name, time.monotonic() - started)
