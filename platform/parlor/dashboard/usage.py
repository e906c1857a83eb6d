"""The tenant's usage page: its plan, each quota with what is used and what was refused."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from parlor.dashboard.access import staff_required
from parlor.usage.selectors import quota_rows, refusals_recent, tenant_usage
from tenants.quotas import LABELS


@require_GET
@staff_required(manage=True)
def usage(request: HttpRequest) -> HttpResponse:
    """Show the plan's quotas, today's use and the refusals of the last seven days."""
    tenant = request.tenant
    figures = tenant_usage(tenant=tenant)
    refusals = [
        {"day": row.day, "label": LABELS.get(row.quota, row.quota), "count": row.count}
        for row in refusals_recent(tenant=tenant)
    ]
    context = {
        "plan": tenant.plan,
        "usage": figures,
        "rows": quota_rows(tenant=tenant, usage=figures),
        "refusals": refusals,
        "nav": "usage",
    }
    return render(request, "dashboard/usage.html", context)
