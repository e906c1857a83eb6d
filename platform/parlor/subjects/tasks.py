"""Personal-data jobs: retention, run daily by the job runner over every tenant."""

from __future__ import annotations

import logging

from django_tenants.utils import schema_context
from procrastinate.contrib.django import app

from parlor.subjects.selectors import retention_days
from parlor.subjects.services import retention_apply
from tenants.models import Tenant

logger = logging.getLogger(__name__)


@app.periodic(cron="17 3 * * *")
@app.task(name="retention_daily", queue="maintenance", queueing_lock="retention_daily")
def retention_daily(timestamp: int) -> None:
    """Apply every tenant's retention setting, each in its own schema."""
    schemas = Tenant.objects.exclude(schema_name="public").values_list("schema_name", flat=True)
    for schema_name in list(schemas):
        retention_tenant(schema_name)


def retention_tenant(schema_name: str) -> int:
    """Apply one tenant's retention setting, in its schema; return the conversations removed."""
    with schema_context(schema_name):
        days = retention_days()
        if days is None:
            return 0
        removed = retention_apply(days=days)
    if removed:
        logger.info("retention removed %d conversations in %s", removed, schema_name)
    return removed
