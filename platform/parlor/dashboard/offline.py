"""The Offline page: business hours, follow-up mail (owners and admins), own notifications."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from parlor.audit import actions
from parlor.audit.services import audit_record
from parlor.dashboard.access import staff_required
from parlor.dashboard.offline_forms import (
    BusinessHoursForm,
    FollowupSettingsForm,
    NotificationsForm,
)
from parlor.followup.selectors import agent_preference_get, followup_settings_get
from parlor.followup.services import agent_preference_update, followup_settings_update
from parlor.hours.selectors import business_hours_get
from parlor.hours.services import business_hours_update


@require_http_methods(["GET", "POST"])
@staff_required()
def offline_settings(request: HttpRequest) -> HttpResponse:
    """Show the three forms; POST saves the one named by `form` (hours and follow-up: managers)."""
    forms = _forms(request)
    which = request.POST.get("form") if request.method == "POST" else None
    if which in ("hours", "followup") and not request.staff_manages:
        context = {"detail": "only owners and admins may do this."}
        return render(request, "dashboard/forbidden.html", context, status=403)
    if which in forms:
        forms[which] = type(forms[which])(request.POST)
        if forms[which].is_valid():
            SAVE[which](request, forms[which].cleaned_data)
            messages.success(request, "Saved.")
            return redirect("dashboard:offline")
    status = 400 if request.method == "POST" else 200
    context = {**forms, "nav": "offline"}
    return render(request, "dashboard/offline.html", context, status=status)


def _forms(request: HttpRequest) -> dict:
    followup = followup_settings_get()
    preference = agent_preference_get(user_id=request.user.id)
    return {
        "hours": BusinessHoursForm(initial=BusinessHoursForm.initial_from(business_hours_get())),
        "followup": FollowupSettingsForm(
            initial={
                "delay_minutes": followup.delay_minutes,
                "ask_email": followup.ask_email,
                "prechat_enabled": followup.prechat_enabled,
                "prechat_fields": followup.prechat_fields,
            }
        ),
        "notifications": NotificationsForm(
            initial={"new_conversation_email": preference.new_conversation_email}
        ),
    }


def _save_hours(request: HttpRequest, data: dict) -> None:
    business_hours_update(
        enabled=data["enabled"],
        timezone=data["timezone"],
        weekly=data["weekly"],
        holidays=data["holidays"],
        reply_time=data["reply_time"],
        offline_form=data["offline_form"],
    )
    detail = {"enabled": data["enabled"], "timezone": data["timezone"]}
    audit_record(actor=request.user, action=actions.BUSINESS_HOURS_CHANGED, detail=detail)


def _save_followup(request: HttpRequest, data: dict) -> None:
    followup_settings_update(
        delay_minutes=data["delay_minutes"],
        ask_email=data["ask_email"],
        prechat_enabled=data["prechat_enabled"],
        prechat_fields=data["prechat_fields"],
    )
    detail = {"delay_minutes": data["delay_minutes"], "prechat": data["prechat_enabled"]}
    audit_record(actor=request.user, action=actions.FOLLOWUP_SETTINGS_CHANGED, detail=detail)


def _save_notifications(request: HttpRequest, data: dict) -> None:
    agent_preference_update(
        user_id=request.user.id, new_conversation_email=data["new_conversation_email"]
    )


SAVE = {"hours": _save_hours, "followup": _save_followup, "notifications": _save_notifications}
