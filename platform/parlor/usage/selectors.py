"""Reads of a tenant's usage: sockets now, messages today, staff seats, endpoints, storage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from parlor.chat.models import Message
from parlor.realtime.socket_census import tenant_sockets_open
from parlor.webhooks.models import WebhookEndpoint
from tenants.models import QuotaRefusal, Tenant
from tenants.quota_refusals import quota_refusals_list
from tenants.quotas import LABELS, QUOTA_NAMES, Quotas, tenant_quotas

REFUSAL_DAYS = 7


@dataclass(frozen=True)
class TenantUsage:
    """One tenant's figures against its quotas (sockets: in every process, as last published)."""

    sockets_open: int
    messages_today: int
    staff_seats: int
    webhook_endpoints: int
    storage_bytes: int


@dataclass(frozen=True)
class QuotaRow:
    """One quota of a tenant: its name, limit, what is used now (if measured) and refusals."""

    name: str
    label: str
    limit: int
    used: int | None
    refused_today: int


def tenant_usage(
    *, tenant: Tenant, storage_bytes: int | None = None, sockets_open: int | None = None
) -> TenantUsage:
    """Return `tenant`'s usage now (a few counts in its schema, the socket census)."""
    since = datetime.combine(
        timezone.now().date(), time.min, tzinfo=timezone.get_current_timezone()
    )
    with schema_context(tenant.schema_name):
        messages_today = Message.objects.filter(sent_at__gte=since).count()
        seats = get_user_model().objects.filter(is_staff=True, is_active=True).count()
        endpoints = WebhookEndpoint.objects.count()
    if storage_bytes is None:
        storage_bytes = schema_sizes().get(tenant.schema_name, 0)
    if sockets_open is None:
        sockets_open = tenant_sockets_open().get(tenant.id, 0)
    return TenantUsage(
        sockets_open=sockets_open,
        messages_today=messages_today,
        staff_seats=seats,
        webhook_endpoints=endpoints,
        storage_bytes=storage_bytes,
    )


def schema_sizes() -> dict[str, int]:
    """Return the bytes on disk of every schema's tables and indexes (one query)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname, coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint"
            " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE c.relkind IN ('r', 'm') GROUP BY n.nspname"
        )
        return {name: int(size) for name, size in cursor.fetchall()}


def quota_rows(*, tenant: Tenant, usage: TenantUsage) -> list[QuotaRow]:
    """Return each quota of `tenant` with its limit, current use and today's refusals."""
    quotas: Quotas = tenant_quotas(tenant)
    today = timezone.now().date()
    refused = {
        row.quota: row.count for row in QuotaRefusal.objects.filter(tenant=tenant, day=today)
    }
    used = {
        "sockets": usage.sockets_open,
        "agents": usage.staff_seats,
        "webhook_endpoints": usage.webhook_endpoints,
    }
    return [
        QuotaRow(
            name=name,
            label=LABELS[name],
            limit=getattr(quotas, name),
            used=used.get(name),
            refused_today=refused.get(name, 0),
        )
        for name in QUOTA_NAMES
    ]


def refusals_recent(*, tenant: Tenant, days: int = REFUSAL_DAYS) -> list[QuotaRefusal]:
    """Return the tenant's quota refusals of the last `days` days, newest first."""
    since: date = timezone.now().date() - timedelta(days=days - 1)
    return quota_refusals_list(tenant_id=tenant.id, since=since)
