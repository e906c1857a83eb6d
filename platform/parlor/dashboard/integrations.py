"""Dashboard pages of the integration surface: webhooks and their deliveries, personal data."""

from __future__ import annotations

import json

from django.contrib import messages
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from parlor.audit import actions
from parlor.audit.services import audit_record
from parlor.base.errors import ApplicationError, NotFound
from parlor.dashboard.access import staff_required
from parlor.subjects.records import SUBJECT_KINDS, subject_parse
from parlor.subjects.selectors import retention_days, subject_export
from parlor.subjects.services import retention_set, subject_erase
from parlor.webhooks import selectors as webhook_selectors
from parlor.webhooks import services as webhook_services


def webhook_alerts(request: HttpRequest) -> dict:
    """Template context: how many of the tenant's endpoints are disabled (shown on every page)."""
    # Only on a tenant's dashboard, for its logged-in staff: one small query per page there.
    tenant = getattr(request, "tenant", None)
    if (
        tenant is None
        or tenant.schema_name == "public"
        or not request.path.startswith("/dashboard/")
        or not request.user.is_authenticated
        # Agents cannot open the webhooks page: the banner is for owners and admins.
        or not getattr(request, "staff_manages", False)
    ):
        return {}
    return {"webhooks_disabled": webhook_selectors.webhook_endpoint_disabled_count()}


@require_http_methods(["GET"])
@staff_required(manage=True)
def webhooks(request: HttpRequest) -> HttpResponse:
    """List the tenant's endpoints (disabled ones called out) and their newest deliveries."""
    endpoints = webhook_selectors.webhook_endpoint_list()
    context = {
        "endpoints": endpoints,
        "disabled": [endpoint for endpoint in endpoints if endpoint.disabled_at],
        "deliveries": webhook_selectors.webhook_delivery_list(),
        "nav": "webhooks",
    }
    return render(request, "dashboard/webhooks.html", context)


@require_POST
@staff_required(manage=True)
def webhook_redeliver(request: HttpRequest, endpoint_id: str, delivery_id: int) -> HttpResponse:
    """Send a delivery's event again, with the same webhook-id."""
    try:
        webhook_services.webhook_redeliver(
            schema_name=connection.schema_name, endpoint_id=endpoint_id, delivery_id=delivery_id
        )
    except NotFound:
        raise Http404("no such delivery") from None
    audit_record(
        actor=request.user,
        action=actions.WEBHOOK_DELIVERY_REDELIVERED,
        target=endpoint_id,
        detail={"delivery_id": delivery_id},
    )
    messages.success(request, "Delivery queued again.")
    return redirect("dashboard:webhooks")


@require_POST
@staff_required(manage=True)
def webhook_enable(request: HttpRequest, endpoint_id: str) -> HttpResponse:
    """Turn a disabled endpoint back on."""
    try:
        webhook_services.webhook_endpoint_enable(endpoint_id=endpoint_id)
    except NotFound:
        raise Http404("no such endpoint") from None
    audit_record(actor=request.user, action=actions.WEBHOOK_ENDPOINT_ENABLED, target=endpoint_id)
    messages.success(request, "Endpoint enabled again.")
    return redirect("dashboard:webhooks")


@require_http_methods(["GET", "POST"])
@staff_required(manage=True)
def personal_data(request: HttpRequest) -> HttpResponse:
    """Export or erase one subject's data; set the retention of inactive conversations."""
    if request.method == "POST":
        return _personal_data_post(request)
    kind, subject_id = request.GET.get("kind", ""), request.GET.get("id", "")
    if kind and subject_id:
        try:
            export = subject_export(subject_parse(kind=kind, subject_id=subject_id))
        except NotFound:
            messages.error(request, "Parlor stores nothing about that subject.")
            return redirect("dashboard:data")
        # The subject's kind only, never its id: an erasure must not leave the id behind here.
        audit_record(actor=request.user, action=actions.PERSONAL_DATA_EXPORTED, target=kind)
        response = HttpResponse(json.dumps(export, indent=2), content_type="application/json")
        response["Content-Disposition"] = 'attachment; filename="subject-export.json"'
        return response
    context = {"kinds": SUBJECT_KINDS, "retention": retention_days(), "nav": "data"}
    return render(request, "dashboard/data.html", context)


def _personal_data_post(request: HttpRequest) -> HttpResponse:
    try:
        if request.POST.get("action") == "retention":
            raw = request.POST.get("conversation_days", "").strip()
            days = int(raw) if raw.isdigit() else None
            if raw and days is None:
                raise ApplicationError("enter a number of days, or nothing.", code="invalid_field")
            retention_set(days=days)
            audit_record(
                actor=request.user, action=actions.RETENTION_CHANGED, detail={"days": days}
            )
            messages.success(request, "Retention saved.")
        else:
            subject = subject_parse(
                kind=request.POST.get("kind", ""), subject_id=request.POST.get("id", "")
            )
            removed = subject_erase(tenant=request.tenant, subject=subject)
            audit_record(
                actor=request.user,
                action=actions.PERSONAL_DATA_ERASED,
                target=subject.kind,
                detail={"records": sum(removed.values())},
            )
            messages.success(request, f"Erased {sum(removed.values())} records.")
    except ApplicationError as error:
        messages.error(request, error.detail)
    return redirect("dashboard:data")
